// The KvClient over a real etcd (Debian's etcd-server 3.4, three members on loopback): the same
// answers and errors as the embedded KV, failover across the endpoints, watch resumption.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdGateway } from '../../src/engine/kv/etcd-gateway.ts';
import { prefixEnd } from '../../src/engine/kv/key-range.ts';
import { KvError, type KvClient, type WatchResponse } from '../../src/engine/kv/types.ts';
import { seededRandom } from '../../src/engine/lab/local-lab.ts';
import { EtcdCluster, etcdInstalled } from './etcd-cluster.ts';

const realTimer = (ms: number, fn: () => void) => {
  const id = setTimeout(fn, ms);
  return () => clearTimeout(id);
};

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await wait(20);
  }
}

async function rejection(p: Promise<unknown>): Promise<KvError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KvError) return err;
    throw err;
  }
  throw new Error('expected a KvError');
}

describe.skipIf(!etcdInstalled())('etcd gateway client against a 3-member etcd', () => {
  const cluster = new EtcdCluster({ size: 3, basePort: 24300 });
  let kv: KvClient & { close(): void };

  beforeAll(async () => {
    await cluster.start();
    kv = createEtcdGateway({
      endpoints: cluster.endpoints,
      fetch,
      setTimer: realTimer,
      random: seededRandom(3),
      requestTimeoutMs: 3_000,
    });
  }, 30_000);
  afterAll(async () => {
    kv?.close();
    await cluster.destroy();
  });

  it('puts, ranges and deletes UTF-8 keys and values (base64 on the wire)', async () => {
    const put = await kv.put({ key: '/t/kv/ключ', value: 'значение ✓' });
    expect(put.header.revision).toBeGreaterThan(1);
    const got = await kv.range({ key: '/t/kv/', rangeEnd: prefixEnd('/t/kv/') });
    expect(got.count).toBe(1);
    expect(got.kvs[0]).toMatchObject({ key: '/t/kv/ключ', value: 'значение ✓', version: 1 });
    // Debian's etcdctl reads the same bytes.
    expect(cluster.etcdctl(['get', '/t/kv/ключ', '--print-value-only']).stdout).toBe(
      'значение ✓\n',
    );
    const del = await kv.deleteRange({ key: '/t/kv/ключ', prevKv: true });
    expect(del.deleted).toBe(1);
    expect(del.prevKvs[0].value).toBe('значение ✓');
    expect((await kv.range({ key: '/t/kv/ключ' })).kvs).toEqual([]);
  });

  it('runs a txn with compares, like flannel claiming a subnet', async () => {
    const claim = () =>
      kv.txn({
        compare: [{ key: '/t/txn/a', target: 'version', result: '=', operand: 0 }],
        success: [{ put: { key: '/t/txn/a', value: 'mine' } }],
        failure: [{ range: { key: '/t/txn/a' } }],
      });
    expect((await claim()).succeeded).toBe(true);
    const second = await claim();
    expect(second.succeeded).toBe(false);
    expect(second.responses[0]).toMatchObject({ range: { kvs: [{ value: 'mine' }] } });
    const byValue = await kv.txn({
      compare: [{ key: '/t/txn/a', target: 'value', result: '=', operand: 'mine' }],
      success: [{ deleteRange: { key: '/t/txn/a' } }],
      failure: [],
    });
    expect(byValue.succeeded).toBe(true);
    expect(byValue.responses[0]).toMatchObject({ deleteRange: { deleted: 1 } });
  });

  it('grants, keeps alive, reads and revokes leases with etcd errors', async () => {
    const grant = await kv.leaseGrant(60);
    expect(Number.isSafeInteger(grant.id)).toBe(true);
    expect(grant.ttl).toBe(60);
    await kv.put({ key: '/t/lease/k', value: 'v', lease: grant.id });
    const hex = grant.id.toString(16).padStart(16, '0'); // etcdctl's %016x
    expect(cluster.etcdctl(['lease', 'timetolive', hex, '--keys']).stdout).toMatch(
      new RegExp(
        `^lease ${hex} granted with TTL\\(60s\\), remaining\\(\\d+s\\), attached keys\\(\\[/t/lease/k\\]\\)`,
      ),
    );
    const ttl = await kv.leaseTimeToLive(grant.id, true);
    expect(ttl).toMatchObject({ id: grant.id, grantedTtl: 60, keys: ['/t/lease/k'] });
    expect((await kv.leaseKeepAlive(grant.id)).ttl).toBe(60);
    expect((await kv.leaseList()).leases).toContain(grant.id);
    expect((await kv.range({ key: '/t/lease/k' })).kvs[0].lease).toBe(grant.id);

    const exists = await rejection(kv.leaseGrant(60, grant.id));
    expect([exists.code, exists.message]).toEqual([
      'FailedPrecondition',
      'etcdserver: lease already exists',
    ]);
    await kv.leaseRevoke(grant.id);
    expect((await kv.range({ key: '/t/lease/k' })).kvs).toEqual([]);
    expect((await kv.leaseTimeToLive(grant.id)).ttl).toBe(-1);
    const gone = await rejection(kv.leaseKeepAlive(grant.id));
    expect([gone.code, gone.message]).toEqual([
      'NotFound',
      'etcdserver: requested lease not found',
    ]);
    const revoked = await rejection(kv.leaseRevoke(grant.id));
    expect(revoked.message).toBe('etcdserver: requested lease not found');
    // A lease another client granted may have a 63-bit ID: kept exact for keep-alive and revoke.
    const bigId = '7587866412962883075';
    await fetch(`${cluster.endpoints[0]}/v3/lease/grant`, {
      method: 'POST',
      body: JSON.stringify({ TTL: '30', ID: bigId }),
    });
    const foreign = (await kv.leaseList()).leases.find((id) => !Number.isSafeInteger(id));
    expect(foreign).toBe(Number(bigId));
    expect((await kv.leaseKeepAlive(foreign!)).ttl).toBe(30);
    expect(cluster.etcdctl(['lease', 'list']).stdout).toContain(BigInt(bigId).toString(16));
    await kv.leaseRevoke(foreign!);
  });

  it('lists and disarms alarms, and refuses a request over 1.5 MiB as the embedded KV does', async () => {
    expect((await kv.alarmList()).alarms).toEqual([]);
    expect((await kv.alarmDisarm()).alarms).toEqual([]);
    const err = await rejection(kv.put({ key: '/t/big', value: 'x'.repeat(1_600_000) }));
    expect({ code: err.code, message: err.message }).toEqual({
      code: 'InvalidArgument',
      message: 'etcdserver: request is too large',
    });
  });

  it('reports compaction and future revisions as etcd does, and cancels a compacted watch', async () => {
    const first = await kv.put({ key: '/t/compact', value: '1' });
    await kv.put({ key: '/t/compact', value: '2' });
    const last = await kv.put({ key: '/t/compact', value: '3' });
    await kv.compact(last.header.revision);
    const old = await rejection(kv.range({ key: '/t/compact', revision: first.header.revision }));
    expect([old.code, old.message]).toEqual([
      'OutOfRange',
      'etcdserver: mvcc: required revision has been compacted',
    ]);
    const future = await rejection(kv.range({ key: '/t/compact', revision: 1_000_000 }));
    expect(future.message).toBe('etcdserver: mvcc: required revision is a future revision');
    const responses: WatchResponse[] = [];
    kv.watch({ key: '/t/compact', startRevision: first.header.revision }, (r) => responses.push(r));
    await until(() => responses.length > 0);
    expect(responses[0]).toMatchObject({
      canceled: true,
      compactRevision: last.header.revision,
      cancelReason: 'etcdserver: mvcc: required revision has been compacted',
    });
    // A watch from a live revision, on the same stream, goes on.
    const live: string[] = [];
    kv.watch({ key: '/t/compact', startRevision: last.header.revision }, (r) =>
      live.push(...r.events.map((e) => e.kv.value)),
    );
    kv.watch({ key: '/t/compact', startRevision: first.header.revision }, () => {});
    await kv.put({ key: '/t/compact', value: '4' });
    await until(() => live.length === 2);
    expect(live).toEqual(['3', '4']);
  });

  it('watches from a revision with prevKv, as flanneld does', async () => {
    const start = (await kv.put({ key: '/t/w/a', value: '1' })).header.revision;
    await kv.put({ key: '/t/w/a', value: '2' });
    await kv.deleteRange({ key: '/t/w/a' });
    const seen: string[] = [];
    const w = kv.watch(
      { key: '/t/w/', rangeEnd: prefixEnd('/t/w/'), startRevision: start, prevKv: true },
      (r) => {
        for (const e of r.events)
          seen.push(
            `${e.type} ${e.kv.key}=${e.kv.value} prev=${e.prevKv?.value ?? '-'} @${e.kv.modRevision}`,
          );
      },
    );
    await until(() => seen.length === 3);
    await kv.put({ key: '/t/w/b', value: 'x' });
    await until(() => seen.length === 4);
    w.cancel();
    expect(seen).toEqual([
      `PUT /t/w/a=1 prev=- @${start}`,
      `PUT /t/w/a=2 prev=1 @${start + 1}`,
      `DELETE /t/w/a= prev=2 @${start + 2}`,
      `PUT /t/w/b=x prev=- @${start + 3}`,
    ]);
  });

  it('runs every watch on one stream (a browser has six connections per origin)', async () => {
    let open = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/v3/watch') || !res.body) return res;
      open++;
      most = Math.max(most, open);
      const reader = res.body.getReader();
      const body = new ReadableStream({
        async pull(ctl) {
          const { value, done } = await reader
            .read()
            .catch(() => ({ value: undefined, done: true }));
          if (done) {
            open--;
            ctl.close();
          } else ctl.enqueue(value);
        },
        cancel() {
          open--;
          return reader.cancel();
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const client = createEtcdGateway({
      endpoints: cluster.endpoints,
      fetch: counting,
      setTimer: realTimer,
      random: seededRandom(6),
    });
    const start = (await client.put({ key: '/t/many/0', value: 'a' })).header.revision;
    const seen = new Map<number, string[]>();
    const watchOne = (i: number) =>
      client.watch(
        { key: '/t/many/', rangeEnd: prefixEnd('/t/many/'), startRevision: start },
        (r) => {
          for (const e of r.events) seen.set(i, [...(seen.get(i) ?? []), e.kv.value]);
        },
      );
    for (let i = 0; i < 8; i++) watchOne(i);
    await until(() => seen.size === 8);
    await client.put({ key: '/t/many/1', value: 'b' });
    // A watch added later reopens the stream: the others neither lose nor repeat an event.
    watchOne(8);
    await client.put({ key: '/t/many/2', value: 'c' });
    await until(() => [...seen.values()].every((v) => v.length === 3) && seen.size === 9);
    await wait(200);
    for (const values of seen.values()) expect(values).toEqual(['a', 'b', 'c']);
    expect(most).toBeLessThanOrEqual(2); // a reopen may overlap the old stream closing
    client.close();
  });

  it('fails over when its member dies, and a watch resumes after its last revision', async () => {
    const seen: number[] = [];
    const reconnects: string[] = [];
    const client = createEtcdGateway({
      endpoints: cluster.endpoints,
      fetch,
      setTimer: realTimer,
      random: seededRandom(4),
      requestTimeoutMs: 5_000,
      onReconnect: (endpoint) => reconnects.push(endpoint),
    });
    const w = client.watch({ key: '/t/fail/', rangeEnd: prefixEnd('/t/fail/') }, (r) => {
      for (const e of r.events) seen.push(Number(e.kv.value));
    });
    await wait(300); // the watch is created
    for (let i = 0; i < 5; i++) await client.put({ key: '/t/fail/k', value: String(i) });
    await until(() => seen.length === 5);
    // The client is pinned to the first member; it dies (a put while the cluster elects a new
    // leader times out in etcd itself, so wait for the election).
    await cluster.stopMember(0);
    await cluster.waitHealthy();
    for (let i = 5; i < 10; i++) await client.put({ key: '/t/fail/k', value: String(i) });
    await until(() => seen.length === 10);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(reconnects[0]).toBe(cluster.endpoints[1]);
    w.cancel();
    client.close();
    cluster.startMember(0);
    await cluster.waitHealthy();
  }, 30_000);
});

describe.skipIf(!etcdInstalled())('etcd gateway watch progress', () => {
  const cluster = new EtcdCluster({
    size: 1,
    basePort: 24330,
    extraArgs: ['--experimental-watch-progress-notify-interval=300ms'],
  });
  beforeAll(() => cluster.start(), 30_000);
  afterAll(() => cluster.destroy());

  it('passes progress notices on (no events, the current revision) and resumes after them', async () => {
    const client = createEtcdGateway({
      endpoints: cluster.endpoints,
      fetch,
      setTimer: realTimer,
      random: seededRandom(8),
    });
    const rev = (await client.put({ key: '/p/other', value: 'x' })).header.revision;
    const responses: WatchResponse[] = [];
    client.watch({ key: '/p/mine', startRevision: rev + 1, progressNotify: true }, (r) =>
      responses.push(r),
    );
    // A watch that did not ask for them gets none (etcdctl watch without --progress-notify).
    const quiet: WatchResponse[] = [];
    client.watch({ key: '/p/quiet', startRevision: rev + 1 }, (r) => quiet.push(r));
    await until(() => responses.length > 0);
    expect(responses[0]).toMatchObject({ events: [], header: { revision: rev } });
    await client.put({ key: '/p/mine', value: '1' });
    // Another watch reopens the stream: the first one gets its event once.
    client.watch({ key: '/p/else' }, () => {});
    await until(() => responses.some((r) => r.events.length > 0));
    await wait(700);
    const values = responses.flatMap((r) => r.events.map((e) => e.kv.value));
    expect(values).toEqual(['1']);
    expect(quiet).toEqual([]);
    client.close();
  });
});
