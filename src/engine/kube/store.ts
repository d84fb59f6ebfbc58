// The Kubernetes API objects of a lab, in its etcd under the keys kube-apiserver gives them
// (k8s.io/apiserver's etcd3 store: /registry/<resource>/[<namespace>/]<name>, Nodes under the
// old name "minions"). Values are JSON: the real apiserver stores protobuf (a `k8s\0` prefix
// and binary fields) unless it runs with --storage-media-type=application/json; the lab stores
// what that flag gives, so `etcdctl get /registry/...` shows a readable object.
// resourceVersion is not stored: as the apiserver does, every read sets it from the key's
// mod_revision, and an update is a txn on that revision (GuaranteedUpdate), retried on conflict.

import { prefixEnd } from '../kv/key-range.ts';
import type { KeyValue, KvClient, Watcher } from '../kv/types.ts';
import type { LabClock } from '../os/clock.ts';

export type Resource = 'nodes' | 'pods' | 'configmaps' | 'daemonsets' | 'namespaces';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion?: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** What a caller gives: the store fills in uid and creationTimestamp. */
export type NewObject = Omit<KubeObject, 'metadata'> & {
  metadata: Omit<ObjectMeta, 'uid' | 'creationTimestamp'>;
};

const CLUSTER_SCOPED: ReadonlySet<Resource> = new Set(['nodes', 'namespaces']);
/** The etcd folder of each resource: Nodes keep the name they had before v1. */
const FOLDER: Record<Resource, string> = {
  nodes: 'minions',
  pods: 'pods',
  configmaps: 'configmaps',
  daemonsets: 'daemonsets',
  namespaces: 'namespaces',
};
const GUARANTEED_UPDATE_TRIES = 10;

/** kubectl's and the apiserver's name for a resource in errors: `pods "x" not found`. */
export class KubeError extends Error {
  constructor(
    /** The status reason: 'NotFound', 'AlreadyExists', 'Conflict'. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export function registryPrefix(resource: Resource, namespace?: string): string {
  const base = `/registry/${FOLDER[resource]}/`;
  return CLUSTER_SCOPED.has(resource) || namespace === undefined ? base : `${base}${namespace}/`;
}

export function registryKey(resource: Resource, name: string, namespace?: string): string {
  if (!CLUSTER_SCOPED.has(resource) && !namespace)
    throw new Error(`${resource} are namespaced: ${name} needs a namespace`);
  return `${registryPrefix(resource, namespace)}${name}`;
}

/** An RFC 3339 time without fractions, as metav1.Time marshals. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A version 4 UUID from the lab's randomness (the apiserver's uuid.NewUUID). */
export function newUid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) & 3) | 8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Decodes a stored object, its resourceVersion from the key's mod_revision. */
export function decodeObject(kv: KeyValue): KubeObject | undefined {
  try {
    const obj = JSON.parse(kv.value) as KubeObject;
    if (!obj?.metadata?.name) return undefined;
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  } catch {
    return undefined;
  }
}

function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

export type ObjectEvent = {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before a MODIFIED (an informer's old object, for UpdateFunc(old, new)). */
  previous?: KubeObject;
};

export class KubeStore {
  constructor(
    private readonly kv: KvClient,
    private readonly clock: LabClock,
    private readonly random: () => number,
  ) {}

  async create(resource: Resource, obj: NewObject): Promise<KubeObject> {
    const { namespace, name } = obj.metadata;
    const key = registryKey(resource, name, namespace);
    const full: KubeObject = {
      ...obj,
      metadata: {
        ...obj.metadata,
        uid: newUid(this.random),
        creationTimestamp: kubeTime(this.clock.now()),
      },
    };
    const res = await this.kv.txn({
      compare: [{ key, target: 'version', result: '=', operand: 0 }],
      success: [{ put: { key, value: encodeObject(full) } }],
      failure: [],
    });
    if (!res.succeeded)
      throw new KubeError('AlreadyExists', `${resource} "${name}" already exists`);
    full.metadata.resourceVersion = String(res.header.revision);
    return full;
  }

  async get(resource: Resource, name: string, namespace?: string): Promise<KubeObject> {
    const res = await this.kv.range({ key: registryKey(resource, name, namespace) });
    const obj = res.kvs[0] && decodeObject(res.kvs[0]);
    if (!obj) throw new KubeError('NotFound', `${resource} "${name}" not found`);
    return obj;
  }

  /** The objects in name order (a namespace's, or all of them), with the list's revision. */
  async list(
    resource: Resource,
    namespace?: string,
  ): Promise<{ items: KubeObject[]; revision: number }> {
    const key = registryPrefix(resource, namespace);
    const res = await this.kv.range({ key, rangeEnd: prefixEnd(key) });
    const items = res.kvs.map(decodeObject).filter((o): o is KubeObject => o !== undefined);
    return { items, revision: res.header.revision };
  }

  /** GuaranteedUpdate: read, change, write if nobody wrote in between; else again. */
  async update(
    resource: Resource,
    name: string,
    namespace: string | undefined,
    change: (obj: KubeObject) => void,
  ): Promise<KubeObject> {
    const key = registryKey(resource, name, namespace);
    for (let attempt = 0; attempt < GUARANTEED_UPDATE_TRIES; attempt++) {
      const current = await this.get(resource, name, namespace);
      const rev = Number(current.metadata.resourceVersion);
      change(current);
      const res = await this.kv.txn({
        compare: [{ key, target: 'mod', result: '=', operand: rev }],
        success: [{ put: { key, value: encodeObject(current) } }],
        failure: [],
      });
      if (res.succeeded) {
        current.metadata.resourceVersion = String(res.header.revision);
        return current;
      }
    }
    throw new KubeError(
      'Conflict',
      `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }

  async delete(resource: Resource, name: string, namespace?: string): Promise<KubeObject> {
    const res = await this.kv.deleteRange({
      key: registryKey(resource, name, namespace),
      prevKv: true,
    });
    const obj = res.prevKvs[0] && decodeObject(res.prevKvs[0]);
    if (!obj) throw new KubeError('NotFound', `${resource} "${name}" not found`);
    return obj;
  }

  /** A watch from `fromRevision` (a list's revision + 1), as an informer's. */
  watch(
    resource: Resource,
    fromRevision: number,
    onEvent: (ev: ObjectEvent) => void,
    onEnd?: () => void,
  ): Watcher {
    const key = registryPrefix(resource);
    return this.kv.watch(
      { key, rangeEnd: prefixEnd(key), startRevision: fromRevision, prevKv: true },
      (res) => {
        if (res.canceled) {
          onEnd?.();
          return;
        }
        for (const ev of res.events) {
          const kv = ev.type === 'DELETE' ? ev.prevKv : ev.kv;
          const object = kv && decodeObject(kv);
          if (!object) continue;
          const type =
            ev.type === 'DELETE' ? 'DELETED' : ev.kv.version === 1 ? 'ADDED' : 'MODIFIED';
          const previous = type === 'MODIFIED' && ev.prevKv ? decodeObject(ev.prevKv) : undefined;
          onEvent({ type, object, previous });
        }
      },
    );
  }
}
