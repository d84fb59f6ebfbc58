// Labs for issue 3's acceptance: N hosts on one wire and one KV (a LocalLab), each booted as
// a flannel node (NIC, flanneld under systemd, pods through the CNI plugin).
import type { KvServer } from '../../src/engine/kv/server.ts';
import type { KvClient } from '../../src/engine/kv/types.ts';
import { ManualClock } from '../../src/engine/os/clock.ts';
import type { Host } from '../../src/engine/lab/host.ts';
import { LocalLab, seededRandom } from '../../src/engine/lab/local-lab.ts';
import {
  bootNode,
  defineFlanneld,
  ensureNetworkConfig,
  FLANNELD_UNIT,
  setUpNic,
  type Backend,
  type NetworkSpec,
} from '../../src/engine/lab/node-setup.ts';
import { kernelModule } from '../../src/engine/testing/kernel.ts';

/** The seeds' lease start: 2026-11-23 08:10:00 UTC. */
export const LAB_START = Date.UTC(2026, 10, 23, 8, 10, 0);

/** node1 -> 172.16.112.11, node2 -> .12, ... (one /24 underlay; 64 hosts fit). */
export function hostIp(i: number): string {
  return `172.16.112.${10 + i}`;
}

export function hostName(i: number): string {
  return `node${i}`;
}

export interface FlannelLab {
  lab: LocalLab;
  clock: ManualClock;
  server: KvServer;
  kv: KvClient;
  hosts: Host[];
}

/** A lab of real kernels on `kv` (no hosts yet), every choice drawn from `random`. */
export async function makeLocalLab(
  clock: ManualClock,
  kv: KvClient,
  random: () => number,
): Promise<LocalLab> {
  return LocalLab.create({ module: await kernelModule(), clock, kv, random });
}

/** An empty lab: the KV holds the network config, hosts are added with `addNodes`. */
export async function makeFlannelLab(net: NetworkSpec, seed = 7): Promise<FlannelLab> {
  const lab = LocalLab.create({
    module: await kernelModule(),
    clock: new ManualClock(LAB_START),
    random: seededRandom(seed),
  });
  await ensureNetworkConfig(lab.kv, net);
  return { lab, clock: lab.clock, server: lab.server!, kv: lab.kv, hosts: [] };
}

/** Adds hosts node<from>..node<from+count-1> and boots them all at once (pods after leases). */
export async function addNodes(
  fl: FlannelLab,
  count: number,
  pods = 1,
  from = fl.hosts.length + 1,
): Promise<Host[]> {
  const added: Host[] = [];
  for (let i = from; i < from + count; i++) {
    const host = await fl.lab.addHost({ hostname: hostName(i) });
    added.push(host);
    fl.hosts.push(host);
  }
  await fl.lab.drive(
    Promise.all(added.map((h, k) => bootNode(h, { eth0: `${hostIp(from + k)}/24`, pods }))),
  );
  return added;
}

/** A three-node lab for one backend, every node with one pod. */
export async function threeNodeLab(backend: Backend): Promise<FlannelLab> {
  const fl = await makeFlannelLab({ network: '10.244.0.0/16', backend });
  await addNodes(fl, 3);
  return fl;
}

/** Runs a shell line and fails loudly unless it exits 0. */
export function sh(fl: FlannelLab, host: string, line: string): Promise<string> {
  return fl.lab.sh(host, line);
}

/** The file flanneld wrote, as key -> value. */
export function subnetEnv(host: Host): Record<string, string> {
  const text = host.fs.readText('/run/flannel/subnet.env');
  const env: Record<string, string> = {};
  for (const line of text.split('\n'))
    if (line.includes('='))
      env[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  return env;
}

/** The pod's address on a host: the lease's .2 (the CNI's first allocation). */
export function podIp(host: Host): string {
  return subnetEnv(host).FLANNEL_SUBNET.replace(/\.1\/\d+$/, '.2');
}

/** The lease's network address, '10.244.X.0'. */
export function leaseNet(host: Host): string {
  return subnetEnv(host).FLANNEL_SUBNET.replace(/\.1\/\d+$/, '.0');
}

/** Pings once from pod1 on `from` to `ip`; returns the ttl seen, or undefined when lost. */
export async function podPing(
  fl: FlannelLab,
  from: string,
  ip: string,
): Promise<number | undefined> {
  const r = await fl.lab.run(from, `ip netns exec pod1 ping -c 1 -W 1 ${ip}`);
  const m = /ttl=(\d+)/.exec(r.stdout);
  return r.status === 0 && m ? Number(m[1]) : undefined;
}

/** What flanneld logged on a host, from the journal. */
export async function journal(fl: FlannelLab, host: string): Promise<string> {
  return (await fl.lab.run(host, 'journalctl -u flanneld --no-pager')).stdout;
}

/** NIC and flanneld only (no pods): for tests about leases alone. Does not wait. */
export async function addFlanneldHosts(fl: FlannelLab, count: number): Promise<Host[]> {
  const added: Host[] = [];
  for (let k = 0; k < count; k++) {
    const i = fl.hosts.length + 1;
    const host = await fl.lab.addHost({ hostname: hostName(i) });
    setUpNic(host, `${hostIp(i)}/24`);
    defineFlanneld(host);
    fl.hosts.push(host);
    added.push(host);
  }
  return added;
}

/**
 * Starts flanneld on every host at once, without the join lock bootNode takes, and lets lab
 * time pass until each is ready (READY=1, after subnet.env). A flanneld that lost a lease race
 * exits 1 ('subnet already exists', spec §1) and systemd's Restart=on-failure starts it again.
 * Returns how many restarts that took.
 */
export async function startAllAtOnce(
  fl: FlannelLab,
  hosts: Host[],
  maxMs = 120_000,
): Promise<number> {
  for (const h of hosts) h.services.start(FLANNELD_UNIT);
  await fl.lab.drive(Promise.all(hosts.map((h) => h.services.whenActive(FLANNELD_UNIT))), maxMs);
  const starts = hosts.flatMap((h) =>
    h.journal.entries.filter((e) => e.message.startsWith('Starting flanneld.service')),
  );
  return starts.length - hosts.length;
}

/**
 * Lets `ms` of lab time pass in 10 ms steps. ManualClock.advance settles a fixed number of
 * promise rounds per timer, so a long async chain (a lease list awaiting one TimeToLive per
 * key) with no timer due would stall; small steps keep it moving as real time would.
 */
export async function settleFor(fl: FlannelLab, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) await fl.clock.advance(Math.min(10, ms - t));
}
