// KV and flannel control-plane figures: puts/s and ranges/s against the in-process KvServer,
// and how long (real ms) a lease PUT takes to become a route on every one of 64 vxlan nodes
// (KV watch -> flanneld -> vxlan backend -> neighbour, FDB and route in the wasm kernel).
import { createKvClient } from '../src/engine/kv/client.ts';
import { prefixEnd } from '../src/engine/kv/key-range.ts';
import { KvServer } from '../src/engine/kv/server.ts';
import { MemoryKvStorage } from '../src/engine/kv/storage.ts';
import { ManualClock, settle } from '../src/engine/os/clock.ts';
import { ROOT_NS } from '../src/engine/kernel/types.ts';
import {
  addFlanneldHosts,
  makeFlannelLab,
  settleFor,
  startAllAtOnce,
} from '../tests/unit/flannel-lab.ts';

const PUTS = 20_000;
const RANGES = 20_000;
const WATCHERS = 64;
const SUBNETS = '/coreos.com/network/subnets/';

function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

async function benchPutsAndRanges(): Promise<Record<string, number>> {
  const kv = createKvClient(new KvServer({ clock: new ManualClock() }));
  const value = JSON.stringify({ PublicIP: '172.16.112.11', PublicIPv6: null });
  let t = performance.now();
  for (let i = 0; i < PUTS; i++) await kv.put({ key: `/bench/key-${i % 1000}`, value });
  const putMs = performance.now() - t;

  t = performance.now();
  for (let i = 0; i < RANGES; i++) await kv.range({ key: `/bench/key-${i % 1000}` });
  const rangeMs = performance.now() - t;

  // A flanneld's lease list: a prefix range over 64 leases.
  for (let i = 1; i <= WATCHERS; i++) await kv.put({ key: `${SUBNETS}10.244.${i}.0-24`, value });
  const lists = RANGES / 10;
  t = performance.now();
  for (let i = 0; i < lists; i++) await kv.range({ key: SUBNETS, rangeEnd: prefixEnd(SUBNETS) });
  const listMs = performance.now() - t;

  return {
    putsPerSec: perSecond(PUTS, putMs),
    rangesPerSec: perSecond(RANGES, rangeMs),
    prefixRanges64PerSec: perSecond(lists, listMs),
  };
}

/** 64 vxlan flanneld on one LocalLab; a new node's lease is PUT; real ms until all route it. */
async function benchLeaseFanOut(): Promise<Record<string, number>> {
  let t = performance.now();
  const fl = await makeFlannelLab({ network: '10.244.0.0/16', backend: 'vxlan' });
  const hosts = await addFlanneldHosts(fl, WATCHERS);
  const restarts = await startAllAtOnce(fl, hosts);
  await settleFor(fl, 2000);
  const bootMs = performance.now() - t;

  // A free subnet, claimed as flanneld claims one: a 24 h lease, then the key.
  const taken = new Set(
    (await fl.kv.range({ key: SUBNETS, rangeEnd: prefixEnd(SUBNETS) })).kvs.map((k) => k.key),
  );
  let third = 1;
  while (taken.has(`${SUBNETS}10.244.${third}.0-24`)) third++;
  const dst = `10.244.${third}.0`;
  const grant = await fl.kv.leaseGrant(86400);
  const podIp = `10.244.${third}.2`;
  /** One FIB lookup (cheaper than a dump, so the polling barely shows in the figure). */
  const routed = (i: number) => {
    try {
      return hosts[i].kernel.routeGet(ROOT_NS, podIp).gateway === dst;
    } catch {
      return false; // ENETUNREACH: no route yet (the nodes have no default route)
    }
  };

  t = performance.now();
  await fl.kv.put({
    key: `${SUBNETS}${dst}-24`,
    value: JSON.stringify({
      PublicIP: '172.16.112.200',
      PublicIPv6: null,
      BackendType: 'vxlan',
      BackendData: { VNI: 1, VtepMAC: '0e:00:00:00:00:c8' },
    }),
    lease: grant.id,
  });
  const pending = new Set(hosts.map((_, i) => i));
  let rounds = 0;
  while (pending.size > 0) {
    await settle(1);
    for (const i of pending) if (routed(i)) pending.delete(i);
    if (++rounds > 100_000) throw new Error('not every node programmed the route');
  }
  const fanOutMs = performance.now() - t;
  // What one polling pass over every node costs, to read the figure above against.
  t = performance.now();
  for (let i = 0; i < hosts.length; i++) routed(i);
  const pollMs = performance.now() - t;
  return {
    nodes: WATCHERS,
    bootMs: Math.round(bootMs),
    leaseRaceRestarts: restarts,
    leasePutToLastRouteMs: Number(fanOutMs.toFixed(3)),
    pollPassMs: Number(pollMs.toFixed(3)),
  };
}

const MANY_KEYS = 100_000;

/**
 * What persistence costs as the store grows (issue 16): 100,000 keys put one by one, each
 * commit saved (the storage keeps a JSON copy, as IndexedDB keeps a clone), and what a save
 * writes after five 1 MiB puts of one key.
 */
async function benchStoreGrowth(): Promise<Record<string, number>> {
  const storage = new MemoryKvStorage();
  const server = new KvServer({ clock: new ManualClock(), storage });
  const kv = createKvClient(server);
  const value = JSON.stringify({ PublicIP: '172.16.112.11', PublicIPv6: null });
  const heap = process.memoryUsage().heapUsed;
  const t = performance.now();
  for (let i = 0; i < MANY_KEYS; i++) await kv.put({ key: `/bench/many/${i}`, value });
  await server.flush();
  const manyMs = performance.now() - t;
  const heapMb = (process.memoryUsage().heapUsed - heap) / 1e6;
  const savedMb = storage.saveBytes.reduce((a, b) => a + b, 0) / 1e6;

  const big = new MemoryKvStorage();
  const bigServer = new KvServer({ clock: new ManualClock(), storage: big });
  const bigKv = createKvClient(bigServer);
  for (let i = 0; i < 5; i++) {
    await bigKv.put({ key: '/big', value: 'x'.repeat(1024 * 1024) });
    await bigServer.flush();
  }
  await bigKv.deleteRange({ key: '/big' });
  await bigServer.flush();
  return {
    put100kKeysMs: Math.round(manyMs),
    put100kKeysHeapMb: Math.round(heapMb),
    put100kKeysSavedMb: Math.round(savedMb),
    saveBytesFifthMiBPut: big.saveBytes[4],
    saveBytesAfterDelete: big.saveBytes[5],
  };
}

export async function benchKv(): Promise<Record<string, number>> {
  return {
    ...(await benchPutsAndRanges()),
    ...(await benchStoreGrowth()),
    ...(await benchLeaseFanOut()),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchKv());
