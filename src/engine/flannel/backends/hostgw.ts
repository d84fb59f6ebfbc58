// The host-gw backend (pkg/backend/hostgw, pkg/backend/route_network.go): a route per peer via
// its PublicIP on the external interface, and a 10 s check that re-adds missing routes.

import { ROOT_NS } from '../../kernel/types.ts';
import type { KernelApi } from '../../kernel/types.ts';
import { formatIp4, formatIp4Net, netContains, parseIp4 } from '../ip4.ts';
import type { Ip4Net } from '../ip4.ts';
import type { Lease, LeaseAttrs } from '../lease.ts';
import type { LeaseEvent } from '../registry.ts';
import { goErr } from './common.ts';
import type { BackendContext, BackendNetwork } from './common.ts';
import { FlannelError } from '../registry.ts';

const ROUTE_CHECK_MS = 10_000;

interface PeerRoute {
  dst: string;
  dstLen: number;
  gateway: string;
}

/**
 * Deletes the routes an earlier host-gw flanneld left: to a subnet of one of `networks` via a
 * gateway on the external interface. Real flannel leaves them when it starts with another
 * backend (nothing but a host-gw lease's removal deletes them), and they are more specific than
 * udp's route for the whole network, so they would keep carrying the traffic.
 */
export function deleteHostGwRoutes(
  kernel: KernelApi,
  extIfindex: number,
  networks: Ip4Net[],
): void {
  for (const r of kernel.routeDump(ROOT_NS, 'main')) {
    if (r.oif !== extIfindex || r.gateway === undefined || r.type !== 'unicast') continue;
    const dst = parseIp4(r.dst);
    const inNetwork = networks.some(
      (n) => dst !== undefined && r.dstLen >= n.prefixLen && netContains(n, dst),
    );
    if (inNetwork) kernel.routeDel(ROOT_NS, { dst: r.dst, dstLen: r.dstLen, gateway: r.gateway });
  }
}

export class HostGwNetwork implements BackendNetwork {
  readonly mtu: number;
  private routes: PeerRoute[] = [];
  private cancelCheck: (() => void) | null = null;

  constructor(private readonly ctx: BackendContext) {
    if (ctx.ext.publicIP !== ctx.ext.ifaceAddr)
      throw new FlannelError(
        "your PublicIP differs from interface IP, meaning that probably you're on a NAT, which is not supported by host-gw backend",
      );
    this.mtu = ctx.ext.mtu;
  }

  leaseAttrs(): LeaseAttrs {
    return { publicIP: this.ctx.ext.publicIP, backendType: 'host-gw' };
  }

  configure(_lease: Lease): void {
    this.scheduleCheck();
  }

  private scheduleCheck(): void {
    this.cancelCheck = this.ctx.setTimer(ROUTE_CHECK_MS, () => {
      this.checkRoutes();
      this.scheduleCheck();
    });
  }

  private present(route: PeerRoute): PeerRoute | undefined {
    for (const r of this.ctx.kernel.routeDump(ROOT_NS, 'main'))
      if (r.dst === route.dst && r.dstLen === route.dstLen)
        return { dst: r.dst, dstLen: r.dstLen, gateway: r.gateway ?? '' };
    return undefined;
  }

  /** routeCheck: re-adds any of our routes that someone deleted. */
  checkRoutes(): void {
    for (const route of this.routes) {
      if (this.present(route)) continue;
      try {
        this.add(route, false);
        this.ctx.log.info(
          'route_network.go:179',
          `Route recovered ${route.dst}/${route.dstLen} : ${route.gateway}`,
        );
      } catch (err) {
        this.ctx.log.error(
          'route_network.go:176',
          `Error recovering route to ${route.dst}/${route.dstLen}: ${goErr(err)}`,
        );
      }
    }
  }

  private add(route: PeerRoute, replace: boolean): void {
    this.ctx.kernel.routeAdd(
      ROOT_NS,
      { dst: route.dst, dstLen: route.dstLen, gateway: route.gateway, oif: this.ctx.ext.ifindex },
      { replace },
    );
  }

  handleEvents(events: LeaseEvent[]): void {
    const { log } = this.ctx;
    for (const ev of events) {
      const { lease } = ev;
      if (lease.attrs.backendType !== 'host-gw') {
        log.warning(
          'route_network.go:88',
          `Ignoring non-host-gw subnet: type=${lease.attrs.backendType ?? ''}`,
        );
        continue;
      }
      const sn = formatIp4Net(lease.subnet);
      const route: PeerRoute = {
        dst: formatIp4(lease.subnet.ip),
        dstLen: lease.subnet.prefixLen,
        gateway: lease.attrs.publicIP,
      };
      if (ev.type === 'added') {
        log.info('route_network.go:92', `Subnet added: ${sn} via ${lease.attrs.publicIP}`);
        const existing = this.present(route);
        try {
          if (existing && existing.gateway === route.gateway) {
            // already there, nothing to do
          } else if (existing) {
            log.warning(
              'route_network.go:99',
              `Replacing existing route to ${sn} with ${route.gateway}`,
            );
            this.add(route, true);
          } else {
            this.add(route, false);
          }
        } catch (err) {
          log.error('route_network.go:112', `Error adding route to ${sn}: ${goErr(err)}`);
          continue;
        }
        this.routes = this.routes.filter(
          (r) => !(r.dst === route.dst && r.dstLen === route.dstLen),
        );
        this.routes.push(route);
      } else {
        log.info('route_network.go:121', `Subnet removed: ${sn}`);
        try {
          this.ctx.kernel.routeDel(ROOT_NS, {
            dst: route.dst,
            dstLen: route.dstLen,
            gateway: route.gateway,
          });
        } catch (err) {
          log.error('route_network.go:131', `Error deleting route to ${sn}: ${goErr(err)}`);
        }
        this.routes = this.routes.filter(
          (r) => !(r.dst === route.dst && r.dstLen === route.dstLen),
        );
      }
    }
  }

  stop(): void {
    this.cancelCheck?.();
    this.cancelCheck = null;
  }
}
