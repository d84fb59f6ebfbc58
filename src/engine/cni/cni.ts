// Pod networking as kubelet gets it from flannel's CNI plugin (flannel-io/cni-plugin), which
// delegates to the bridge plugin with host-local IPAM (containernetworking/plugins):
// cni0 with the subnet's .1 and FLANNEL_MTU, a veth pair into the pod, IPs from .2 upward.

import { ROOT_NS } from '../kernel/types.ts';
import type { KernelApi, LinkInfo, NsId } from '../kernel/types.ts';
import type { FileSystem } from '../os/fs-types.ts';
import { formatIp4, formatIp4Net, parseIp4, parseIp4Net } from '../flannel/ip4.ts';
import type { Ip4Net } from '../flannel/ip4.ts';
import { parseEnvFile } from '../flannel/subnet-env.ts';
import { attachVeth, broadcastOf, findLink, randomHex } from './veth.ts';

export const CONFLIST_PATH = '/etc/cni/net.d/10-flannel.conflist';
export const SUBNET_ENV_PATH = '/run/flannel/subnet.env';
const FLANNEL_STATE_DIR = '/var/lib/cni/flannel';
const IPAM_DIR = '/var/lib/cni/networks';
const BRIDGE = 'cni0';

/** kube-flannel.yml's cni-conf.json. */
export const FLANNEL_CONFLIST = `{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "flannel",
      "delegate": {
        "hairpinMode": true,
        "isDefaultGateway": true
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    }
  ]
}
`;

export class CniError extends Error {}

export interface CniContext {
  kernel: KernelApi;
  fs: FileSystem;
  random: () => number;
}

export interface CniRequest {
  containerId: string;
  /** The pod's network namespace (created by the caller, as kubelet does). */
  netns: NsId;
  ifName?: string;
}

export interface CniResult {
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  hostVeth: string;
}

/** Writes the conflist as the kube-flannel DaemonSet's install-cni container does. */
export function installConflist(fs: FileSystem): void {
  if (!fs.exists('/etc/cni/net.d')) fs.mkdir('/etc/cni/net.d', { recursive: true });
  fs.writeFile(CONFLIST_PATH, FLANNEL_CONFLIST);
}

interface NetConf {
  name: string;
  /** The conflist's, which the runtime puts into every plugin's config. */
  cniVersion?: string;
  delegate: Record<string, unknown>;
}

function readNetConf(fs: FileSystem): NetConf {
  if (!fs.exists(CONFLIST_PATH))
    throw new CniError(`open ${CONFLIST_PATH}: no such file or directory`);
  let conf: {
    name?: unknown;
    cniVersion?: unknown;
    plugins?: { type?: unknown; delegate?: unknown }[];
  };
  try {
    conf = JSON.parse(fs.readText(CONFLIST_PATH)) as typeof conf;
  } catch {
    throw new CniError(`error parsing configuration list: ${CONFLIST_PATH}`);
  }
  const plugin = (conf.plugins ?? []).find((p) => p.type === 'flannel');
  if (typeof conf.name !== 'string' || !plugin)
    throw new CniError('failed to load netconf: missing flannel plugin');
  const delegate =
    typeof plugin.delegate === 'object' && plugin.delegate !== null ? plugin.delegate : {};
  return {
    name: conf.name,
    ...(typeof conf.cniVersion === 'string' ? { cniVersion: conf.cniVersion } : {}),
    delegate: delegate as Record<string, unknown>,
  };
}

interface SubnetInfo {
  network: Ip4Net;
  subnet: Ip4Net;
  mtu: number;
  ipMasq: boolean;
}

/** loadFlannelSubnetEnv: every variable must be present. */
function readSubnetEnv(fs: FileSystem): SubnetInfo {
  if (!fs.exists(SUBNET_ENV_PATH))
    throw new CniError(`open ${SUBNET_ENV_PATH}: no such file or directory`);
  const vars = parseEnvFile(fs.readText(SUBNET_ENV_PATH));
  const network = parseIp4Net(vars.get('FLANNEL_NETWORK') ?? '');
  const subnetText = vars.get('FLANNEL_SUBNET') ?? '';
  const subnet = parseIp4Net(subnetText);
  const mtu = Number(vars.get('FLANNEL_MTU'));
  const ipMasq = vars.get('FLANNEL_IPMASQ');
  const missing: string[] = [];
  if (!network) missing.push('FLANNEL_NETWORK');
  if (!subnet) missing.push('FLANNEL_SUBNET');
  if (!Number.isInteger(mtu) || mtu <= 0) missing.push('FLANNEL_MTU');
  if (ipMasq === undefined) missing.push('FLANNEL_IPMASQ');
  if (missing.length > 0) throw new CniError(`${SUBNET_ENV_PATH} is missing ${missing.join(', ')}`);
  return { network: network!, subnet: subnet!, mtu, ipMasq: ipMasq === 'true' };
}

/** The delegate config the flannel plugin hands to bridge (saved under /var/lib/cni/flannel). */
export function delegateConfig(conf: NetConf, sn: SubnetInfo): Record<string, unknown> {
  const d: Record<string, unknown> = {
    ...conf.delegate,
    name: conf.name,
    type: conf.delegate.type ?? 'bridge',
  };
  d.ipMasq ??= !sn.ipMasq;
  d.mtu ??= sn.mtu;
  if (d.type === 'bridge') d.isGateway ??= true;
  if (conf.cniVersion !== undefined) d.cniVersion = conf.cniVersion;
  d.ipam = {
    type: 'host-local',
    ranges: [[{ subnet: formatIp4Net(sn.subnet) }]],
    routes: [{ dst: formatIp4Net(sn.network) }],
  };
  return d;
}

/**
 * JSON as Go's encoding/json writes a map[string]interface{}: keys sorted at every level (the
 * plugin marshals the delegate map to hand it on and to save it).
 */
export function goMapJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function ensureDir(fs: FileSystem, dir: string): void {
  if (!fs.exists(dir)) fs.mkdir(dir, { recursive: true });
}

/** host-local: next free IP after the last reserved one, .2 up to broadcast-1, skipping the gateway. */
function allocateIp(
  fs: FileSystem,
  network: string,
  subnet: Ip4Net,
  gateway: number,
  id: string,
  ifName: string,
): number {
  const dir = `${IPAM_DIR}/${network}`;
  ensureDir(fs, dir);
  // host-local's disk store takes a file lock here before it looks (disk/lock.go).
  if (!fs.exists(`${dir}/lock`)) fs.writeFile(`${dir}/lock`, '');
  const first = subnet.ip + 1;
  const last = subnet.ip + 2 ** (32 - subnet.prefixLen) - 2;
  const lastFile = `${dir}/last_reserved_ip.0`;
  const lastReserved = fs.exists(lastFile) ? parseIp4(fs.readText(lastFile).trim()) : undefined;
  const size = last - first + 1;
  const start =
    lastReserved !== undefined && lastReserved >= first && lastReserved <= last
      ? lastReserved + 1
      : first;
  for (let i = 0; i < size; i++) {
    const ip = first + ((start - first + i) % size);
    if (ip === gateway) continue;
    const file = `${dir}/${formatIp4(ip)}`;
    if (fs.exists(file)) continue;
    fs.writeFile(file, `${id}\r\n${ifName}`);
    fs.writeFile(lastFile, formatIp4(ip));
    return ip;
  }
  throw new CniError(
    `failed to allocate for range 0: no IP addresses available in range set: ${formatIp4(first)}-${formatIp4(last)}`,
  );
}

function releaseIps(fs: FileSystem, network: string, id: string, ifName: string): void {
  const dir = `${IPAM_DIR}/${network}`;
  if (!fs.exists(dir)) return;
  for (const name of fs.list(dir)) {
    if (name.startsWith('last_reserved_ip') || name === 'lock') continue;
    const text = fs.readText(`${dir}/${name}`).trim();
    const [owner, iface] = text.split(/\r?\n/);
    if (owner === id && (iface === undefined || iface === ifName)) fs.remove(`${dir}/${name}`);
  }
}

/** cni0 with the gateway address; refuses a bridge that already holds a different IPv4 address. */
function ensureBridge(
  kernel: KernelApi,
  mtu: number,
  gateway: string,
  prefixLen: number,
): LinkInfo {
  let br = findLink(kernel, ROOT_NS, BRIDGE);
  if (!br) {
    const ifindex = kernel.linkAdd(ROOT_NS, { name: BRIDGE, kind: 'bridge', mtu });
    br = kernel.linkGet(ROOT_NS, ifindex);
  } else if (br.kind !== 'bridge') {
    throw new CniError(
      `failed to create bridge "${BRIDGE}": ${BRIDGE} already exists but is not a bridge`,
    );
  }
  kernel.linkSet(ROOT_NS, br.ifindex, { up: true });
  const addrs = kernel.addrDump(ROOT_NS).filter((a) => a.ifindex === br.ifindex);
  const want = `${gateway}/${prefixLen}`;
  if (addrs.some((a) => `${a.local}/${a.prefixlen}` !== want))
    throw new CniError(`"${BRIDGE}" already has an IP address different from ${want}`);
  if (addrs.length === 0) {
    const broadcast = broadcastOf(parseIp4(gateway)!, prefixLen);
    kernel.addrAdd(ROOT_NS, {
      ifindex: br.ifindex,
      local: gateway,
      prefixlen: prefixLen,
      ...(broadcast ? { broadcast } : {}),
    });
  }
  return kernel.linkGet(ROOT_NS, br.ifindex);
}

function randomVethName(random: () => number): string {
  return `veth${randomHex(random, 8)}`;
}

/** CNI ADD through flannel -> bridge -> host-local. */
export function cniAdd(ctx: CniContext, req: CniRequest): CniResult {
  const { kernel, fs } = ctx;
  const ifName = req.ifName ?? 'eth0';
  if (!kernel.netnsList().includes(req.netns))
    throw new CniError(`failed to Statfs "/var/run/netns/${req.netns}": no such file or directory`);
  const conf = readNetConf(fs);
  const sn = readSubnetEnv(fs);
  const delegate = delegateConfig(conf, sn);
  ensureDir(fs, FLANNEL_STATE_DIR);
  fs.writeFile(`${FLANNEL_STATE_DIR}/${req.containerId}`, goMapJson(delegate));

  const mtu = delegate.mtu as number;
  const subnet = sn.subnet;
  const gatewayIp = subnet.ip + 1;
  const gateway = formatIp4(gatewayIp);
  const bridge = ensureBridge(kernel, mtu, gateway, subnet.prefixLen);

  const ip = allocateIp(fs, conf.name, subnet, gatewayIp, req.containerId, ifName);
  let hostVeth = randomVethName(ctx.random);
  while (findLink(kernel, ROOT_NS, hostVeth)) hostVeth = randomVethName(ctx.random);
  try {
    const pod = attachVeth(kernel, {
      bridge: bridge.ifindex,
      hostVeth,
      netns: req.netns,
      ifName,
      mtu,
      ip: formatIp4(ip),
      prefixLen: subnet.prefixLen,
      broadcast: broadcastOf(ip, subnet.prefixLen),
      hairpin: delegate.hairpinMode === true,
      arpNotify: true,
    });
    if (delegate.isDefaultGateway === true)
      kernel.routeAdd(req.netns, { dst: '0.0.0.0', dstLen: 0, gateway, oif: pod.ifindex });
    kernel.routeAdd(req.netns, {
      dst: formatIp4(sn.network.ip),
      dstLen: sn.network.prefixLen,
      gateway,
      oif: pod.ifindex,
    });
    if (delegate.isGateway === true) kernel.sysctlSet(ROOT_NS, 'net.ipv4.ip_forward', '1');
    return {
      ip: formatIp4(ip),
      prefixLen: subnet.prefixLen,
      gateway,
      mac: pod.address ?? '',
      hostVeth,
    };
  } catch (err) {
    releaseIps(fs, conf.name, req.containerId, ifName);
    const veth = findLink(kernel, ROOT_NS, hostVeth);
    if (veth) kernel.linkDel(ROOT_NS, veth.ifindex);
    throw err;
  }
}

/** CNI DEL: releases the IP and removes the veth pair; a missing namespace is not an error. */
export function cniDel(ctx: CniContext, req: CniRequest): void {
  const { kernel, fs } = ctx;
  const ifName = req.ifName ?? 'eth0';
  const conf = readNetConf(fs);
  releaseIps(fs, conf.name, req.containerId, ifName);
  if (kernel.netnsList().includes(req.netns)) {
    const pod = findLink(kernel, req.netns, ifName);
    if (pod) kernel.linkDel(req.netns, pod.ifindex);
  }
  const saved = `${FLANNEL_STATE_DIR}/${req.containerId}`;
  if (fs.exists(saved)) fs.remove(saved);
}
