// The vxlan backend (pkg/backend/vxlan): flannel.<VNI> with a /32 address, and per peer an ARP
// entry, an FDB entry and an onlink route, written in that order with rollback on failure.

import { Errno, NetlinkError, ROOT_NS } from '../../kernel/types.ts';
import type { KernelApi, LinkInfo } from '../../kernel/types.ts';
import { formatIp4, formatIp4Net, netContains, parseIp4 } from '../ip4.ts';
import type { Lease, LeaseAttrs } from '../lease.ts';
import type { LeaseEvent } from '../registry.ts';
import { goErr, randomMac } from './common.ts';
import type { BackendContext, BackendNetwork } from './common.ts';

const ENCAP_OVERHEAD = 50;
const DEFAULT_PORT = 8472;

export interface VxlanOptions {
  vni: number;
  port: number;
  mtu: number;
  gbp: boolean;
  learning: boolean;
  directRouting: boolean;
}

function option(obj: Record<string, unknown>, name: string): unknown {
  for (const key of Object.keys(obj)) if (key.toLowerCase() === name.toLowerCase()) return obj[key];
  return undefined;
}

export function parseVxlanOptions(backend: Record<string, unknown>): VxlanOptions {
  const num = (name: string, dflt: number) => {
    const v = option(backend, name);
    return typeof v === 'number' ? v : dflt;
  };
  const bool = (name: string) => option(backend, name) === true;
  return {
    vni: num('VNI', 1),
    port: num('Port', 0),
    mtu: num('MTU', 0),
    gbp: bool('GBP'),
    learning: bool('Learning'),
    directRouting: bool('DirectRouting'),
  };
}

/**
 * Deletes the `flannel.<VNI>` devices an earlier vxlan flanneld left (all but `keep`), so a host
 * switched to another backend or VNI holds what a fresh one does. Real flannel leaves them (it
 * only recreates an incompatible flannel.<VNI> of its own); the kernel drops each device's
 * neighbours, FDB entries and routes with it.
 */
export function deleteVxlanDevices(kernel: KernelApi, keep?: string): void {
  for (const link of kernel.linkDump(ROOT_NS))
    if (link.kind === 'vxlan' && /^flannel\.\d+$/.test(link.name) && link.name !== keep)
      kernel.linkDel(ROOT_NS, link.ifindex);
}

export class VxlanNetwork implements BackendNetwork {
  readonly mtu: number;
  private readonly device: LinkInfo;
  private readonly mac: string;

  constructor(
    private readonly ctx: BackendContext,
    private readonly opts: VxlanOptions,
  ) {
    ctx.log.info(
      'vxlan.go:141',
      `VXLAN config: VNI=${opts.vni} Port=${opts.port} GBP=${opts.gbp} Learning=${opts.learning} DirectRouting=${opts.directRouting}`,
    );
    this.mtu = (opts.mtu || ctx.ext.mtu) - ENCAP_OVERHEAD;
    this.device = this.ensureDevice();
    this.mac = this.device.address ?? '';
  }

  get deviceName(): string {
    return `flannel.${this.opts.vni}`;
  }

  /** Reuses a compatible flannel.<VNI>, or (re)creates it with a MAC chosen before creation. */
  private ensureDevice(): LinkInfo {
    const { kernel, ext } = this.ctx;
    const port = this.opts.port || DEFAULT_PORT;
    let existing: LinkInfo | undefined;
    try {
      existing = kernel.linkGet(ROOT_NS, this.deviceName);
    } catch (err) {
      if (!(err instanceof NetlinkError && err.errno === Errno.ENODEV)) throw err;
    }
    if (existing) {
      const v = existing.vxlan;
      const problem =
        existing.kind !== 'vxlan' || !v
          ? 'not a vxlan device'
          : v.vni !== this.opts.vni
            ? `VNI ${v.vni} != ${this.opts.vni}`
            : v.dstport !== port
              ? `port ${v.dstport} != ${port}`
              : v.local !== ext.ifaceAddr
                ? `local ${v.local ?? '<nil>'} != ${ext.ifaceAddr}`
                : undefined;
      if (!problem) return existing;
      this.ctx.log.warning(
        'device.go:106',
        `"${this.deviceName}" already exists with incompatible configuration: ${problem}; recreating device`,
      );
      kernel.linkDel(ROOT_NS, existing.ifindex);
    }
    const ifindex = kernel.linkAdd(ROOT_NS, {
      name: this.deviceName,
      kind: 'vxlan',
      address: randomMac(this.ctx.random),
      mtu: this.mtu,
      vxlan: {
        vni: this.opts.vni,
        local: ext.ifaceAddr,
        dev: ext.ifindex,
        dstport: port,
        learning: this.opts.learning,
      },
    });
    return kernel.linkGet(ROOT_NS, ifindex);
  }

  leaseAttrs(): LeaseAttrs {
    return {
      publicIP: this.ctx.ext.publicIP,
      backendType: 'vxlan',
      backendData: { VNI: this.opts.vni, VtepMAC: this.mac },
    };
  }

  /** <lease IP>/32 on the device; other addresses inside the Network are removed first. */
  configure(lease: Lease): void {
    const { kernel, config } = this.ctx;
    const ifindex = this.device.ifindex;
    const want = formatIp4(lease.subnet.ip);
    let present = false;
    for (const a of kernel.addrDump(ROOT_NS)) {
      if (a.ifindex !== ifindex) continue;
      if (a.local === want && a.prefixlen === 32) present = true;
      else if (netContains(config.network, parseIp4(a.local) ?? 0))
        kernel.addrDel(ROOT_NS, { ifindex, local: a.local, prefixlen: a.prefixlen });
    }
    if (!present) kernel.addrAdd(ROOT_NS, { ifindex, local: want, prefixlen: 32 });
    kernel.linkSet(ROOT_NS, ifindex, { up: true });
  }

  handleEvents(events: LeaseEvent[]): void {
    for (const ev of events) {
      const { lease } = ev;
      if (lease.attrs.backendType !== 'vxlan') {
        this.ctx.log.warning(
          'vxlan_network.go:146',
          `ignoring non-vxlan v4Subnet(${formatIp4Net(lease.subnet)}) v6Subnet(::/0): type=${lease.attrs.backendType ?? ''}`,
        );
        continue;
      }
      if (ev.type === 'added') this.addPeer(lease);
      else this.removePeer(lease);
    }
  }

  private peerMac(attrs: LeaseAttrs): string | undefined {
    const mac = attrs.backendData?.VtepMAC;
    return typeof mac === 'string' ? mac.toLowerCase() : undefined;
  }

  /** DirectRouting: the peer is on our L2 segment when its route has no gateway. */
  private directlyReachable(publicIP: string): boolean {
    if (!this.opts.directRouting) return false;
    try {
      const r = this.ctx.kernel.routeGet(ROOT_NS, publicIP);
      return r.gateway === undefined && r.type === 'unicast';
    } catch {
      return false;
    }
  }

  private addPeer(lease: Lease): void {
    const { kernel, log } = this.ctx;
    const ifindex = this.device.ifindex;
    const dst = formatIp4(lease.subnet.ip);
    const dstLen = lease.subnet.prefixLen;
    if (this.directlyReachable(lease.attrs.publicIP)) {
      try {
        kernel.routeAdd(
          ROOT_NS,
          { dst, dstLen, gateway: lease.attrs.publicIP, oif: this.ctx.ext.ifindex },
          { replace: true },
        );
      } catch (err) {
        log.error(
          'vxlan_network.go:170',
          `Error adding route to ${formatIp4Net(lease.subnet)}: ${goErr(err)}`,
        );
      }
      return;
    }
    const mac = this.peerMac(lease.attrs);
    if (!mac) {
      log.error('vxlan_network.go:152', `error decoding subnet lease JSON: missing VtepMAC`);
      return;
    }
    try {
      kernel.neighAdd(
        ROOT_NS,
        { ifindex, dst, lladdr: mac, state: 'PERMANENT' },
        { replace: true },
      );
    } catch (err) {
      log.error('vxlan_network.go:181', `AddARP failed: ${goErr(err)}`);
      return;
    }
    try {
      kernel.fdbAdd(
        ROOT_NS,
        { ifindex, mac, dst: lease.attrs.publicIP, state: 'permanent' },
        { replace: true },
      );
    } catch (err) {
      log.error('vxlan_network.go:186', `AddFDB failed: ${goErr(err)}`);
      this.quietly(() => kernel.neighDel(ROOT_NS, { ifindex, dst }));
      return;
    }
    try {
      kernel.routeAdd(
        ROOT_NS,
        { dst, dstLen, gateway: dst, oif: ifindex, onlink: true },
        { replace: true },
      );
    } catch (err) {
      log.error(
        'vxlan_network.go:196',
        `failed to add vxlanRoute (${formatIp4Net(lease.subnet)} -> ${dst}): ${goErr(err)}`,
      );
      this.quietly(() => kernel.neighDel(ROOT_NS, { ifindex, dst }));
      this.quietly(() => kernel.fdbDel(ROOT_NS, { ifindex, mac, dst: lease.attrs.publicIP }));
    }
  }

  /** Each step is attempted whatever the previous one did. */
  private removePeer(lease: Lease): void {
    const { kernel, log } = this.ctx;
    const ifindex = this.device.ifindex;
    const dst = formatIp4(lease.subnet.ip);
    const dstLen = lease.subnet.prefixLen;
    if (this.directlyReachable(lease.attrs.publicIP)) {
      this.quietly(() => kernel.routeDel(ROOT_NS, { dst, dstLen, gateway: lease.attrs.publicIP }));
      return;
    }
    const mac = this.peerMac(lease.attrs);
    try {
      kernel.neighDel(ROOT_NS, { ifindex, dst });
    } catch (err) {
      log.error('vxlan_network.go:215', `DelARP failed: ${goErr(err)}`);
    }
    if (mac) {
      try {
        kernel.fdbDel(ROOT_NS, { ifindex, mac, dst: lease.attrs.publicIP });
      } catch (err) {
        log.error('vxlan_network.go:219', `DelFDB failed: ${goErr(err)}`);
      }
    }
    try {
      kernel.routeDel(ROOT_NS, { dst, dstLen, gateway: dst, oif: ifindex });
    } catch (err) {
      log.error(
        'vxlan_network.go:223',
        `failed to delete vxlanRoute (${formatIp4Net(lease.subnet)} -> ${dst}): ${goErr(err)}`,
      );
    }
  }

  private quietly(fn: () => void): void {
    try {
      fn();
    } catch {
      // rollback is best effort, as in flannel
    }
  }

  stop(): void {
    // vxlan leaves its device, neighbours, FDB entries and routes in place.
  }
}
