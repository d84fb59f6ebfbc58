// etcd's v2 keyspace, served over the lab's v3 store as etcd's v2 emulation does: a v2 key
// '/a/b' is the v3 key '/a/b', a directory is any path that other keys lie under, a key's TTL
// is its lease, the v2 index is the store's revision. So flanneld's leases (v3 keys with a
// lease) are v2 keys with a TTL, and `etcdctl set` writes what flanneld reads. Errors carry
// etcd v2's codes and texts (etcd/error): 100 Key not found, 102 Not a file, 104 Not a
// directory, 105 Key already exists.

import { prefixEnd } from '../../kv/key-range.ts';
import type { KeyValue, KvClient } from '../../kv/types.ts';

export class V2Error extends Error {
  constructor(
    readonly errorCode: number,
    readonly key: string,
    readonly index: number,
  ) {
    super(`${errorCode}: ${V2_MESSAGES[errorCode]} (${key}) [${index}]`);
  }
}

const V2_MESSAGES: Record<number, string> = {
  100: 'Key not found',
  102: 'Not a file',
  104: 'Not a directory',
  105: 'Key already exists',
};

export interface V2Node {
  key: string;
  dir: boolean;
  value?: string;
  createdIndex: number;
  modifiedIndex: number;
  /** Seconds left, when the key has a TTL. */
  ttl?: number;
  /** Lab time the key expires at. */
  expiration?: number;
  nodes?: V2Node[];
}

/** '/a/b/' -> '/a/b'; '' -> '/'. */
export function cleanKey(key: string): string {
  const parts = key.split('/').filter(Boolean);
  return `/${parts.join('/')}`;
}

export class V2Store {
  constructor(
    private readonly kv: KvClient,
    private readonly now: () => number,
  ) {}

  async index(): Promise<number> {
    return (await this.kv.range({ key: '/', countOnly: true })).header.revision;
  }

  private async under(dir: string): Promise<{ kvs: KeyValue[]; revision: number }> {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const res = await this.kv.range({ key: prefix, rangeEnd: prefixEnd(prefix) });
    return { kvs: res.kvs, revision: res.header.revision };
  }

  private async node(kv: KeyValue): Promise<V2Node> {
    const node: V2Node = {
      key: kv.key,
      dir: false,
      value: kv.value,
      createdIndex: kv.createRevision,
      modifiedIndex: kv.modRevision,
    };
    if (kv.lease !== 0) {
      const ttl = await this.kv.leaseTimeToLive(kv.lease);
      if (ttl.ttl >= 0) {
        node.ttl = ttl.ttl;
        node.expiration = this.now() + ttl.ttl * 1000;
      }
    }
    return node;
  }

  /** A key or a directory; a directory with its children (all of them when recursive). */
  async get(rawKey: string, recursive = false): Promise<{ node: V2Node; index: number }> {
    const key = cleanKey(rawKey);
    const own = key === '/' ? undefined : (await this.kv.range({ key })).kvs[0];
    const { kvs, revision } = await this.under(key);
    if (own) return { node: await this.node(own), index: revision };
    if (kvs.length === 0 && key !== '/') throw new V2Error(100, key, revision);
    return { node: await this.tree(key, kvs, recursive), index: revision };
  }

  private async tree(dir: string, kvs: KeyValue[], recursive: boolean): Promise<V2Node> {
    const base = dir === '/' ? '' : dir;
    const children = new Map<string, KeyValue[]>();
    const files = new Map<string, KeyValue>();
    for (const kv of kvs) {
      const rest = kv.key.slice(base.length + 1);
      const [first, ...deeper] = rest.split('/');
      if (!first) continue;
      const child = `${base}/${first}`;
      if (deeper.length === 0) files.set(child, kv);
      else children.set(child, [...(children.get(child) ?? []), kv]);
    }
    const nodes: V2Node[] = [];
    for (const name of [...new Set([...files.keys(), ...children.keys()])].sort()) {
      const file = files.get(name);
      if (file) nodes.push(await this.node(file));
      else {
        const sub = children.get(name)!;
        const created = Math.min(...sub.map((k) => k.createRevision));
        nodes.push(
          recursive
            ? await this.tree(name, sub, true)
            : { key: name, dir: true, createdIndex: created, modifiedIndex: created },
        );
      }
    }
    const created = Math.min(...kvs.map((k) => k.createRevision), Infinity);
    const index = Number.isFinite(created) ? created : 0;
    return { key: dir, dir: true, createdIndex: index, modifiedIndex: index, nodes };
  }

  /** The checks v2 makes before a write: no ancestor is a file, the key is no directory. */
  private async checkPath(key: string, revision: number): Promise<KeyValue | undefined> {
    const parts = key.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const ancestor = `/${parts.slice(0, i).join('/')}`;
      if ((await this.kv.range({ key: ancestor, countOnly: true })).count > 0)
        throw new V2Error(104, ancestor, revision);
    }
    const { kvs } = await this.under(key);
    if (kvs.length > 0) throw new V2Error(102, key, revision);
    return (await this.kv.range({ key })).kvs[0];
  }

  /** set / mk / update: `mode` says whether the key must be absent or present. */
  async write(
    rawKey: string,
    value: string,
    opts: { ttl?: number; mode: 'set' | 'create' | 'update' },
  ): Promise<{ node: V2Node; prevNode?: V2Node; index: number }> {
    const key = cleanKey(rawKey);
    const revision = await this.index();
    const prev = await this.checkPath(key, revision);
    if (opts.mode === 'create' && prev) throw new V2Error(105, key, revision);
    if (opts.mode === 'update' && !prev) throw new V2Error(100, key, revision);
    const prevNode = prev ? await this.node(prev) : undefined;
    // update without --ttl keeps no TTL, as v2's update does (it replaces the whole node).
    const lease = opts.ttl ? (await this.kv.leaseGrant(opts.ttl)).id : 0;
    const res = await this.kv.put({ key, value, lease });
    const kv = (await this.kv.range({ key })).kvs[0];
    return { node: await this.node(kv), prevNode, index: res.header.revision };
  }

  /** rm: a key, or (recursive) a directory and everything under it. */
  async remove(rawKey: string, recursive: boolean): Promise<{ prevNode: V2Node; index: number }> {
    const key = cleanKey(rawKey);
    const { node } = await this.get(key, false);
    if (node.dir && !recursive) throw new V2Error(102, key, await this.index());
    if (node.dir) {
      const res = await this.kv.deleteRange({ key: `${key}/`, rangeEnd: prefixEnd(`${key}/`) });
      return { prevNode: { ...node, nodes: undefined }, index: res.header.revision };
    }
    const res = await this.kv.deleteRange({ key });
    return { prevNode: node, index: res.header.revision };
  }

  /** Waits for the next change of `key` (or, recursive, under it). */
  watch(
    rawKey: string,
    recursive: boolean,
    onEvent: (e: { action: string; node: V2Node; prevNode?: V2Node }) => void,
  ): () => void {
    const key = cleanKey(rawKey);
    const req = recursive ? { key, rangeEnd: prefixEnd(key), prevKv: true } : { key, prevKv: true };
    const watcher = this.kv.watch(req, (res) => {
      for (const e of res.events) {
        if (recursive && e.kv.key !== key && !e.kv.key.startsWith(key === '/' ? '/' : `${key}/`))
          continue;
        const node: V2Node = {
          key: e.kv.key,
          dir: false,
          value: e.type === 'PUT' ? e.kv.value : undefined,
          createdIndex: e.kv.createRevision,
          modifiedIndex: e.kv.modRevision,
        };
        const prevNode = e.prevKv
          ? {
              key: e.prevKv.key,
              dir: false,
              value: e.prevKv.value,
              createdIndex: e.prevKv.createRevision,
              modifiedIndex: e.prevKv.modRevision,
            }
          : undefined;
        onEvent({ action: e.type === 'PUT' ? 'set' : 'delete', node, prevNode });
      }
    });
    return () => watcher.cancel();
  }
}
