import { afterEach, describe, expect, it } from 'vitest';
import { createKvClient } from '../engine/kv/client.ts';
import { prefixEnd } from '../engine/kv/key-range.ts';
import { KvServer } from '../engine/kv/server.ts';
import { MemoryKvStorage } from '../engine/kv/storage.ts';
import { KvError, type KvClient, type WatchResponse } from '../engine/kv/types.ts';
import { ManualClock } from '../engine/os/clock.ts';
import { serveKvPort, wrapKvPort } from './kv-remote.ts';

const ports: MessagePort[] = [];

afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** Messages cross ports as macrotasks: wait until `cond` holds (or fail after ~1 s). */
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

/** A few round trips, so anything in flight has arrived. */
const drain = () => new Promise((r) => setTimeout(r, 50));

/** The server-side client, counting live watches so tests can see cancel() reach it. */
function counting(client: KvClient) {
  const live = { watches: 0 };
  const wrapped: KvClient = {
    ...client,
    watch(req, onResponse) {
      const w = client.watch(req, onResponse);
      live.watches++;
      return {
        cancel() {
          live.watches--;
          w.cancel();
        },
      };
    },
  };
  return { wrapped, live };
}

function setup() {
  const clock = new ManualClock();
  const storage = new MemoryKvStorage();
  const server = new KvServer({ clock, storage });
  const { wrapped, live } = counting(createKvClient(server));
  /** One host's client: its own channel to the server, as each host worker has. */
  const connect = () => {
    const channel = new MessageChannel();
    ports.push(channel.port1, channel.port2);
    serveKvPort(wrapped, channel.port1);
    return wrapKvPort(channel.port2);
  };
  return { clock, server, storage, live, connect, kv: connect() };
}

describe('wrapKvPort', () => {
  it('puts, ranges and deletes with etcd revisions', async () => {
    const { kv, server, storage } = setup();
    expect((await kv.put({ key: '/a/1', value: 'one' })).header).toMatchObject({
      revision: 2,
      clusterId: '324952591200643719',
      memberId: '3319814642761637952',
      raftTerm: 2,
    });
    await kv.put({ key: '/a/2', value: 'two' });
    await kv.put({ key: '/b', value: 'bee' });
    const put = await kv.put({ key: '/a/1', value: 'uno', prevKv: true });
    expect(put.prevKv).toMatchObject({ key: '/a/1', value: 'one', version: 1, modRevision: 2 });

    const r = await kv.range({ key: '/a/', rangeEnd: prefixEnd('/a/') });
    expect(r.count).toBe(2);
    expect(r.kvs.map((kv) => [kv.key, kv.value, kv.version])).toEqual([
      ['/a/1', 'uno', 2],
      ['/a/2', 'two', 1],
    ]);
    expect((await kv.range({ key: '/a/1', revision: 2 })).kvs[0].value).toBe('one');
    const keys = await kv.range({ key: '/', rangeEnd: '\0', keysOnly: true, limit: 2 });
    expect(keys).toMatchObject({ count: 3, more: true });
    expect(keys.kvs.map((kv) => [kv.key, kv.value])).toEqual([
      ['/a/1', ''],
      ['/a/2', ''],
    ]);

    const del = await kv.deleteRange({ key: '/a/', rangeEnd: prefixEnd('/a/'), prevKv: true });
    expect(del).toMatchObject({ deleted: 2, header: { revision: 6 } });
    expect(del.prevKvs.map((kv) => kv.value)).toEqual(['uno', 'two']);
    expect((await kv.range({ key: '/', rangeEnd: '\0' })).count).toBe(1);

    // The worker's store persisted what was committed.
    await server.flush();
    expect((await storage.load())?.currentRev).toBe(6);
  });

  it('runs transactions, both branches', async () => {
    const { kv } = setup();
    await kv.put({ key: 'k', value: 'v1' });
    const ok = await kv.txn({
      compare: [{ key: 'k', target: 'value', result: '=', operand: 'v1' }],
      success: [{ put: { key: 'k', value: 'v2' } }, { range: { key: 'k' } }],
      failure: [],
    });
    expect(ok.succeeded).toBe(true);
    expect(ok.responses).toHaveLength(2);
    expect('range' in ok.responses[1] && ok.responses[1].range.kvs[0].value).toBe('v2');

    // flannel's "create if absent": version 0 fails on an existing key.
    const absent = await kv.txn({
      compare: [{ key: 'k', target: 'version', result: '=', operand: 0 }],
      success: [{ put: { key: 'k', value: 'mine' } }],
      failure: [{ range: { key: 'k' } }],
    });
    expect(absent.succeeded).toBe(false);
    expect('range' in absent.responses[0] && absent.responses[0].range.kvs[0].value).toBe('v2');
    expect(absent.header.revision).toBe(3);
  });

  it('grants, lists, keeps alive and revokes leases', async () => {
    const { kv, clock } = setup();
    const lease = await kv.leaseGrant(60);
    expect(lease.ttl).toBe(60);
    expect(lease.id).toBeGreaterThan(0);
    await kv.put({ key: '/lease/x', value: '1', lease: lease.id });
    expect((await kv.leaseList()).leases).toEqual([lease.id]);

    await clock.advance(20_000);
    const ttl = await kv.leaseTimeToLive(lease.id, true);
    expect(ttl).toMatchObject({ id: lease.id, ttl: 40, grantedTtl: 60, keys: ['/lease/x'] });
    expect((await kv.leaseTimeToLive(lease.id)).keys).toEqual([]);
    expect(await kv.leaseKeepAlive(lease.id)).toMatchObject({ id: lease.id, ttl: 60 });
    expect((await kv.leaseTimeToLive(lease.id)).ttl).toBe(60);

    await kv.leaseRevoke(lease.id);
    expect((await kv.range({ key: '/lease/x' })).kvs).toEqual([]);
    expect((await kv.leaseTimeToLive(lease.id)).ttl).toBe(-1);
    expect((await kv.leaseList()).leases).toEqual([]);
  });

  it('rethrows etcd errors as KvError with their code', async () => {
    const { kv } = setup();
    const revoke = kv.leaseRevoke(12345).catch((e: unknown) => e);
    const err = await revoke;
    expect(err).toBeInstanceOf(KvError);
    expect(err).toMatchObject({
      code: 'NotFound',
      message: 'etcdserver: requested lease not found',
    });
    await expect(kv.put({ key: '', value: 'x' })).rejects.toMatchObject({
      name: 'KvError',
      code: 'InvalidArgument',
      message: 'etcdserver: key is not provided',
    });
    await expect(kv.range({ key: 'a', revision: 99 })).rejects.toThrow(
      'etcdserver: mvcc: required revision is a future revision',
    );
    // A failed request changed nothing; the port still works.
    expect((await kv.status()).header.revision).toBe(1);
  });

  it('answers status and member list', async () => {
    const { kv } = setup();
    await kv.put({ key: 'a', value: 'b' });
    const status = await kv.status();
    expect(status).toMatchObject({
      version: '3.4.23',
      leader: '3319814642761637952',
      raftIndex: 5,
    });
    const members = await kv.memberList!();
    expect(members.members).toEqual([
      {
        id: '3319814642761637952',
        name: 'default',
        peerUrls: ['http://localhost:2380'],
        clientUrls: ['http://localhost:2379'],
        isLearner: false,
      },
    ]);
  });

  it('compacts, and a watch from a compacted revision is cancelled as etcd does', async () => {
    const { kv } = setup();
    for (let i = 0; i < 4; i++) await kv.put({ key: 'c', value: String(i) });
    await kv.compact(4);
    await expect(kv.range({ key: 'c', revision: 3 })).rejects.toMatchObject({
      code: 'OutOfRange',
      message: 'etcdserver: mvcc: required revision has been compacted',
    });
    const got: WatchResponse[] = [];
    kv.watch({ key: 'c', startRevision: 2 }, (res) => got.push(res));
    await waitFor(() => got.length === 1);
    expect(got[0]).toMatchObject({
      canceled: true,
      compactRevision: 4,
      cancelReason: 'etcdserver: mvcc: required revision has been compacted',
    });
  });

  it('delivers watch events from any host, until cancelled', async () => {
    const { kv, connect, live } = setup();
    const other = connect();
    const got: WatchResponse[] = [];
    const watcher = kv.watch({ key: '/w/', rangeEnd: prefixEnd('/w/'), prevKv: true }, (res) =>
      got.push(res),
    );
    await waitFor(() => live.watches === 1);

    await other.put({ key: '/w/1', value: 'a' });
    await other.put({ key: '/w/1', value: 'b' });
    await other.put({ key: '/elsewhere', value: 'x' });
    await other.deleteRange({ key: '/w/1' });
    await waitFor(() => got.length === 3);
    expect(got.map((r) => [r.header.revision, r.events.map((e) => e.type)])).toEqual([
      [2, ['PUT']],
      [3, ['PUT']],
      [5, ['DELETE']],
    ]);
    expect(got[1].events[0]).toMatchObject({ kv: { value: 'b' }, prevKv: { value: 'a' } });
    expect(got[2].events[0].kv).toMatchObject({ key: '/w/1', modRevision: 5, value: '' });

    watcher.cancel();
    // Events committed right after cancel() never reach the caller...
    await other.put({ key: '/w/2', value: 'late' });
    // ...and the cancel reaches the worker, which stops the watch there.
    await waitFor(() => live.watches === 0);
    await other.put({ key: '/w/3', value: 'later' });
    await drain();
    expect(got).toHaveLength(3);
    watcher.cancel(); // a second cancel is harmless
  });

  it('replays history for a watch with a start revision', async () => {
    const { kv } = setup();
    await kv.put({ key: 'h', value: '1' });
    await kv.put({ key: 'h', value: '2' });
    const got: WatchResponse[] = [];
    const watcher = kv.watch({ key: 'h', startRevision: 2 }, (res) => got.push(res));
    await waitFor(() => got.flatMap((r) => r.events).length === 2);
    expect(got.flatMap((r) => r.events.map((e) => e.kv.value))).toEqual(['1', '2']);
    watcher.cancel();
  });

  it('keeps each watch on its own: cancelling one leaves the other running', async () => {
    const { kv, live } = setup();
    const a: WatchResponse[] = [];
    const b: WatchResponse[] = [];
    const wa = kv.watch({ key: 'k' }, (res) => a.push(res));
    kv.watch({ key: 'k' }, (res) => b.push(res));
    await waitFor(() => live.watches === 2);
    wa.cancel();
    await waitFor(() => live.watches === 1);
    await kv.put({ key: 'k', value: 'v' });
    await waitFor(() => b.length === 1);
    await drain();
    expect(a).toEqual([]);
  });
});
