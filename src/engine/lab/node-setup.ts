// What turns a bare host into a flannel-networked Kubernetes node, in the order a real node
// does it: the NIC gets its address, systemd starts flanneld, flanneld leases a subnet and
// writes subnet.env, then kubelet asks the CNI plugin for each pod's network.

import { cniAdd, installConflist, SUBNET_ENV_PATH } from '../cni/cni.ts';
import { startFlanneld } from '../flannel/flanneld.ts';
import { ROOT_NS } from '../kernel/types.ts';
import type { KvClient } from '../kv/types.ts';
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

/** Plugs in and configures the NIC, as the VM's network setup does before anything else. */
export function setUpNic(host: Host, cidr: string): void {
  const { kernel } = host;
  const [address, len] = cidr.split('/');
  const eth0 = kernel.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether' });
  kernel.addrAdd(ROOT_NS, { ifindex: eth0, local: address, prefixlen: Number(len) });
  kernel.linkSet(ROOT_NS, eth0, { up: true });
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
    restartOnFailureMs: FLANNELD_RESTART_MS,
    run: (io) =>
      startFlanneld(
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
        },
        argv,
      ),
  });
}

/** flanneld.service's `RestartSec=`: a flanneld that exits 1 (a lost lease race, 'subnet
 * already exists') is started again by systemd's `Restart=on-failure`. */
export const FLANNELD_RESTART_MS = 5_000;

/** Resolves once flanneld has written subnet.env (systemd restarts it if it fails). */
export async function waitForSubnetEnv(host: Host, signal?: AbortSignal): Promise<void> {
  while (!host.fs.exists(SUBNET_ENV_PATH)) await host.clock.sleep(25, signal);
}

/** kubelet's part: a namespace per pod, networked by the CNI plugin. Returns the pods' names. */
export function startPods(host: Host, count: number): string[] {
  installConflist(host.fs);
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `pod${i}`;
    if (host.kernel.netnsList().includes(name)) continue; // already networked
    host.kernel.netnsAdd(name);
    cniAdd(
      { kernel: host.kernel, fs: host.fs, random: host.random },
      { containerId: `${host.hostname}-${name}`, netns: name },
    );
    names.push(name);
  }
  return names;
}

/** The whole boot: NIC, flanneld, then pods once the subnet is known. */
export async function bootNode(host: Host, spec: NodeSpec, signal?: AbortSignal): Promise<void> {
  setUpNic(host, spec.eth0);
  defineFlanneld(host, spec.flanneldArgs);
  host.services.start(FLANNELD_UNIT);
  await waitForSubnetEnv(host, signal);
  startPods(host, spec.pods);
}
