// The configuration side of the boundary, one file per object: netlink-like requests for
// namespaces and links (nl-link), bridge ports (nl-bridge), addresses (nl-addr), routes
// (nl-route), neighbours (nl-neigh), the FDB (nl-fdb) and sysctls (nl-sysctl), plus socket
// management (sockets), the kernel's timers (timers), the root qdiscs tc adds (qdisc) and the
// lab's cable on a NIC (nl-carrier). index.ts dispatches to them.
// The packet path is one file per layer: dev, bridge, vxlan, neigh, ip, ip-reasm, icmp, udp
// and local-out.

export * from './nl-link';
export * from './nl-bridge';
export * from './nl-addr';
export * from './nl-route';
export * from './nl-neigh';
export * from './nl-fdb';
export * from './nl-sysctl';
export * from './sockets';
export * from './timers';
export * from './qdisc';
export * from './nl-carrier';
