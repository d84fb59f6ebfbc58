// Persistence writes what changed, history is compacted on the lab clock as kube-apiserver has
// etcd do it, and what a save wrote is what a reload finds.

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { createKvClient } from './client.ts';
import { COMPACTION_INTERVAL_MS, KvServer } from './server.ts';
import { MemoryKvStorage } from './storage.ts';

const MiB = 1024 * 1024;

async function open(storage = new MemoryKvStorage(), clock = new ManualClock()) {
  const server = await KvServer.open({ clock, storage });
  return { server, storage, clock, kv: createKvClient(server) };
}

describe('persistence writes what changed', () => {
  it('five 1 MiB puts save about 1 MiB each; a small put or a delete after saves bytes', async () => {
    const { server, storage, kv } = await open();
    const big = 'x'.repeat(MiB);
    for (let i = 0; i < 5; i++) {
      await kv.put({ key: '/big', value: big });
      await server.flush();
    }
    expect(storage.saveBytes).toHaveLength(5);
    for (const bytes of storage.saveBytes) expect(bytes).toBeLessThan(MiB + 2000);
    await kv.put({ key: '/small', value: 'v' });
    await server.flush();
    expect(storage.saveBytes.at(-1)).toBeLessThan(1000);
    await kv.deleteRange({ key: '/big' });
    await server.flush();
    expect(storage.saveBytes.at(-1)).toBeLessThan(1000);
  });

  it('a reload finds every record, lease, counter and alarm saved so far', async () => {
    const storage = new MemoryKvStorage();
    const a = await KvServer.open({ clock: new ManualClock(), storage, quotaBackendBytes: 30_000 });
    const kv = createKvClient(a);
    const { id } = await kv.leaseGrant(60);
    await kv.put({ key: '/a', value: '1', lease: id });
    await kv.put({ key: '/a', value: '2', lease: id });
    await kv.put({ key: '/b', value: '1' });
    await kv.compact(3);
    await kv.leaseKeepAlive(id);
    const gone = await kv.leaseGrant(60);
    await kv.leaseRevoke(gone.id);
    await expect(kv.put({ key: '/c', value: 'x'.repeat(30_000) })).rejects.toThrow(
      'database space exceeded',
    );
    await a.flush();
    const b = await KvServer.open({ clock: new ManualClock(), storage });
    expect(b.mvcc.allRecords()).toEqual(a.mvcc.allRecords());
    expect(b.lessor.list()).toEqual(a.lessor.list());
    expect(b.header().revision).toBe(a.header().revision);
    expect(b.raftIndex).toBe(a.raftIndex);
    expect(b.mvcc.compactRev).toBe(3);
    expect(b.alarmList()).toEqual(['NOSPACE']);
  });

  it('a failed save is written with the next one', async () => {
    const storage = new MemoryKvStorage();
    const save = storage.save.bind(storage);
    let fail = true;
    storage.save = (c) => (fail ? Promise.reject(new Error('quota')) : save(c));
    const { server, kv } = await open(storage);
    await kv.put({ key: '/a', value: '1' });
    await server.flush();
    fail = false;
    await kv.put({ key: '/b', value: '2' });
    await server.flush();
    expect((await storage.load())?.records.map((r) => r.key)).toEqual(['/a', '/b']);
  });
});

describe('automatic compaction (kube-apiserver: every 5 minutes, to the previous round)', () => {
  it('keeps one interval of history, and compaction empties the storage of old records', async () => {
    const { server, storage, clock, kv } = await open();
    for (let i = 0; i < 3; i++) await kv.put({ key: '/k', value: String(i) }); // revs 2..4
    await clock.advance(COMPACTION_INTERVAL_MS); // round 1 notes revision 4
    expect(server.mvcc.compactRev).toBe(-1);
    await kv.put({ key: '/k', value: '3' }); // rev 5
    await kv.deleteRange({ key: '/k' }); // rev 6
    await clock.advance(COMPACTION_INTERVAL_MS); // round 2 compacts to 4
    expect(server.mvcc.compactRev).toBe(4);
    await expect(kv.range({ key: '/k', revision: 3 })).rejects.toThrow(
      'etcdserver: mvcc: required revision has been compacted',
    );
    expect((await kv.range({ key: '/k', revision: 4 })).kvs[0].value).toBe('2');
    await clock.advance(COMPACTION_INTERVAL_MS); // round 3 compacts to 6: /k is gone for good
    expect(server.mvcc.compactRev).toBe(6);
    await server.flush();
    expect((await storage.load())?.records).toEqual([]);
    await clock.advance(COMPACTION_INTERVAL_MS); // nothing new: no compaction, no error
    expect(server.mvcc.compactRev).toBe(6);
  });
});

describe('txn limits', () => {
  it('refuses more than 128 operations in a branch (--max-txn-ops)', async () => {
    const { kv } = await open();
    const ops = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ put: { key: `/k${i}`, value: 'v' } }));
    expect((await kv.txn({ compare: [], success: ops(128), failure: [] })).succeeded).toBe(true);
    await expect(kv.txn({ compare: [], success: ops(129), failure: [] })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: 'etcdserver: too many operations in txn request',
    });
  });
});
