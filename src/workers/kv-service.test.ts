import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKvStorage, type KvChanges, type KvStorage } from '../engine/kv/storage.ts';
import type { KvClient } from '../engine/kv/types.ts';
import { withAdvance, withSpeed, type ClockParams } from '../engine/os/realtime-clock.ts';
import { wrapKvPort } from './kv-remote.ts';
import { KvService } from './kv-service.ts';

const HOUR = 3_600_000;
const START: ClockParams = { labAtAnchor: Date.UTC(2026, 0, 1), sourceAtAnchor: 0, speed: 1 };

const ports: MessagePort[] = [];

afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** A KV worker's service over fake real time; `storages` stands in for IndexedDB. */
function setup(storages = new Map<string, KvStorage>()) {
  let real = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  const warnings: string[] = [];
  const service = new KvService({
    source: () => real,
    schedule: (fn, ms) => {
      const t = { at: real + ms, fn };
      timers.push(t);
      return () => (timers = timers.filter((x) => x !== t));
    },
    storage: (labId) => {
      if (!storages.has(labId)) storages.set(labId, new MemoryKvStorage());
      return storages.get(labId)!;
    },
    warn: (message) => warnings.push(message),
  });
  /** Real time passes: the real timers due by then fire. */
  const pass = (ms: number) => {
    real += ms;
    const due = timers.filter((t) => t.at <= real);
    timers = timers.filter((t) => t.at > real);
    for (const t of due) t.fn();
  };
  /** A host worker's KvClient, over its own port. */
  const connect = async (labId = 'lab1'): Promise<KvClient> => {
    const channel = new MessageChannel();
    ports.push(channel.port1, channel.port2);
    await service.connect(labId, channel.port1);
    return wrapKvPort(channel.port2);
  };
  return { service, storages, warnings, pass, connect, now: () => real };
}

describe('KvService (the KV worker)', () => {
  it('keeps everything committed across a reload', async () => {
    const first = setup();
    await first.service.open('lab1', START);
    const kv = await first.connect();
    await kv.put({ key: '/coreos.com/network/config', value: '{"Network":"10.244.0.0/16"}' });
    const lease = await kv.leaseGrant(86400);
    await kv.put({
      key: '/coreos.com/network/subnets/10.244.1.0-24',
      value: '{}',
      lease: lease.id,
    });
    await first.service.flush();

    // A reload: a new worker, the same IndexedDB.
    const second = setup(first.storages);
    await second.service.open('lab1', START);
    const again = await second.connect();
    const all = await again.range({ key: '/coreos.com/', rangeEnd: '/coreos.com0' });
    expect(all.kvs.map((kv) => kv.key)).toEqual([
      '/coreos.com/network/config',
      '/coreos.com/network/subnets/10.244.1.0-24',
    ]);
    expect(all.header.revision).toBe(3);
    expect(all.kvs[1].lease).toBe(lease.id);
    expect((await again.leaseTimeToLive(lease.id)).grantedTtl).toBe(86400);
    // Lease ids keep counting: none is handed out twice.
    expect((await again.leaseGrant(60)).id).not.toBe(lease.id);
  });

  it('keeps labs apart and refuses misuse', async () => {
    const { service, connect, storages } = setup();
    await expect(connect()).rejects.toThrow('the KV store is not open');
    await service.open('lab1', START);
    await service.open('lab1', START); // again: the same store
    await expect(service.open('lab2', START)).rejects.toThrow(
      'this KV worker serves lab lab1, not lab2',
    );
    await expect(connect('lab2')).rejects.toThrow('this KV worker serves lab lab1, not lab2');
    expect([...storages.keys()]).toEqual(['lab1']);
  });

  it('expires leases when the UI fast-forwards the lab clock', async () => {
    const { service, connect, now } = setup();
    await service.open('lab1', START);
    const kv = await connect();
    const lease = await kv.leaseGrant(86400);
    await kv.put({ key: '/subnet', value: 'x', lease: lease.id });

    let params = withAdvance(START, 23 * HOUR, now());
    service.setClock(params);
    expect((await kv.leaseTimeToLive(lease.id)).ttl).toBe(3600);
    expect((await kv.range({ key: '/subnet' })).count).toBe(1);

    params = withAdvance(params, 2 * HOUR, now());
    service.setClock(params);
    expect((await kv.range({ key: '/subnet' })).count).toBe(0);
    expect((await kv.leaseTimeToLive(lease.id)).ttl).toBe(-1);
    expect((await kv.leaseList()).leases).toEqual([]);
  });

  it('expires leases as real time passes at the lab speed', async () => {
    const { service, connect, pass, now } = setup();
    await service.open('lab1', START);
    const kv = await connect();
    const lease = await kv.leaseGrant(86400);
    await kv.put({ key: '/subnet', value: 'x', lease: lease.id });
    service.setClock(withSpeed(START, 3600, now())); // one lab hour per real second
    pass(23_000);
    expect((await kv.range({ key: '/subnet' })).count).toBe(1);
    pass(1_000);
    expect((await kv.range({ key: '/subnet' })).count).toBe(0);
  });

  it('expires a lease that ran out while the lab was closed', async () => {
    const first = setup();
    await first.service.open('lab1', START);
    const kv = await first.connect();
    const lease = await kv.leaseGrant(60);
    await kv.put({ key: '/gone', value: 'x', lease: lease.id });
    await first.service.flush();

    const second = setup(first.storages);
    await second.service.open('lab1', withAdvance(START, 61_000, 0));
    const again = await second.connect();
    second.pass(0); // its expiry timer (due now) fires on the next real tick
    expect((await again.range({ key: '/gone' })).count).toBe(0);
    expect((await again.leaseTimeToLive(lease.id)).ttl).toBe(-1);
  });

  it('runs unsaved, leaving the stored data alone, when storage cannot be read', async () => {
    const saved: KvChanges[] = [];
    const broken: KvStorage = {
      load: () => Promise.reject(new Error('IndexedDB is unavailable')),
      save: (s) => {
        saved.push(s);
        return Promise.resolve();
      },
    };
    const { service, connect, warnings } = setup(new Map([['lab1', broken]]));
    await service.open('lab1', START);
    const kv = await connect();
    await kv.put({ key: 'a', value: '1' });
    expect((await kv.range({ key: 'a' })).kvs[0].value).toBe('1');
    await service.flush();
    expect(saved).toEqual([]);
    expect(warnings).toEqual([
      'etcd: cannot read the stored data (IndexedDB is unavailable); changes will not be saved',
    ]);
  });
});
