import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { createKvClient } from './client.ts';
import { prefixEnd } from './key-range.ts';
import { KvServer } from './server.ts';
import { MemoryKvStorage } from './storage.ts';
import type { WatchResponse } from './types.ts';

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(storage?: MemoryKvStorage) {
  const clock = new ManualClock();
  const server = new KvServer({ clock, storage });
  return { clock, server, kv: createKvClient(server) };
}

describe('MVCC store', () => {
  it('tracks revisions, versions and tombstones', async () => {
    const { kv } = setup();
    expect((await kv.put({ key: 'a', value: '1' })).header.revision).toBe(2);
    await kv.put({ key: 'a', value: '2' });
    const put = await kv.put({ key: 'a', value: '3', prevKv: true });
    expect(put.prevKv).toMatchObject({ value: '2', version: 2, createRevision: 2, modRevision: 3 });
    const del = await kv.deleteRange({ key: 'a', prevKv: true });
    expect(del).toMatchObject({ deleted: 1, header: { revision: 5 } });
    await kv.put({ key: 'a', value: 'new' });
    const r = await kv.range({ key: 'a' });
    expect(r.kvs[0]).toMatchObject({ version: 1, createRevision: 6, modRevision: 6 });
    expect((await kv.range({ key: 'a', revision: 3 })).kvs[0].value).toBe('2');
    expect((await kv.range({ key: 'a', revision: 5 })).kvs).toEqual([]);
    await expect(kv.range({ key: 'a', revision: 7 })).rejects.toThrow(
      'etcdserver: mvcc: required revision is a future revision',
    );
    // Deleting nothing does not bump the revision.
    expect((await kv.deleteRange({ key: 'zz' })).header.revision).toBe(6);
  });

  it('ranges by prefix, from-key, with limit, keys-only and count-only', async () => {
    const { kv } = setup();
    for (const k of ['a/1', 'a/2', 'a/3', 'b']) await kv.put({ key: k, value: k });
    const p = await kv.range({ key: 'a/', rangeEnd: prefixEnd('a/'), limit: 2, keysOnly: true });
    expect(p.kvs.map((x) => [x.key, x.value])).toEqual([
      ['a/1', ''],
      ['a/2', ''],
    ]);
    expect(p).toMatchObject({ more: true, count: 3 });
    expect((await kv.range({ key: 'a/3', rangeEnd: '\0' })).count).toBe(2);
    expect((await kv.range({ key: '\0', rangeEnd: '\0', countOnly: true })).kvs).toEqual([]);
  });

  it('runs txns: compares, then/else, reads see earlier writes, one revision', async () => {
    const { kv } = setup();
    await kv.put({ key: 'k', value: 'v' });
    const res = await kv.txn({
      compare: [{ key: 'k', target: 'version', result: '=', operand: 1 }],
      success: [
        { put: { key: 'x', value: '1' } },
        { range: { key: 'x' } },
        { deleteRange: { key: 'k' } },
      ],
      failure: [],
    });
    expect(res.succeeded).toBe(true);
    expect(res.header.revision).toBe(3);
    const range = res.responses[1];
    expect('range' in range && range.range.kvs[0].value).toBe('1');
    const again = await kv.txn({
      compare: [{ key: 'k', target: 'create', result: '=', operand: 0 }],
      success: [],
      failure: [{ put: { key: 'y', value: '1' } }],
    });
    expect(again.succeeded).toBe(true);
    const missing = await kv.txn({
      compare: [{ key: 'nope', target: 'value', result: '!=', operand: 'x' }],
      success: [],
      failure: [
        { txn: { compare: [], success: [{ put: { key: 'n', value: '1' } }], failure: [] } },
      ],
    });
    expect(missing.succeeded).toBe(false);
    expect((await kv.range({ key: 'n' })).kvs[0].modRevision).toBe(4);
  });

  it('compacts: old revisions fail, the compacted revision cannot be compacted again', async () => {
    const { kv } = setup();
    for (let i = 0; i < 4; i++) await kv.put({ key: 'a', value: String(i) });
    await kv.compact(3);
    expect((await kv.range({ key: 'a', revision: 3 })).kvs[0].value).toBe('1');
    const msg = 'etcdserver: mvcc: required revision has been compacted';
    await expect(kv.range({ key: 'a', revision: 2 })).rejects.toThrow(msg);
    await expect(kv.compact(3)).rejects.toThrow(msg);
  });
});

describe('leases', () => {
  it('expire on the lab clock, deleting their keys in one revision with DELETE events', async () => {
    const { kv, clock } = setup();
    const { id, ttl } = await kv.leaseGrant(10);
    expect(ttl).toBe(10);
    await expect(kv.put({ key: 'x', value: '1', lease: 12345 })).rejects.toThrow(
      'etcdserver: requested lease not found',
    );
    await kv.put({ key: 'k1', value: '1', lease: id });
    await kv.put({ key: 'k2', value: '2', lease: id });
    const seen: WatchResponse[] = [];
    kv.watch({ key: 'k', rangeEnd: prefixEnd('k') }, (r) => seen.push(r));
    await clock.advance(4500);
    expect(await kv.leaseTimeToLive(id, true)).toMatchObject({
      ttl: 5,
      grantedTtl: 10,
      keys: ['k1', 'k2'],
    });
    expect((await kv.leaseKeepAlive(id)).ttl).toBe(10);
    await clock.advance(9999);
    expect((await kv.range({ key: 'k1' })).count).toBe(1);
    await clock.advance(1);
    await settle();
    expect((await kv.range({ key: 'k1' })).count).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0].events.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([
      ['DELETE', 'k1', 4],
      ['DELETE', 'k2', 4],
    ]);
    expect(await kv.leaseTimeToLive(id)).toMatchObject({ ttl: -1, grantedTtl: 0 });
    expect((await kv.leaseList()).leases).toEqual([]);
    await expect(kv.leaseRevoke(id)).rejects.toThrow('etcdserver: requested lease not found');
  });

  it('grant at least 2 s and refuse huge TTLs and duplicate ids', async () => {
    const { kv } = setup();
    expect((await kv.leaseGrant(0)).ttl).toBe(2);
    await expect(kv.leaseGrant(10_000_000_000)).rejects.toThrow('etcdserver: too large lease TTL');
    await kv.leaseGrant(5, 77);
    await expect(kv.leaseGrant(5, 77)).rejects.toThrow('etcdserver: lease already exists');
  });
});

describe('watch', () => {
  it('replays history, then delivers live batches per revision with prev_kv', async () => {
    const { kv } = setup();
    await kv.put({ key: 'a', value: '1' });
    await kv.put({ key: 'b', value: '1' });
    const seen: WatchResponse[] = [];
    const w = kv.watch({ key: 'a', rangeEnd: '\0', startRevision: 1, prevKv: true }, (r) =>
      seen.push(r),
    );
    await settle();
    expect(seen[0].events.map((e) => e.kv.key)).toEqual(['a', 'b']);
    await kv.put({ key: 'a', value: '2' });
    await kv.deleteRange({ key: 'a' });
    await settle();
    expect(seen[1].events[0]).toMatchObject({ type: 'PUT', prevKv: { value: '1' } });
    expect(seen[2].events[0]).toMatchObject({ type: 'DELETE', kv: { key: 'a', modRevision: 5 } });
    w.cancel();
    await kv.put({ key: 'a', value: '3' });
    await settle();
    expect(seen).toHaveLength(3);
  });

  it('cancels a watch whose start revision was compacted', async () => {
    const { kv } = setup();
    for (let i = 0; i < 4; i++) await kv.put({ key: 'a', value: String(i) });
    await kv.compact(4);
    const seen: WatchResponse[] = [];
    kv.watch({ key: 'a', startRevision: 2 }, (r) => seen.push(r));
    await settle();
    expect(seen[0]).toMatchObject({ canceled: true, compactRevision: 4 });
  });
});

describe('persistence', () => {
  it('restores revisions, compaction and leases with their remaining TTL', async () => {
    const storage = new MemoryKvStorage();
    const a = setup(storage);
    const { id } = await a.kv.leaseGrant(60);
    await a.kv.put({ key: 'k', value: 'v', lease: id });
    await a.kv.put({ key: 'k', value: 'w', lease: id });
    await a.kv.put({ key: 'z', value: '1' });
    await a.kv.compact(3);
    await a.server.flush();
    const clock = new ManualClock(a.clock.now() + 20_000);
    const b = await KvServer.open({ clock, storage });
    const kv = createKvClient(b);
    expect((await kv.range({ key: 'k' })).kvs[0]).toMatchObject({ value: 'w', version: 2 });
    expect((await kv.range({ key: 'k', revision: 3 })).kvs[0].value).toBe('w');
    await expect(kv.range({ key: 'k', revision: 2 })).rejects.toThrow('compacted');
    expect((await kv.leaseTimeToLive(id)).ttl).toBe(40);
    expect((await kv.put({ key: 'n', value: '1' })).header.revision).toBe(5);
    await clock.advance(40_000);
    expect((await kv.range({ key: 'k' })).count).toBe(0);
  });
});

describe('persistence under load', () => {
  it('writes one snapshot per storage write, not one per commit, and loses none', async () => {
    // A storage whose writes take as long as the test says (IndexedDB takes milliseconds).
    const saved: number[] = [];
    const pending: Array<() => void> = [];
    const storage = {
      load: () => Promise.resolve(null),
      save: (snap: { currentRev: number }) =>
        new Promise<void>((resolve) => {
          pending.push(() => {
            saved.push(snap.currentRev);
            resolve();
          });
        }),
    };
    const clock = new ManualClock();
    const server = new KvServer({ clock, storage });
    const kv = createKvClient(server);
    await kv.put({ key: 'a', value: '0' });
    await settle();
    for (let i = 1; i <= 100; i++) await kv.put({ key: 'a', value: String(i) });
    expect(pending).toHaveLength(1); // the first save is still being written
    pending.shift()!();
    await settle();
    expect(pending).toHaveLength(1); // one more save carries the hundred commits
    pending.shift()!();
    await server.flush();
    expect(saved).toEqual([2, 102]);
  });
});

describe('property: the store agrees with a plain map', () => {
  const op = fc.oneof(
    fc.record({
      t: fc.constant('put' as const),
      k: fc.constantFrom('a', 'b', 'c'),
      v: fc.string(),
    }),
    fc.record({ t: fc.constant('del' as const), k: fc.constantFrom('a', 'b', 'c') }),
    fc.record({
      t: fc.constant('txn' as const),
      k: fc.constantFrom('a', 'b', 'c'),
      v: fc.string(),
      ver: fc.nat(3),
    }),
  );
  it('after any sequence of put/delete/txn', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const { kv } = setup();
        const model = new Map<string, { value: string; version: number }>();
        let rev = 1;
        for (const o of ops) {
          if (o.t === 'put') {
            await kv.put({ key: o.k, value: o.v });
            model.set(o.k, { value: o.v, version: (model.get(o.k)?.version ?? 0) + 1 });
            rev++;
          } else if (o.t === 'del') {
            const r = await kv.deleteRange({ key: o.k });
            expect(r.deleted).toBe(model.has(o.k) ? 1 : 0);
            if (model.delete(o.k)) rev++;
          } else {
            const r = await kv.txn({
              compare: [{ key: o.k, target: 'version', result: '=', operand: o.ver }],
              success: [{ put: { key: o.k, value: o.v } }],
              failure: [],
            });
            const cur = model.get(o.k)?.version ?? 0;
            expect(r.succeeded).toBe(cur === o.ver);
            if (cur === o.ver) {
              model.set(o.k, { value: o.v, version: cur + 1 });
              rev++;
            }
          }
        }
        const all = await kv.range({ key: '\0', rangeEnd: '\0' });
        expect(all.header.revision).toBe(rev);
        expect(all.kvs.map((x) => [x.key, x.value, x.version])).toEqual(
          [...model.entries()].sort().map(([k, m]) => [k, m.value, m.version]),
        );
      }),
      { numRuns: 200 },
    );
  });
});
