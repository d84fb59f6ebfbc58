// The udp backend (pkg/backend/udp, proxy_amd64.c): TUN flannel0 plus a userspace proxy that
// carries raw IPv4 packets in UDP 8285. The proxy decrements TTL on send and on receive and
// answers packets for unknown subnets with ICMP net unreachable. Stopping it ends the data plane.

import { Errno, NetlinkError, ROOT_NS } from '../../kernel/types.ts';
import { formatIp4, formatIp4Net } from '../ip4.ts';
import type { Ip4Net } from '../ip4.ts';
import type { Lease, LeaseAttrs } from '../lease.ts';
import type { LeaseEvent } from '../registry.ts';
import type { BackendContext, BackendNetwork } from './common.ts';

const UDP_OVERHEAD = 28;
export const UDP_BACKEND_PORT = 8285;

/** RFC 1071 one's complement sum over `data`. */
export function internetChecksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.length % 2 === 1) sum += data[data.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function readIp(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

function writeIp(b: Uint8Array, off: number, ip: number): void {
  b[off] = ip >>> 24;
  b[off + 1] = (ip >>> 16) & 255;
  b[off + 2] = (ip >>> 8) & 255;
  b[off + 3] = ip & 255;
}

/** Decrements TTL in place and refreshes the header checksum; false when the packet must die. */
export function decrementTtl(packet: Uint8Array): boolean {
  if (packet.length < 20 || packet[0] >> 4 !== 4) return false;
  const ihl = (packet[0] & 15) * 4;
  if (ihl < 20 || packet.length < ihl) return false;
  if (packet[8] <= 1) {
    packet[8] = 0;
    return false;
  }
  packet[8] -= 1;
  packet[10] = 0;
  packet[11] = 0;
  const sum = internetChecksum(packet.subarray(0, ihl));
  packet[10] = sum >> 8;
  packet[11] = sum & 255;
  return true;
}

/** ICMP destination net unreachable (type 3 code 0) from `src` about `packet`. */
export function netUnreachable(src: number, packet: Uint8Array): Uint8Array {
  const ihl = (packet[0] & 15) * 4;
  const quoted = packet.subarray(0, Math.min(packet.length, ihl + 8));
  const out = new Uint8Array(20 + 8 + quoted.length);
  out[0] = 0x45;
  out[2] = out.length >> 8;
  out[3] = out.length & 255;
  out[8] = 64;
  out[9] = 1;
  writeIp(out, 12, src);
  out.set(packet.subarray(12, 16), 16);
  const ipSum = internetChecksum(out.subarray(0, 20));
  out[10] = ipSum >> 8;
  out[11] = ipSum & 255;
  out[20] = 3;
  out[21] = 0;
  out.set(quoted, 28);
  const icmpSum = internetChecksum(out.subarray(20));
  out[22] = icmpSum >> 8;
  out[23] = icmpSum & 255;
  return out;
}

interface ProxyRoute {
  subnet: Ip4Net;
  peer: string;
}

export class UdpNetwork implements BackendNetwork {
  readonly mtu: number;
  private readonly tun: { fd: number; ifindex: number };
  private sock = -1;
  private routes: ProxyRoute[] = [];
  private tunIp = 0;
  private stopped = false;

  constructor(
    private readonly ctx: BackendContext,
    private readonly port = UDP_BACKEND_PORT,
  ) {
    this.mtu = ctx.ext.mtu - UDP_OVERHEAD;
    this.tun = ctx.kernel.tunOpen(ROOT_NS, 'flannel0', (packet) => this.fromTun(packet));
  }

  leaseAttrs(): LeaseAttrs {
    // The udp backend never sets BackendType.
    return { publicIP: this.ctx.ext.publicIP };
  }

  /**
   * configureIface: flannel0 gets the lease IP as a /32 (no broadcast routes; it is only a
   * source address for host-to-pod traffic) and an explicit route for the whole Network.
   */
  configure(lease: Lease): void {
    const { kernel, config, ext } = this.ctx;
    this.tunIp = lease.subnet.ip;
    kernel.addrAdd(ROOT_NS, {
      ifindex: this.tun.ifindex,
      local: formatIp4(lease.subnet.ip),
      prefixlen: 32,
    });
    kernel.linkSet(ROOT_NS, this.tun.ifindex, { mtu: this.mtu });
    kernel.linkSet(ROOT_NS, this.tun.ifindex, { up: true });
    try {
      kernel.routeAdd(ROOT_NS, {
        dst: formatIp4(config.network.ip),
        dstLen: config.network.prefixLen,
        oif: this.tun.ifindex,
        scope: 'global',
      });
    } catch (err) {
      // EEXIST is fine: a route for the Network may be there already.
      if (!(err instanceof NetlinkError && err.errno === Errno.EEXIST)) throw err;
    }
    this.sock = kernel.udpOpen(ROOT_NS, (data) => this.fromPeer(data));
    kernel.udpBind(this.sock, ext.ifaceAddr, this.port);
  }

  handleEvents(events: LeaseEvent[]): void {
    for (const ev of events) {
      const { lease } = ev;
      if (lease.attrs.backendType !== undefined && lease.attrs.backendType !== 'udp') {
        this.ctx.log.warning(
          'udp_network_amd64.go:175',
          `Ignoring non-udp subnet: type=${lease.attrs.backendType}`,
        );
        continue;
      }
      const sn = formatIp4Net(lease.subnet);
      this.routes = this.routes.filter((r) => formatIp4Net(r.subnet) !== sn);
      if (ev.type === 'added') {
        this.ctx.log.info('udp_network_amd64.go:180', `Subnet added: ${sn}`);
        this.routes.push({ subnet: lease.subnet, peer: lease.attrs.publicIP });
      } else {
        this.ctx.log.info('udp_network_amd64.go:189', `Subnet removed: ${sn}`);
      }
    }
  }

  private lookup(dst: number): ProxyRoute | undefined {
    return this.routes.find((r) => {
      const mask = r.subnet.prefixLen === 0 ? 0 : (0xffffffff << (32 - r.subnet.prefixLen)) >>> 0;
      return (dst & mask) >>> 0 === r.subnet.ip;
    });
  }

  /** A packet the kernel routed into flannel0: send it to the peer that leases its subnet. */
  private fromTun(data: Uint8Array): void {
    if (this.stopped || data.length < 20 || data[0] >> 4 !== 4) return;
    const packet = new Uint8Array(data);
    const route = this.lookup(readIp(packet, 16));
    if (!route) {
      const isIcmp = packet[9] === 1;
      const fragOffset = ((packet[6] & 0x1f) << 8) | packet[7];
      if (!isIcmp && fragOffset === 0)
        this.ctx.kernel.tunWrite(this.tun.fd, netUnreachable(this.tunIp, packet));
      return;
    }
    if (!decrementTtl(packet)) return;
    try {
      this.ctx.kernel.udpSend(this.sock, route.peer, this.port, packet);
    } catch {
      // like sendto() failing in the C proxy: the packet is dropped
    }
  }

  /** A datagram from a peer: the raw IP packet goes into flannel0. */
  private fromPeer(data: Uint8Array): void {
    if (this.stopped) return;
    const packet = new Uint8Array(data);
    if (!decrementTtl(packet)) return;
    this.ctx.kernel.tunWrite(this.tun.fd, packet);
  }

  /** flanneld exits: the TUN device (not persistent) and its route vanish with the fd. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.sock >= 0) this.ctx.kernel.close(this.sock);
    this.ctx.kernel.close(this.tun.fd);
  }
}
