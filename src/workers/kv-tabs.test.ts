// Several tabs on one lab: their KV workers (KvService with `tabs`) share one etcd through the
// lab's BroadcastChannel (Node has the real one) and a fake of Web Locks.
import { afterEach, describe, expect, it } from 'vitest';
import { prefixEnd } from '../engine/kv/key-range.ts';
import { MemoryKvStorage, type KvStorage } from '../engine/kv/storage.ts';
import { KvError, type KvClient, type WatchResponse } from '../engine/kv/types.ts';
import type { ClockParams } from '../engine/os/realtime-clock.ts';
import { wrapKvPort } from './kv-remote.ts';
import { KvService, type LockFn } from './kv-service.ts';

const START: ClockParams = { labAtAnchor: Date.UTC(2026, 0, 1), sourceAtAnchor: 0, speed: 1 };

/** Web Locks as the browser grants them: one holder per name, the others queued in order. */
class FakeLocks {
  private readonly held = new Set<string>();
  private readonly queues = new Map<string, Array<() => void>>();

  lock: LockFn = (name, hold) =>
    new Promise((done) => {
      const run = () => {
        this.held.add(name);
        void hold().finally(() => {
          this.held.delete(name);
          this.queues.get(name)?.shift()?.();
          done(undefined);
        });
      };
      if (!this.held.has(name)) return run();
      this.queues.set(name, [...(this.queues.get(name) ?? []), run]);
    });

  heldLocks = () => Promise.resolve([...this.held]);
}

const services: KvService[] = [];
const ports: MessagePort[] = [];

afterEach(() => {
  for (const s of services.splice(0)) s.close();
  for (const p of ports.splice(0)) p.close();
});

let ids = 0;

/** One browser: the locks and IndexedDB its tabs share. */
function browser() {
  const locks = new FakeLocks();
  const storages = new Map<string, MemoryKvStorage>();
  const storage = (labId: string): KvStorage => {
    if (!storages.has(labId)) storages.set(labId, new MemoryKvStorage());
    return storages.get(labId)!;
  };
  /** A tab's KV worker, opened on `labId`. */
  const tab = async (labId = 'lab1') => {
    const service = new KvService({
      source: () => performance.timeOrigin + performance.now(),
      schedule: (fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
      storage,
      tabs: {
        lock: locks.lock,
        heldLocks: locks.heldLocks,
        channel: (name) => new BroadcastChannel(name),
        newId: () => `id${++ids}`,
      },
    });
    services.push(service);
    await service.open(labId, START);
    /** A host worker of this tab: its own port to the tab's KV worker. */
    const host = async (): Promise<KvClient> => {
      const channel = new MessageChannel();
      ports.push(channel.port1, channel.port2);
      await service.connect(labId, channel.port1);
      return wrapKvPort(channel.port2);
    };
    return { service, host, kv: await host() };
  };
  return { tab, storages, locks };
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

describe('one etcd per lab across tabs', () => {
  it('serves every tab of a lab from the leader’s store', async () => {
    const { tab, storages } = browser();
    const a = await tab();
    const b = await tab();
    expect((await a.kv.put({ key: '/x', value: 'from-a' })).header.revision).toBe(2);
    const put = await b.kv.put({ key: '/y', value: 'from-b' });
    expect(put.header.revision).toBe(3);
    expect(a.service.leading).toBe(true);
    expect(b.service.leading).toBe(false);
    const all = await a.kv.range({ key: '/', rangeEnd: '\0' });
    expect(all.kvs.map((kv) => [kv.key, kv.value])).toEqual([
      ['/x', 'from-a'],
      ['/y', 'from-b'],
    ]);
    // One member, one cluster, as every tab sees it.
    expect((await b.kv.status()).leader).toBe((await a.kv.status()).leader);
    await a.service.flush();
    expect((await storages.get('lab1')!.load())?.currentRev).toBe(3);
  });

  it('keeps KvError and its code across both hops', async () => {
    const { tab } = browser();
    await tab();
    const b = await tab();
    const err = await b.kv.leaseRevoke(12345).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvError);
    expect(err).toMatchObject({
      code: 'NotFound',
      message: 'etcdserver: requested lease not found',
    });
    await expect(b.kv.put({ key: '', value: 'x' })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: 'etcdserver: key is not provided',
    });
    // create-if-absent, as flannel and the host claims use it, from the follower tab.
    const txn = await b.kv.txn({
      compare: [{ key: '/k', target: 'version', result: '=', operand: 0 }],
      success: [{ put: { key: '/k', value: 'v' } }],
      failure: [],
    });
    expect(txn.succeeded).toBe(true);
    const lease = await b.kv.leaseGrant(60);
    expect(await b.kv.leaseKeepAlive(lease.id)).toMatchObject({ id: lease.id, ttl: 60 });
  });

  it('streams a follower tab’s watch until it is cancelled', async () => {
    const { tab } = browser();
    const a = await tab();
    const b = await tab();
    const got: WatchResponse[] = [];
    const w = b.kv.watch({ key: '/w/', rangeEnd: prefixEnd('/w/') }, (res) => got.push(res));
    await new Promise((r) => setTimeout(r, 30)); // the watch reaches the leader
    await a.kv.put({ key: '/w/1', value: 'a' });
    await a.kv.put({ key: '/other', value: 'x' });
    await a.kv.deleteRange({ key: '/w/1' });
    await waitFor(() => got.length === 2);
    expect(got.map((r) => [r.header.revision, r.events[0].type])).toEqual([
      [2, 'PUT'],
      [4, 'DELETE'],
    ]);
    w.cancel();
    await a.kv.put({ key: '/w/2', value: 'late' });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(2);
  });

  it('hands the store to the next tab when the leader’s tab closes', async () => {
    const { tab } = browser();
    const a = await tab();
    const b = await tab();
    await a.kv.put({ key: '/kept', value: '1' });
    await a.kv.put({ key: '/kept', value: '2' });
    const got: WatchResponse[] = [];
    b.kv.watch({ key: '/kept' }, (res) => got.push(res));
    await new Promise((r) => setTimeout(r, 30));
    await a.service.flush();
    a.service.close(); // the tab closes: its locks are released

    // The next leader loads what the old one saved; revisions go on from there.
    const put = await b.kv.put({ key: '/kept', value: '3', prevKv: true });
    expect(b.service.leading).toBe(true);
    expect(put.header.revision).toBe(4);
    expect(put.prevKv).toMatchObject({ value: '2', version: 2 });
    // The watch resumed on the new leader: the event after the change arrives, once.
    await waitFor(() => got.length === 1);
    expect(got[0].events.map((e) => e.kv.value)).toEqual(['3']);
    const c = await tab();
    expect((await c.kv.range({ key: '/kept' })).kvs[0].value).toBe('3');
  });

  it('keeps labs with different ids apart', async () => {
    const { tab, storages } = browser();
    const one = await tab('lab1');
    const two = await tab('lab2');
    await one.kv.put({ key: '/only-in-1', value: 'x' });
    await two.kv.put({ key: '/only-in-2', value: 'y' });
    expect((await two.kv.range({ key: '/only-in-1' })).count).toBe(0);
    expect((await one.kv.range({ key: '/', rangeEnd: '\0' })).kvs.map((kv) => kv.key)).toEqual([
      '/only-in-1',
    ]);
    // Each lab has its own leader and its own stored data.
    expect(one.service.leading && two.service.leading).toBe(true);
    await one.service.flush();
    await two.service.flush();
    expect((await storages.get('lab2')!.load())?.records.map((r) => r.key)).toEqual(['/only-in-2']);
  });

  it('gives a joining tab the next host names, and a closed tab’s names to the next', async () => {
    const { tab } = browser();
    const a = await tab();
    const b = await tab();
    expect(await a.service.claimHosts('lab1', 3)).toEqual(['node1', 'node2', 'node3']);
    expect(await b.service.claimHosts('lab1', 3)).toEqual(['node4', 'node5', 'node6']);
    const minions = await a.kv.range({
      key: '/registry/minions/',
      rangeEnd: prefixEnd('/registry/minions/'),
    });
    expect(minions.kvs.map((kv) => kv.key.split('/').pop())).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
      'node6',
    ]);
    const node4 = JSON.parse(minions.kvs[3].value) as {
      status: { addresses: Array<{ address: string }> };
    };
    expect(node4.status.addresses[0].address).toBe('172.16.112.131');
    expect(minions.kvs.every((kv) => kv.lease > 0)).toBe(true);
    // A host added later in tab A takes the next free name.
    expect(await a.service.claimHosts('lab1', 1)).toEqual(['node7']);

    // Tab A reloads: its old claims belong to a tab that is gone, so the new tab gets them.
    await a.service.flush();
    a.service.close();
    const again = await tab();
    expect(await again.service.claimHosts('lab1', 3)).toEqual(['node1', 'node2', 'node3']);
    expect(await b.service.claimHosts('lab1', 1)).toEqual(['node7']);
  });
});
