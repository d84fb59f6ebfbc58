// Issue 15: a lab on a real etcd (Debian's etcd-server, three members on loopback) instead of
// the embedded KV. Debian's etcdctl sees flannel's keys and leases; with one member down the lab
// keeps working, with two down (quorum lost) flanneld reports its failed renewals and pods still
// talk; once the members are back everything recovers with no lease lost, no subnet twice.
//
// The lab clock runs at 1x here (driven by real time), as it must against a real etcd, whose
// leases expire on real time; only the 23 h wait before flanneld's renewal is jumped, which
// changes nothing in etcd (a lease renewal is a new grant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdGateway } from '../../src/engine/kv/etcd-gateway.ts';
import type { Host } from '../../src/engine/lab/host.ts';
import { seededRandom } from '../../src/engine/lab/local-lab.ts';
import { ManualClock } from '../../src/engine/os/clock.ts';
import { bootNode, ensureNetworkConfig } from '../../src/engine/lab/node-setup.ts';
import { EtcdCluster, etcdInstalled } from './etcd-cluster.ts';
import {
  hostIp,
  hostName,
  journal,
  LAB_START,
  leaseNet,
  makeLocalLab,
  podIp,
  podPing,
  type FlannelLab,
} from './flannel-lab.ts';

const SUBNETS = '/coreos.com/network/subnets/';
const HOUR = 3600_000;

const realTimer = (ms: number, fn: () => void) => {
  const id = setTimeout(fn, ms);
  return () => clearTimeout(id);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets `ms` of real time pass with the lab clock following it at 1x. */
async function realtime(clock: ManualClock, ms: number): Promise<void> {
  const end = performance.now() + ms;
  let last = performance.now();
  while (performance.now() < end) {
    await sleep(5);
    const now = performance.now();
    await clock.advance(now - last);
    last = now;
  }
}

/** Runs the lab at 1x until `promise` settles. */
async function driveReal<T>(clock: ManualClock, promise: Promise<T>, maxMs = 30_000): Promise<T> {
  let done = false;
  const result = promise.finally(() => (done = true));
  const end = performance.now() + maxMs;
  while (!done) {
    if (performance.now() > end) throw new Error('did not finish in time');
    await realtime(clock, 20);
  }
  return result;
}

describe.skipIf(!etcdInstalled())('a lab on a 3-member etcd cluster', () => {
  const cluster = new EtcdCluster({ size: 3, basePort: 24340 });
  let fl: FlannelLab & { kv: ReturnType<typeof createEtcdGateway> };

  const etcdctl = (...args: string[]) => {
    const r = cluster.etcdctl(args);
    if (r.status !== 0) throw new Error(`etcdctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** Subnet key -> the lease (decimal) it is attached to, as Debian's etcdctl sees them. */
  const subnetLeases = () => {
    const out = JSON.parse(etcdctl('get', '--prefix', SUBNETS, '-w', 'json')) as {
      kvs?: Array<{ key: string; lease?: number }>;
    };
    return new Map(
      (out.kvs ?? []).map((kv) => [Buffer.from(kv.key, 'base64').toString(), kv.lease ?? 0]),
    );
  };
  /** The subnet's etcd lease is alive, 24 h long, and holds that key alone. */
  const expectLeaseHolds = (key: string, lease: number) => {
    const hex = BigInt(lease).toString(16).padStart(16, '0');
    expect(etcdctl('lease', 'timetolive', hex, '--keys')).toMatch(
      new RegExp(
        `^lease ${hex} granted with TTL\\(86400s\\), remaining\\(\\d+s\\), attached keys\\(\\[${key}\\]\\)`,
      ),
    );
  };
  const addNode = async (i: number): Promise<Host> => {
    const host = await fl.lab.addHost({ hostname: hostName(i) });
    fl.hosts.push(host);
    await driveReal(fl.clock, bootNode(host, { eth0: `${hostIp(i)}/24`, pods: 1 }));
    return host;
  };
  /**
   * Pings every pod from every other, once each host has a route to every peer: a peer's
   * lease reaches flanneld through etcd's watch, in real time, while lab.run jumps the clock.
   */
  const pingAll = async () => {
    const peerRoutes = async (h: Host) =>
      (await fl.lab.run(h.hostname, 'ip route')).stdout
        .split('\n')
        .filter((l) => l.includes(' dev flannel.1 ')).length;
    for (let t = 0; ; t++) {
      const counts: number[] = [];
      for (const h of fl.hosts) counts.push(await peerRoutes(h));
      if (counts.every((n) => n === fl.hosts.length - 1)) break;
      expect(t, `peer routes per host: ${counts.join(' ')}`).toBeLessThan(50); // 10 s
      await realtime(fl.clock, 200);
    }
    for (const from of fl.hosts)
      for (const to of fl.hosts)
        if (from !== to) expect(await podPing(fl, from.hostname, podIp(to))).toBe(62); // two routers: the pod's host and the peer
  };

  beforeAll(async () => {
    await cluster.start();
    const clock = new ManualClock(LAB_START);
    const random = seededRandom(15);
    const kv = createEtcdGateway({
      endpoints: cluster.endpoints,
      fetch,
      setTimer: realTimer,
      random,
    });
    fl = {
      lab: await makeLocalLab(clock, kv, random),
      clock,
      kv,
      hosts: [],
      server: undefined as never,
    };
    await ensureNetworkConfig(kv, { network: '10.244.0.0/16', backend: 'vxlan' });
  }, 30_000);
  afterAll(async () => {
    fl?.kv.close();
    await cluster.destroy();
  });

  it('boots three hosts; Debian etcdctl sees flannel keys and leases', async () => {
    for (let i = 1; i <= 3; i++) await addNode(i);
    const leases = subnetLeases();
    expect([...leases.keys()].sort()).toEqual(
      fl.hosts.map((h) => `${SUBNETS}${leaseNet(h)}-24`).sort(),
    );
    for (const [key, lease] of leases) expectLeaseHolds(key, lease);
    const value = etcdctl('get', `${SUBNETS}${leaseNet(fl.hosts[0])}-24`, '--print-value-only');
    expect(JSON.parse(value)).toMatchObject({ PublicIP: hostIp(1), BackendType: 'vxlan' });
    await pingAll();
  }, 60_000);

  it('keeps working with one member down: leases renew, a new host joins', async () => {
    await cluster.stopMember(0);
    await cluster.waitHealthy();
    const before = subnetLeases();
    // Lab time to just before the renewal (expiry minus the 1 h margin), then 1x through it.
    await fl.clock.advance(23 * HOUR - 2_000);
    await realtime(fl.clock, 4_000);
    for (const h of fl.hosts)
      expect(await journal(fl, h.hostname)).toContain('Lease renewed, new expiration');
    const after = subnetLeases();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, lease] of after) expect(lease).not.toBe(before.get(key));
    await addNode(4);
    expect(subnetLeases().size).toBe(4);
    await pingAll();
  }, 60_000);

  it('loses quorum with two members down: renewals fail, the data path keeps working', async () => {
    await cluster.stopMember(1);
    await fl.clock.advance(23 * HOUR - 2_000);
    // etcd answers a write without quorum after its request timeout (5 s + 2 elections): a
    // lease grant with 'request timed out', a put with 'context deadline exceeded'.
    await realtime(fl.clock, 8_000);
    for (const h of fl.hosts)
      expect(await journal(fl, h.hostname)).toMatch(
        /Error renewing lease \(trying again in 1 min\): (etcdserver: request timed out|context deadline exceeded)\n/,
      );
    await pingAll();
  }, 60_000);

  it('recovers once the members are back: no lease lost, no subnet twice', async () => {
    cluster.startMember(0);
    cluster.startMember(1);
    await cluster.waitHealthy();
    // flanneld retries its renewal a minute after the failure.
    const renewedAgain = async () => {
      for (const h of fl.hosts) {
        const log = await journal(fl, h.hostname);
        if (log.lastIndexOf('Lease renewed') < log.lastIndexOf('Error renewing lease'))
          return false;
      }
      return true;
    };
    await fl.clock.advance(50_000);
    for (let t = 0; !(await renewedAgain()); t++) {
      expect(t).toBeLessThan(100); // 20 s
      await realtime(fl.clock, 200);
    }
    const leases = subnetLeases();
    expect(leases.size).toBe(4);
    expect(new Set(fl.hosts.map(leaseNet)).size).toBe(4);
    for (const [key, lease] of leases) expectLeaseHolds(key, lease);
    await addNode(5);
    expect(subnetLeases().size).toBe(5);
    await pingAll();
  }, 90_000);
});
