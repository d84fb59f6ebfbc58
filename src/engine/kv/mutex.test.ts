import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { createKvClient } from './client.ts';
import { prefixEnd } from './key-range.ts';
import { lockMutex } from './mutex.ts';
import { KvServer } from './server.ts';

const PREFIX = '/test/lock/';

function setup() {
  const clock = new ManualClock();
  const server = new KvServer({ clock });
  const kv = createKvClient(server);
  const keys = async () =>
    (await kv.range({ key: PREFIX, rangeEnd: prefixEnd(PREFIX) })).kvs.map((k) => k.key);
  return { clock, server, kv, keys };
}

/** Lets lab time pass in small steps until `promise` settles. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, maxMs = 60_000): Promise<T> {
  let done = false;
  const result = promise.finally(() => (done = true));
  const end = clock.now() + maxMs;
  while (!done && clock.now() < end) await clock.advance(10);
  return result;
}

describe('lockMutex (etcd concurrency.Mutex)', () => {
  it('serves 10 concurrent contenders one at a time, in arrival order', async () => {
    const { clock, kv, keys } = setup();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const contender = async (i: number) => {
      const hold = await lockMutex(kv, PREFIX, { clock });
      inside++;
      most = Math.max(most, inside);
      order.push(i);
      await clock.sleep(100 + 37 * (i % 3)); // work while holding, on the lab clock
      inside--;
      await hold.unlock();
    };
    await drive(clock, Promise.all(Array.from({ length: 10 }, (_, i) => contender(i))));
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await keys()).toEqual([]);
    expect((await kv.leaseList()).leases).toEqual([]);
  });

  it('puts <prefix><lease id hex> on a session lease, and keeps that lease alive', async () => {
    const { clock, kv } = setup();
    const hold = await drive(clock, lockMutex(kv, PREFIX, { clock, ttlSeconds: 10 }));
    expect(hold.key).toBe(`${PREFIX}${hold.leaseId.toString(16)}`);
    const [k] = (await kv.range({ key: hold.key })).kvs;
    expect(k.lease).toBe(hold.leaseId);
    await clock.advance(60_000); // six TTLs: only the keep-alive keeps it
    expect((await kv.leaseTimeToLive(hold.leaseId)).ttl).toBeGreaterThan(0);
    await hold.unlock();
    expect((await kv.leaseTimeToLive(hold.leaseId)).ttl).toBe(-1);
  });

  it('goes on once a dead holder’s lease expires', async () => {
    const { clock, kv } = setup();
    // A holder that died: its key is on a lease nobody renews.
    const { id } = await kv.leaseGrant(10);
    await kv.put({ key: `${PREFIX}${id.toString(16)}`, value: '', lease: id });
    let acquiredAt = 0;
    const start = clock.now();
    const hold = await drive(
      clock,
      lockMutex(kv, PREFIX, { clock }).then((h) => ((acquiredAt = clock.now()), h)),
    );
    expect(acquiredAt - start).toBeGreaterThanOrEqual(10_000);
    expect(acquiredAt - start).toBeLessThan(10_100);
    await hold.unlock();
  });

  it('gives up waiting when aborted, leaving no key and no lease behind', async () => {
    const { clock, kv, keys } = setup();
    const first = await drive(clock, lockMutex(kv, PREFIX, { clock }));
    const ctl = new AbortController();
    const waiting = lockMutex(kv, PREFIX, { clock, signal: ctl.signal });
    const outcome = waiting.then(
      () => 'acquired',
      (err: Error) => err.name,
    );
    await clock.advance(1000);
    expect(await keys()).toHaveLength(2);
    ctl.abort();
    expect(await drive(clock, outcome)).toBe('AbortError');
    expect(await keys()).toEqual([first.key]);
    expect((await kv.leaseList()).leases).toEqual([first.leaseId]);
    await first.unlock();
  });

  it('fails with "session expired" when its own lease is gone before its turn', async () => {
    const { clock, kv, keys } = setup();
    const first = await drive(clock, lockMutex(kv, PREFIX, { clock }));
    const waiting = lockMutex(kv, PREFIX, { clock }).then(
      () => 'acquired',
      (err: Error) => err.message,
    );
    await clock.advance(100);
    const [, second] = (await kv.range({ key: PREFIX, rangeEnd: prefixEnd(PREFIX) })).kvs;
    await kv.leaseRevoke(second.lease); // e.g. revoked by hand with etcdctl
    await first.unlock();
    expect(await drive(clock, waiting)).toBe('session expired');
    expect(await keys()).toEqual([]);
  });
});
