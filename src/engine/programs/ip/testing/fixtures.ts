// The goldens' hosts as FakeKernel records: host2 of the vxlan, host-gw and udp labs, and the
// errors lab (tests/golden/linux/errors-and-formats.txt). MACs are the goldens' own.

import { IFF, ROOT_NS } from '../../../kernel/types.ts';
import type { AddrInfo, FdbInfo, LinkInfo, RouteInfo } from '../../../kernel/types.ts';
import { FakeKernel, zeroStats } from './fake-kernel.ts';

const UP = IFF.UP | IFF.LOWER_UP;
const ETHER = IFF.BROADCAST | IFF.MULTICAST;

function upLoopback(): LinkInfo {
  return {
    ifindex: 1,
    name: 'lo',
    kind: 'loopback',
    flags: IFF.LOOPBACK | UP,
    mtu: 65536,
    minMtu: 0,
    maxMtu: 0,
    operstate: 'UNKNOWN',
    qdisc: 'noqueue',
    txqlen: 1000,
    address: '00:00:00:00:00:00',
    broadcast: '00:00:00:00:00:00',
    promiscuity: 0,
    allmulti: 0,
    stats: zeroStats(),
  };
}

function ether(ifindex: number, name: string, mac: string, extra: Partial<LinkInfo>): LinkInfo {
  return {
    ifindex,
    name,
    kind: 'veth',
    flags: ETHER | UP,
    mtu: 1500,
    minMtu: 68,
    maxMtu: 65535,
    operstate: 'UP',
    qdisc: 'noqueue',
    txqlen: 1000,
    address: mac,
    broadcast: 'ff:ff:ff:ff:ff:ff',
    promiscuity: 0,
    allmulti: 0,
    stats: zeroStats(),
    ...extra,
  };
}

function addr(ifindex: number, label: string, local: string, prefixlen: number): AddrInfo {
  return {
    ifindex,
    family: 'inet',
    local,
    prefixlen,
    scope: local.startsWith('127.') ? 'host' : 'global',
    label,
  };
}

function kernelRoute(dst: string, dstLen: number, oif: number, prefsrc: string): RouteInfo {
  return {
    table: 'main',
    type: 'unicast',
    dst,
    dstLen,
    oif,
    onlink: false,
    scope: 'link',
    protocol: 'kernel',
    prefsrc,
  };
}

function viaRoute(dst: string, gateway: string, oif: number, onlink: boolean): RouteInfo {
  return {
    table: 'main',
    type: 'unicast',
    dst,
    dstLen: 24,
    gateway,
    oif,
    onlink,
    scope: 'global',
    protocol: 'boot',
  };
}

function localRoute(dst: string, oif: number): RouteInfo {
  return {
    table: 'local',
    type: 'local',
    dst,
    dstLen: 32,
    oif,
    onlink: false,
    scope: 'host',
    protocol: 'kernel',
    prefsrc: dst,
  };
}

function mcastFdb(ifindex: number, macs: string[]): FdbInfo[] {
  return macs.map((mac) => ({ ifindex, mac, self: true, state: 'permanent' as const }));
}

/** A pod namespace holding the other end of a veth, `eth0` with ifindex `index`. */
function addPeerNs(k: FakeKernel, ns: string, index: number, peerIndex: number, mac: string) {
  k.netnsAdd(ns);
  const t = k.tables(ns);
  t.links = [
    upLoopback(),
    ether(index, 'eth0', mac, { peer: { ifindex: peerIndex, netns: ROOT_NS } }),
  ];
  t.nextIfindex = index + 1;
}

type Backend = 'vxlan' | 'host-gw' | 'udp';

const HOST2_MACS: Record<Backend, { eth0: string; cni0: string }> = {
  vxlan: { eth0: '8a:d5:c8:8f:8c:ad', cni0: 'fe:c4:c3:38:9e:29' },
  'host-gw': { eth0: '92:6c:f8:be:8d:98', cni0: '9a:72:a9:d0:34:7f' },
  udp: { eth0: '92:6c:f8:be:8d:98', cni0: '9a:72:a9:d0:34:7f' },
};

/** host2 of the seeds: eth0 172.16.112.133/24, cni0 10.244.1.1/24 with one pod on veth1. */
export function host2(backend: Backend): FakeKernel {
  const k = new FakeKernel();
  const macs = HOST2_MACS[backend];
  const cniMtu = backend === 'vxlan' ? 1450 : 1500;
  addPeerNs(k, 'flw', 4, 2, '02:00:00:00:00:04');
  addPeerNs(k, 'flp2', 2, 4, '02:00:00:00:00:02');
  const t = k.tables(ROOT_NS);
  t.links = [
    upLoopback(),
    ether(2, 'eth0', macs.eth0, { peer: { ifindex: 4, netns: 'flw' } }),
    ether(3, 'cni0', macs.cni0, { kind: 'bridge', mtu: cniMtu, bridge: { ageingTime: 30000 } }),
    ether(4, 'veth1', macs.cni0, {
      peer: { ifindex: 2, netns: 'flp2' },
      master: 3,
      bridgePort: { portNo: 1 },
      promiscuity: 1,
      allmulti: 1,
    }),
  ];
  t.links[1]!.stats.rxBytes = backend === 'vxlan' ? 54 : 0;
  t.links[1]!.stats.rxPackets = backend === 'vxlan' ? 1 : 0;
  t.links[2]!.stats.txBytes = 54;
  t.links[2]!.stats.txPackets = 1;
  t.addrs = [
    addr(1, 'lo', '127.0.0.1', 8),
    addr(2, 'eth0', '172.16.112.133', 24),
    addr(3, 'cni0', '10.244.1.1', 24),
  ];
  t.routes = [
    kernelRoute('10.244.1.0', 24, 3, '10.244.1.1'),
    kernelRoute('172.16.112.0', 24, 2, '172.16.112.133'),
    localRoute('10.244.1.1', 3),
    localRoute('172.16.112.133', 2),
    localRoute('127.0.0.1', 1),
  ];
  t.fdb = [
    ...mcastFdb(2, ['33:33:00:00:00:01', '01:00:5e:00:00:01']),
    ...mcastFdb(3, [
      '33:33:00:00:00:01',
      '01:00:5e:00:00:6a',
      '33:33:00:00:00:6a',
      '01:00:5e:00:00:01',
    ]),
    { ifindex: 4, mac: macs.cni0, master: 3, self: false, state: 'permanent' },
    ...mcastFdb(4, ['33:33:00:00:00:01', '01:00:5e:00:00:01']),
  ];
  t.nextIfindex = 5;
  if (backend === 'vxlan') addVxlan(k);
  if (backend === 'host-gw') {
    t.routes.splice(0, 0, viaRoute('10.244.0.0', '172.16.112.128', 2, false));
    t.routes.splice(2, 0, viaRoute('10.244.2.0', '172.16.112.130', 2, false));
  }
  if (backend === 'udp') addFlannel0(k);
  return k;
}

function addVxlan(k: FakeKernel): void {
  const t = k.tables(ROOT_NS);
  t.links.push(
    ether(5, 'flannel.1', '36:a0:28:99:63:ac', {
      kind: 'vxlan',
      mtu: 1450,
      operstate: 'UNKNOWN',
      vxlan: {
        vni: 1,
        local: '172.16.112.133',
        dev: 2,
        dstport: 8472,
        learning: false,
        ageing: 300,
      },
    }),
  );
  t.nextIfindex = 6;
  t.addrs.push(addr(5, 'flannel.1', '10.244.1.0', 32));
  t.routes.splice(0, 0, viaRoute('10.244.0.0', '10.244.0.0', 5, true));
  t.routes.splice(2, 0, viaRoute('10.244.2.0', '10.244.2.0', 5, true));
  t.routes.push(localRoute('10.244.1.0', 5));
  t.neighs = [
    { ifindex: 5, dst: '10.244.2.0', lladdr: '5a:3c:fd:6c:46:8f', state: 'PERMANENT' },
    { ifindex: 5, dst: '10.244.0.0', lladdr: 'aa:d6:ad:ca:a9:52', state: 'PERMANENT' },
  ];
  t.fdb.push(
    { ifindex: 5, mac: '5a:3c:fd:6c:46:8f', dst: '172.16.112.130', self: true, state: 'permanent' },
    { ifindex: 5, mac: 'aa:d6:ad:ca:a9:52', dst: '172.16.112.128', self: true, state: 'permanent' },
  );
}

function addFlannel0(k: FakeKernel): void {
  const t = k.tables(ROOT_NS);
  t.links.push({
    ...ether(5, 'flannel0', '', { kind: 'tun', mtu: 1472, operstate: 'UNKNOWN' }),
    flags: IFF.POINTOPOINT | IFF.MULTICAST | IFF.NOARP | UP,
    qdisc: 'pfifo_fast',
    txqlen: 500,
    address: null,
    broadcast: null,
  });
  t.nextIfindex = 6;
  t.addrs.push(addr(5, 'flannel0', '10.244.1.0', 16));
  t.routes.splice(0, 0, kernelRoute('10.244.0.0', 16, 5, '10.244.1.0'));
  t.routes.push(localRoute('10.244.1.0', 5));
}

/** The errors lab: eth0 (peer in flerrp), cni0 without ports, flannel.1 with one remote VTEP. */
export function errorsLab(): FakeKernel {
  const k = new FakeKernel();
  addPeerNs(k, 'flerrp', 2, 2, '02:00:00:00:00:02');
  const t = k.tables(ROOT_NS);
  t.links = [
    upLoopback(),
    ether(2, 'eth0', '7a:83:ef:29:b8:77', { peer: { ifindex: 2, netns: 'flerrp' } }),
    ether(3, 'cni0', '42:78:57:98:6f:f9', {
      kind: 'bridge',
      operstate: 'UNKNOWN',
      bridge: { ageingTime: 30000 },
    }),
    ether(4, 'flannel.1', '3e:27:9e:35:38:86', {
      kind: 'vxlan',
      mtu: 1450,
      operstate: 'UNKNOWN',
      vxlan: {
        vni: 1,
        local: '172.16.112.133',
        dev: 2,
        dstport: 8472,
        learning: false,
        ageing: 300,
      },
    }),
  ];
  t.links[1]!.stats.rxBytes = 90;
  t.links[1]!.stats.rxPackets = 1;
  t.nextIfindex = 5;
  t.addrs = [
    addr(1, 'lo', '127.0.0.1', 8),
    addr(2, 'eth0', '172.16.112.133', 24),
    addr(3, 'cni0', '10.244.1.1', 24),
    addr(4, 'flannel.1', '10.244.1.0', 32),
  ];
  t.routes = [
    kernelRoute('10.244.1.0', 24, 3, '10.244.1.1'),
    viaRoute('10.244.2.0', '10.244.2.0', 4, true),
    kernelRoute('172.16.112.0', 24, 2, '172.16.112.133'),
  ];
  t.neighs = [{ ifindex: 4, dst: '10.244.2.0', lladdr: 'e2:ca:3e:d2:9d:a7', state: 'PERMANENT' }];
  t.fdb = [
    ...mcastFdb(2, ['33:33:00:00:00:01', '01:00:5e:00:00:01']),
    ...mcastFdb(3, [
      '33:33:00:00:00:01',
      '01:00:5e:00:00:6a',
      '33:33:00:00:00:6a',
      '01:00:5e:00:00:01',
    ]),
    { ifindex: 4, mac: 'e2:ca:3e:d2:9d:a7', dst: '172.16.112.130', self: true, state: 'permanent' },
  ];
  return k;
}

/**
 * The start of tests/golden/linux/ip-more.txt (first part): cni0 10.244.1.1/24 with veth1 as
 * its only port, veth1's peer `eth0` 10.244.1.2/24 in pod namespace `flmorep`.
 */
export function moreLab(): FakeKernel {
  const k = new FakeKernel();
  addPeerNs(k, 'flmorep', 2, 3, 'ee:91:3d:3a:fa:d7');
  const mac = 'ba:75:b9:86:27:1c';
  const t = k.tables(ROOT_NS);
  t.links = [
    upLoopback(),
    ether(2, 'cni0', mac, { kind: 'bridge', bridge: { ageingTime: 30000 } }),
    ether(3, 'veth1', mac, {
      peer: { ifindex: 2, netns: 'flmorep' },
      master: 2,
      bridgePort: { portNo: 1 },
      promiscuity: 1,
      allmulti: 1,
    }),
  ];
  t.nextIfindex = 4;
  t.addrs = [addr(1, 'lo', '127.0.0.1', 8), addr(2, 'cni0', '10.244.1.1', 24)];
  t.routes = [kernelRoute('10.244.1.0', 24, 2, '10.244.1.1'), localRoute('10.244.1.1', 2)];
  t.fdb = [
    ...mcastFdb(2, [
      '33:33:00:00:00:01',
      '01:00:5e:00:00:6a',
      '33:33:00:00:00:6a',
      '01:00:5e:00:00:01',
    ]),
    { ifindex: 3, mac, master: 2, self: false, state: 'permanent' },
    ...mcastFdb(3, ['33:33:00:00:00:01', '01:00:5e:00:00:01']),
  ];
  const pod = k.tables('flmorep');
  pod.addrs = [addr(1, 'lo', '127.0.0.1', 8), addr(2, 'eth0', '10.244.1.2', 24)];
  pod.routes = [
    { ...viaRoute('0.0.0.0', '10.244.1.1', 2, false), dstLen: 0 },
    kernelRoute('10.244.1.0', 24, 2, '10.244.1.2'),
  ];
  pod.links[1]!.stats.rxBytes = 54;
  pod.links[1]!.stats.rxPackets = 1;
  return k;
}

function tun(ifindex: number, name: string, mtu: number): LinkInfo {
  return {
    ...ether(ifindex, name, '', { kind: 'tun', mtu, operstate: 'DOWN', qdisc: 'pfifo_fast' }),
    // Up, but no process holds the TUN file: no carrier.
    flags: IFF.POINTOPOINT | IFF.MULTICAST | IFF.NOARP | IFF.UP,
    txqlen: 500,
    address: null,
    broadcast: null,
  };
}

/** The third batch of ip-more.txt: flannel0 without its daemon, veth1 whose peer is down. */
export function more3Lab(): FakeKernel {
  const k = new FakeKernel();
  k.netnsAdd('flm3p');
  const t = k.tables(ROOT_NS);
  t.links = [
    upLoopback(),
    tun(2, 'flannel0', 1472),
    ether(3, 'veth1', '2e:6e:fa:9b:dc:ec', {
      flags: ETHER | IFF.UP,
      operstate: 'LOWERLAYERDOWN',
      peer: { ifindex: 2, netns: 'flm3p' },
    }),
  ];
  t.nextIfindex = 4;
  t.addrs = [
    addr(1, 'lo', '127.0.0.1', 8),
    addr(2, 'flannel0', '10.244.1.0', 16),
    addr(3, 'veth1', '10.9.0.1', 24),
  ];
  t.routes = [
    kernelRoute('10.9.0.0', 24, 3, '10.9.0.1'),
    kernelRoute('10.244.0.0', 16, 2, '10.244.1.0'),
    { ...localRoute('10.9.0.255', 3), type: 'broadcast', scope: 'link', prefsrc: '10.9.0.1' },
  ];
  t.fdb = mcastFdb(3, ['33:33:00:00:00:01', '01:00:5e:00:00:01']);
  return k;
}

/** The fourth batch: cni0 with veth1, flannel.1 over cni0 (down) and flannel0 (down). */
export function more4Lab(): FakeKernel {
  const k = new FakeKernel();
  addPeerNs(k, 'flm4p', 2, 3, '02:00:00:00:00:02');
  const mac = '5e:d0:5d:98:aa:cc';
  const t = k.tables(ROOT_NS);
  t.links = [
    upLoopback(),
    ether(2, 'cni0', mac, { kind: 'bridge', bridge: { ageingTime: 30000 } }),
    ether(3, 'veth1', mac, {
      peer: { ifindex: 2, netns: 'flm4p' },
      master: 2,
      bridgePort: { portNo: 1 },
      promiscuity: 1,
      allmulti: 1,
    }),
    ether(4, 'flannel.1', '0e:86:5a:25:f6:5b', {
      kind: 'vxlan',
      mtu: 1450,
      flags: ETHER,
      operstate: 'DOWN',
      qdisc: 'noop',
      vxlan: { vni: 1, local: '10.244.1.1', dev: 2, dstport: 8472, learning: false, ageing: 300 },
    }),
    {
      ...tun(5, 'flannel0', 1500),
      flags: IFF.POINTOPOINT | IFF.MULTICAST | IFF.NOARP,
      qdisc: 'noop',
    },
  ];
  t.nextIfindex = 6;
  t.addrs = [addr(1, 'lo', '127.0.0.1', 8), addr(2, 'cni0', '10.244.1.1', 24)];
  return k;
}
