// What turns a bare host into a flannel-networked Kubernetes node, in the order a real node
// does it: the NIC gets its address, systemd starts flanneld, flanneld leases a subnet and
// writes subnet.env, then kubelet asks the CNI plugin for each pod's network.

import { cniAdd, installConflist } from '../cni/cni.ts';
import { startFlanneld } from '../flannel/flanneld.ts';
import { ROOT_NS } from '../kernel/types.ts';
import { lockMutex } from '../kv/mutex.ts';
import type { MutexHold } from '../kv/mutex.ts';
import { prefixEnd } from '../kv/key-range.ts';
import type { KvClient } from '../kv/types.ts';
import { abortError } from '../os/clock.ts';
import type { Daemon, DaemonIO } from '../os/services.ts';
import { formatIpv4, ipv4OrThrow, prefixMask } from '../packet/ipaddr.ts';
import type { Host } from './host.ts';

import type { Backend } from './params.ts';

export type { Backend };

export interface NetworkSpec {
  network: string;
  subnetLen?: number;
  backend: Backend;
}

export interface NodeSpec {
  /** The NIC's address with its prefix, e.g. '172.16.112.133/24'. */
  eth0: string;
  /** Pods to start once flanneld is up. */
  pods: number;
  /** flanneld's flags after --iface; kube-flannel's DaemonSet passes --ip-masq (the default). */
  flanneldArgs?: string[];
}

export const FLANNELD_UNIT = 'flanneld';
const FLANNELD_BINARY = '/opt/bin/flanneld';

/** flannel's network config, as `etcdctl put /coreos.com/network/config` would hold it. */
export function networkConfigJson(spec: NetworkSpec): string {
  const config: Record<string, unknown> = { Network: spec.network };
  if (spec.subnetLen !== undefined) config.SubnetLen = spec.subnetLen;
  config.Backend = { Type: spec.backend };
  return JSON.stringify(config);
}

/** Writes the network config unless one is there already (a reloaded lab keeps its own). */
export async function ensureNetworkConfig(kv: KvClient, spec: NetworkSpec): Promise<void> {
  const key = '/coreos.com/network/config';
  await kv.txn({
    compare: [{ key, target: 'version', result: '=', operand: 0 }],
    success: [{ put: { key, value: networkConfigJson(spec) } }],
    failure: [],
  });
}

/**
 * Plugs in and configures the NIC, as the VM's network setup does before anything else. With a
 * gateway (a scenario's VM), the default route too, as the distribution's network config adds it.
 */
export function setUpNic(host: Host, cidr: string, name = 'eth0', gateway?: string): void {
  const { kernel } = host;
  const [address, len] = cidr.split('/');
  const eth0 = kernel.linkAdd(ROOT_NS, { name, kind: 'ether' });
  const prefixlen = Number(len);
  const broadcast = formatIpv4((ipv4OrThrow(address) | ~prefixMask(prefixlen)) >>> 0);
  kernel.addrAdd(ROOT_NS, {
    ifindex: eth0,
    local: address,
    prefixlen,
    ...(gateway ? { broadcast } : {}),
  });
  kernel.linkSet(ROOT_NS, eth0, { up: true });
  if (gateway)
    kernel.routeAdd(ROOT_NS, {
      dst: '0.0.0.0',
      dstLen: 0,
      gateway,
      oif: eth0,
      protocol: 'static',
      metric: 100,
    });
  // A Kubernetes node forwards (kubeadm's preflight insists) and loads br_netfilter.
  kernel.sysctlSet(ROOT_NS, 'net.ipv4.ip_forward', '1');
}

/** Defines the flanneld unit the way the flannel DaemonSet's container runs it. */
export const DEFAULT_FLANNELD_ARGS = ['--ip-masq'];

export function defineFlanneld(host: Host, extraArgs: string[] = DEFAULT_FLANNELD_ARGS): void {
  const argv = [FLANNELD_BINARY, '--iface=eth0', ...extraArgs];
  host.services.define({
    name: FLANNELD_UNIT,
    description: 'Flanneld overlay address etcd agent',
    execStart: argv,
    type: 'notify',
    restartOnFailureMs: FLANNELD_RESTART_MS,
    run: (io) => runFlanneld(host, argv, io),
  });
}

/** flanneld as a unit's main process on `host`, its log and sd_notify going to systemd. */
export function runFlanneld(host: Host, argv: string[], io: DaemonIO): Daemon {
  return startFlanneld(
    {
      kernel: host.kernel,
      kv: host.kv,
      fs: host.fs,
      clock: host.clock,
      hostname: host.hostname,
      log: io.log,
      stdout: io.stdout,
      random: host.random,
      pid: io.pid,
      notify: io.notify,
    },
    argv,
  );
}

/** flanneld.service's `RestartSec=`: a flanneld that exits 1 (a lost lease race, 'subnet
 * already exists') is started again by systemd's `Restart=on-failure`. */
export const FLANNELD_RESTART_MS = 5_000;

/**
 * The playground's own etcd mutex (not flannel's: flannel has none). Nodes joining the lab take
 * it from "start flanneld" until their lease is in etcd, so they lease subnets one at a time as
 * nodes joining a real cluster do, instead of racing for the same random subnet.
 */
export const JOIN_LOCK_PREFIX = '/playground/join-lock/';
/** How long a node waits for the join lock (lab time) before booting without it. */
export const JOIN_LOCK_WAIT_MS = 30_000;

/**
 * Takes the join lock, or gives up quietly after JOIN_LOCK_WAIT_MS (a wedged holder) or on a KV
 * error: the lock only spares flanneld restarts, flannel stays correct without it.
 * Returns undefined when booting without the lock.
 */
async function takeJoinLock(
  kv: KvClient,
  host: Host,
  signal?: AbortSignal,
): Promise<MutexHold | undefined> {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const cancelTimer = host.clock.setTimer(JOIN_LOCK_WAIT_MS, () => ctl.abort());
  try {
    return await lockMutex(kv, JOIN_LOCK_PREFIX, { clock: host.clock, signal: ctl.signal });
  } catch {
    if (signal?.aborted) throw abortError();
    return undefined;
  } finally {
    cancelTimer();
    signal?.removeEventListener('abort', onAbort);
  }
}

const DEFAULT_ETCD_PREFIX = '/coreos.com/network';

/**
 * Watches flannel's subnets for a lease whose PublicIP is this node's: `taken` resolves when
 * flanneld has created (or renewed) it. Watches from the current revision, read first, so a
 * lease put while the watch is being set up is not missed.
 */
async function watchOwnLease(
  kv: KvClient,
  spec: NodeSpec,
): Promise<{ taken: Promise<void>; cancel: () => void }> {
  const flag = spec.flanneldArgs?.find((a) => /^--?etcd-prefix=/.test(a));
  const prefix = `${flag ? flag.slice(flag.indexOf('=') + 1) : DEFAULT_ETCD_PREFIX}/subnets/`;
  const publicIp = spec.eth0.split('/')[0];
  const { header } = await kv.range({ key: prefix, rangeEnd: prefixEnd(prefix), countOnly: true });
  let watcher: { cancel(): void } | undefined;
  const taken = new Promise<void>((resolve) => {
    watcher = kv.watch(
      { key: prefix, rangeEnd: prefixEnd(prefix), startRevision: header.revision + 1 },
      (res) => {
        const mine = res.events.some(
          (e) => e.type === 'PUT' && publicIpOf(e.kv.value) === publicIp,
        );
        if (mine) resolve();
      },
    );
  });
  return { taken, cancel: () => watcher?.cancel() };
}

/**
 * A node leaves the cluster (its VM switched off for good): the etcd leases of its subnets are
 * revoked, as when their TTL runs out, so every other flanneld sees the DELETE and removes its
 * routes, neighbour and FDB entries for the node. Resolves to the subnet keys that went.
 */
export async function revokeNodeLeases(
  kv: KvClient,
  eth0: string,
  etcdPrefix = DEFAULT_ETCD_PREFIX,
): Promise<string[]> {
  const prefix = `${etcdPrefix}/subnets/`;
  const publicIp = eth0.split('/')[0];
  const { kvs } = await kv.range({ key: prefix, rangeEnd: prefixEnd(prefix) });
  const mine = kvs.filter((k) => publicIpOf(k.value) === publicIp);
  for (const k of mine) {
    // A reservation (a key without a lease) is the operator's: it stays.
    if (k.lease !== 0) await kv.leaseRevoke(k.lease);
  }
  return mine.filter((k) => k.lease !== 0).map((k) => k.key);
}

function publicIpOf(value: string): string | undefined {
  try {
    const attrs = JSON.parse(value) as { PublicIP?: unknown };
    return typeof attrs.PublicIP === 'string' ? attrs.PublicIP : undefined;
  } catch {
    return undefined;
  }
}

/** kubelet's part: a namespace per pod, networked by the CNI plugin. Returns the pods' names. */
export function startPods(host: Host, count: number): string[] {
  installConflist(host.fs);
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `pod${i}`;
    if (host.kernel.netnsList().includes(name)) continue; // already networked
    host.kernel.netnsAdd(name);
    // The runtime's loopback plugin runs before the network's: the pod's lo is up.
    host.kernel.linkSet(name, host.kernel.linkGet(name, 'lo').ifindex, { up: true });
    cniAdd(
      { kernel: host.kernel, fs: host.fs, random: host.random },
      { containerId: `${host.hostname}-${name}`, netns: name },
    );
    names.push(name);
  }
  return names;
}

/**
 * Resolves once flanneld is ready. Through automatic restarts, and past a stop by hand too:
 * kubelet keeps retrying the pods until someone starts flanneld again.
 */
export async function flanneldReady(host: Host, signal?: AbortSignal): Promise<void> {
  const { services } = host;
  while (!(await services.whenActive(FLANNELD_UNIT, signal))) {
    await new Promise<void>((resolve, reject) => {
      const done = (settle: () => void) => {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => done(() => reject(abortError()));
      const unsubscribe = services.subscribe(() => {
        const state = services.status(FLANNELD_UNIT)?.state;
        if (state === 'active' || state === 'activating') done(resolve);
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * Starts the defined flanneld unit under the join lock, held until this node's lease is in
 * etcd or flanneld's first attempt ends.
 */
export async function startFlanneldJoined(
  host: Host,
  spec: NodeSpec,
  signal?: AbortSignal,
): Promise<void> {
  const lock = host.kv ? await takeJoinLock(host.kv, host, signal) : undefined;
  let leased: Awaited<ReturnType<typeof watchOwnLease>> | undefined;
  try {
    // Without the watch (etcd gone), the lock is simply held for flanneld's first attempt.
    if (lock && host.kv) leased = await watchOwnLease(host.kv, spec).catch(() => undefined);
    if (signal?.aborted) throw abortError();
    host.services.start(FLANNELD_UNIT);
    // Held until this node's lease is in etcd (the race is over then; the rest of flanneld's
    // start-up needs no lock), or flanneld's first attempt ends: a lease it cannot get (out of
    // subnets) would otherwise keep every other node waiting.
    const attempt = host.services.whenActive(FLANNELD_UNIT, signal, { throughRestarts: false });
    await (leased ? Promise.race([leased.taken, attempt]) : attempt);
  } finally {
    leased?.cancel();
    await lock?.unlock();
  }
}

/**
 * The whole boot: NIC, flanneld (under the join lock), then pods once flanneld is ready.
 * Rejects with an AbortError when `signal` fires.
 */
export async function bootNode(host: Host, spec: NodeSpec, signal?: AbortSignal): Promise<void> {
  setUpNic(host, spec.eth0);
  defineFlanneld(host, spec.flanneldArgs);
  await startFlanneldJoined(host, spec, signal);
  await flanneldReady(host, signal);
  startPods(host, spec.pods);
}
