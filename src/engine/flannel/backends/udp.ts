// The udp backend (pkg/backend/udp, proxy_amd64.c): TUN flannel0 plus a userspace proxy that
// carries raw IPv4 packets in UDP 8285. The proxy decrements TTL on send and on receive and
// answers packets for unknown subnets with ICMP net unreachable. Stopping it ends the data plane.

import { Errno, NetlinkError, ROOT_NS } from '../../kernel/types.ts';
import { IcmpRepr, UnreachableCode } from '../../packet/icmp.ts';
import { PacketError } from '../../packet/errors.ts';
import { IPV4_MIN_HEADER_LEN, IpProtocol, Ipv4Packet, Ipv4Repr } from '../../packet/ipv4.ts';
import { formatIp4, formatIp4Net, netContains } from '../ip4.ts';
import type { Ip4Net } from '../ip4.ts';
import type { Lease, LeaseAttrs } from '../lease.ts';
import type { LeaseEvent } from '../registry.ts';
import type { BackendContext, BackendNetwork } from './common.ts';

const UDP_OVERHEAD = 28;
export const UDP_BACKEND_PORT = 8285;

/** Decrements TTL in place and refreshes the header checksum; false when the packet must die. */
export function decrementTtl(packet: Uint8Array): boolean {
  let ip: Ipv4Packet;
  try {
    ip = Ipv4Packet.checkedHeader(packet);
  } catch (err) {
    if (err instanceof PacketError) return false;
    throw err;
  }
  if (ip.ttl <= 1) {
    ip.setTtl(0);
    return false;
  }
  ip.setTtl(ip.ttl - 1);
  ip.fillChecksum();
  return true;
}

/** ICMP destination net unreachable (type 3 code 0) from `src` about `packet`. */
export function netUnreachable(src: number, packet: Uint8Array): Uint8Array {
  const offending = Ipv4Packet.unchecked(packet);
  const original = packet.subarray(0, Math.min(packet.length, offending.headerLen + 8));
  const icmp: IcmpRepr = {
    kind: 'destUnreachable',
    code: UnreachableCode.NET,
    nextHopMtu: 0,
    original,
  };
  const ip = Ipv4Repr.plain({
    src: formatIp4(src),
    dst: offending.srcText,
    protocol: IpProtocol.ICMP,
    ttl: 64,
    payloadLen: IcmpRepr.bufferLen(icmp),
  });
  const out = new Uint8Array(Ipv4Repr.bufferLen(ip));
  Ipv4Repr.emit(ip, out);
  IcmpRepr.emit(icmp, out.subarray(Ipv4Repr.headerLen(ip)));
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
    return this.routes.find((r) => netContains(r.subnet, dst));
  }

  /** A packet the kernel routed into flannel0: send it to the peer that leases its subnet. */
  private fromTun(data: Uint8Array): void {
    if (this.stopped || data.length < IPV4_MIN_HEADER_LEN) return;
    const packet = new Uint8Array(data);
    const ip = Ipv4Packet.unchecked(packet);
    if (ip.version !== 4) return;
    const route = this.lookup(ip.dst);
    if (!route) {
      if (ip.protocol !== IpProtocol.ICMP && ip.fragOffset === 0)
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
