// Labs for issue 3's acceptance: N hosts on one wire and one KV, each booted as a flannel node
// (NIC, flanneld under systemd, pods through the CNI plugin) on the real wasm kernel.
import { Kernel } from '../../src/engine/kernel/kernel.ts';
import { loadKernelModule } from '../../src/engine/kernel/load-node.ts';
import type { KernelApi } from '../../src/engine/kernel/types.ts';
import { createKvClient } from '../../src/engine/kv/client.ts';
import { KvServer } from '../../src/engine/kv/server.ts';
import type { KvClient } from '../../src/engine/kv/types.ts';
import { ManualClock } from '../../src/engine/lab/clock.ts';
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
import { createStaticHostRegistry } from '../../src/engine/lab/programs-static.ts';

/** The seeds' lease start: 2026-11-23 08:10:00 UTC. */
export const LAB_START = Date.UTC(2026, 10, 23, 8, 10, 0);

/** node1 -> 172.16.112.11, node2 -> .12, ... (one /24 underlay; 64 hosts fit). */
export function hostIp(i: number): string {
  return `172.16.112.${10 + i}`;
}

export function hostName(i: number): string {
  return `node${i}`;
}

let modulePromise: Promise<WebAssembly.Module> | null = null;

/** A fresh real kernel (the module is compiled once per test file). */
export async function makeKernel(
  clock: ManualClock,
  random: () => number,
  hostname: string,
): Promise<KernelApi> {
  modulePromise ??= loadKernelModule();
  const module = await modulePromise;
  return Kernel.create({ module, clock, random, hostname });
}

export interface FlannelLab {
  lab: LocalLab;
  clock: ManualClock;
  server: KvServer;
  kv: KvClient;
  hosts: Host[];
}

/** A lab of real kernels on `kv` (no hosts yet), every choice drawn from `random`. */
export function makeLocalLab(clock: ManualClock, kv: KvClient, random: () => number): LocalLab {
  return LocalLab.create({
    clock,
    kv,
    random,
    makeRegistry: createStaticHostRegistry,
    makeKernel: (hostname, c) => makeKernel(c, random, hostname),
  });
}

/** An empty lab: the KV holds the network config, hosts are added with `addNodes`. */
export async function makeFlannelLab(net: NetworkSpec, seed = 7): Promise<FlannelLab> {
  const clock = new ManualClock(LAB_START);
  const server = new KvServer({ clock });
  const kv = createKvClient(server);
  const lab = makeLocalLab(clock, kv, seededRandom(seed));
  await ensureNetworkConfig(kv, net);
  return { lab, clock, server, kv, hosts: [] };
}

/** Lets lab time pass until `promise` settles (flanneld and the pods wait on the lab clock). */
export async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
  maxMs = 60_000,
): Promise<T> {
  let done = false;
  const result = promise.finally(() => (done = true));
  const deadline = clock.now() + maxMs;
  await clock.advance(0);
  while (!done) {
    if (clock.now() >= deadline) throw new Error('did not finish in lab time');
    await clock.advance(10);
  }
  return result;
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
  await drive(
    fl.clock,
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
export async function sh(fl: FlannelLab, host: string, line: string): Promise<string> {
  const r = await fl.lab.run(host, line);
  if (r.status !== 0) throw new Error(`${host}: ${line}: exit ${r.status}: ${r.output}`);
  return r.stdout;
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
  await drive(fl.clock, Promise.all(hosts.map((h) => h.services.whenActive(FLANNELD_UNIT))), maxMs);
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
