// The goldens' hosts, built on the real kernel by replaying the oracle's setup through the real
// `ip` and `bridge` programs (../shared/oracle/*.sh, tests/golden/linux/*.oracle.sh). The
// oracle's namespace for the host is our root namespace; MACs are set to the goldens' own.
// The goldens' non-zero counters come from IGMP reports, which the kernel does not send: a
// frame of the same size is sent instead, to an address nothing answers.

import type { Kernel } from '../../../kernel/kernel.ts';
import { ManualClock } from '../../../os/clock.ts';
import { echoRequest } from '../../../kernel/testing/util.ts';
import { testKernel } from '../../../testing/kernel.ts';
import { run } from './run.ts';

/** A command line for `ip` or `bridge`, `[ns] ` first to run it in namespace ns; or a call. */
export type Step = string | ((kernel: Kernel) => void);

/** A fresh real kernel after `steps`. */
export async function replay(steps: readonly Step[]): Promise<Kernel> {
  const kernel = await testKernel(new ManualClock());
  for (const step of steps) {
    if (typeof step === 'function') {
      step(kernel);
      continue;
    }
    const m = /^\[(\w+)\] (.*)$/.exec(step);
    const r = await run(kernel, m ? (m[2] ?? '') : step, m ? m[1] : '');
    if (r.code !== 0) throw new Error(`golden host: ${step}: exit ${r.code}: ${r.output}`);
  }
  return kernel;
}

/** One ICMP echo request of `frameLen` bytes on the wire from namespace `ns` to `dst`. */
export function echo(ns: string, dst: string, frameLen: number): Step {
  return (kernel) => {
    const fd = kernel.icmpOpen(ns, () => {});
    kernel.icmpSend(fd, dst, echoRequest(1, 1, frameLen - 14 - 20 - 8));
    kernel.close(fd);
  };
}

/** A frame of `frameLen` bytes out of `dev` in `ns`, to a neighbour that is gone afterwards. */
function frameOut(ns: string, dev: string, dst: string, frameLen: number): Step[] {
  const at = ns === '' ? '' : `[${ns}] `;
  return [
    `${at}ip neigh add ${dst} lladdr 02:00:00:00:00:77 dev ${dev} nud permanent`,
    echo(ns, dst, frameLen),
    `${at}ip neigh del ${dst} dev ${dev}`,
  ];
}

/** A TUN `name` held open by a process, as flanneld's udp backend or the oracle's relay does. */
function tunHeld(name: string): Step {
  return (kernel) => void kernel.tunOpen('', name, () => {});
}

type Backend = 'vxlan' | 'host-gw' | 'udp';

const HOST2_MACS: Record<Backend, { eth0: string; cni0: string }> = {
  vxlan: { eth0: '8a:d5:c8:8f:8c:ad', cni0: 'fe:c4:c3:38:9e:29' },
  'host-gw': { eth0: '92:6c:f8:be:8d:98', cni0: '9a:72:a9:d0:34:7f' },
  udp: { eth0: '92:6c:f8:be:8d:98', cni0: '9a:72:a9:d0:34:7f' },
};

/** The vxlan peers of host2: subnet, VTEP MAC, PublicIP, in the oracle's order. */
const VXLAN_PEERS = [
  ['10.244.0', 'aa:d6:ad:ca:a9:52', '172.16.112.128'],
  ['10.244.2', '5a:3c:fd:6c:46:8f', '172.16.112.130'],
];

/**
 * host2 of linux-vxlan-lab.sh (vxlan, host-gw) and linux-udp-lab.sh (udp): eth0 172.16.112.133/24
 * (a veth into the wire namespace flw, where it is ifindex 4), cni0 10.244.1.1/24 with the pod
 * flp2 on veth1, and the backend's device and routes.
 */
export function host2Steps(backend: Backend): Step[] {
  const macs = HOST2_MACS[backend];
  const mtu = backend === 'vxlan' ? 1450 : backend === 'udp' ? 1472 : 1500;
  const steps: Step[] = [
    'ip netns add flw',
    // The wire's bridge and host1's port come first there.
    'ip -n flw link add br0 type bridge',
    'ip -n flw link add u0 type bridge',
    'ip link add eth0 type veth peer name u1 netns flw',
    `ip link set dev eth0 address ${macs.eth0}`,
    'ip -n flw link set u1 master br0',
    'ip -n flw link set u1 up',
    'ip -n flw link set br0 up',
    'ip addr add 172.16.112.133/24 dev eth0',
    'ip link set eth0 up',
    'ip link add cni0 type bridge',
    `ip link set dev cni0 address ${macs.cni0}`,
    'ip addr add 10.244.1.1/24 dev cni0',
    'ip link set cni0 up',
    // The golden's cni0 sent one 54-byte IGMP report before its port came.
    ...frameOut('', 'cni0', '10.244.1.77', 54),
    'ip netns add flp2',
    'ip link add veth1 type veth peer name eth0 netns flp2',
    `ip link set dev veth1 address ${macs.cni0}`,
    '[flp2] ip link set dev eth0 address 02:00:00:00:00:02',
    'ip link set veth1 master cni0',
    'ip link set veth1 up',
    '[flp2] ip link set lo up',
    '[flp2] ip addr add 10.244.1.2/24 dev eth0',
    '[flp2] ip link set eth0 up',
    '[flp2] ip route add default via 10.244.1.1',
  ];
  if (backend === 'vxlan') {
    steps.push(
      'ip link add flannel.1 type vxlan id 1 local 172.16.112.133 dev eth0 dstport 8472 nolearning',
      'ip link set dev flannel.1 address 36:a0:28:99:63:ac',
      'ip link set flannel.1 mtu 1450',
      'ip addr add 10.244.1.0/32 dev flannel.1',
      'ip link set flannel.1 up',
    );
  }
  if (backend !== 'host-gw')
    steps.push(`ip link set cni0 mtu ${mtu}`, `[flp2] ip link set eth0 mtu ${mtu}`);
  if (backend === 'vxlan') {
    for (const [sub, mac, ip] of VXLAN_PEERS)
      steps.push(
        `ip route add ${sub}.0/24 via ${sub}.0 dev flannel.1 onlink`,
        `ip neigh add ${sub}.0 lladdr ${mac} dev flannel.1 nud permanent`,
        `bridge fdb append ${mac} dev flannel.1 dst ${ip} self permanent`,
      );
    // The golden's eth0 received one 54-byte IGMP report from the wire.
    steps.push(
      'ip -n flw addr add 172.16.112.99/24 dev br0',
      ...frameOut('flw', 'br0', '172.16.112.77', 54),
    );
  }
  if (backend === 'host-gw') {
    for (const [sub, , ip] of VXLAN_PEERS)
      steps.push(`ip route add ${sub}.0/24 via ${ip} dev eth0`);
  }
  if (backend === 'udp') {
    steps.push(
      tunHeld('flannel0'),
      'ip addr add 10.244.1.0/16 dev flannel0',
      'ip link set flannel0 mtu 1472 up',
    );
  }
  return steps;
}

export const host2 = (backend: Backend) => replay(host2Steps(backend));

/** linux-errors-lab.sh: eth0 (peer0 in flerrp), cni0 without ports, flannel.1 with one peer. */
export const ERRORS: Step[] = [
  'ip netns add flerrp',
  'ip link add eth0 type veth peer name peer0 netns flerrp',
  'ip link set dev eth0 address 7a:83:ef:29:b8:77',
  '[flerrp] ip link set peer0 up',
  'ip addr add 172.16.112.133/24 dev eth0',
  'ip link set eth0 up',
  'ip link add cni0 type bridge',
  'ip link set dev cni0 address 42:78:57:98:6f:f9',
  'ip addr add 10.244.1.1/24 dev cni0',
  'ip link set cni0 up',
  'ip link add flannel.1 type vxlan id 1 local 172.16.112.133 dev eth0 dstport 8472 nolearning',
  'ip link set dev flannel.1 address 3e:27:9e:35:38:86',
  'ip link set flannel.1 mtu 1450',
  'ip addr add 10.244.1.0/32 dev flannel.1',
  'ip link set flannel.1 up',
  'ip route add 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink',
  'ip neigh add 10.244.2.0 lladdr e2:ca:3e:d2:9d:a7 dev flannel.1 nud permanent',
  'bridge fdb append e2:ca:3e:d2:9d:a7 dev flannel.1 dst 172.16.112.130 self permanent',
  // The golden's eth0 received one 90-byte frame from its peer.
  '[flerrp] ip addr add 172.16.112.99/24 dev peer0',
  ...frameOut('flerrp', 'peer0', '172.16.112.77', 90),
];

export const errorsLab = () => replay(ERRORS);

/** ip-more.oracle.sh: cni0 10.244.1.1/24, its port veth1, whose peer is eth0 in flmorep. */
export const MORE: Step[] = [
  'ip link add cni0 type bridge',
  'ip addr add 10.244.1.1/24 dev cni0',
  'ip link set cni0 up',
  'ip netns add flmorep',
  'ip link add veth1 type veth peer name eth0 netns flmorep',
  'ip link set dev veth1 address ba:75:b9:86:27:1c',
  '[flmorep] ip link set dev eth0 address ee:91:3d:3a:fa:d7',
  'ip link set veth1 master cni0',
  'ip link set veth1 up',
  '[flmorep] ip link set eth0 up',
  '[flmorep] ip link set lo up',
  '[flmorep] ip addr add 10.244.1.2/24 dev eth0',
  '[flmorep] ip route add default via 10.244.1.1',
  // The golden's pod received one 54-byte IGMP report through the bridge.
  ...frameOut('', 'cni0', '10.244.1.77', 54),
];

export const moreLab = () => replay(MORE);

/** ip-more3.oracle.sh: flannel0 10.244.1.0/16, veth1 10.9.0.1/24 whose peer in flm3p is down. */
export const MORE3: Step[] = [
  tunHeld('flannel0'),
  'ip link set flannel0 mtu 1472 up',
  'ip addr add 10.244.1.0/16 dev flannel0',
  'ip netns add flm3p',
  'ip link add veth1 type veth peer name eth0 netns flm3p',
  'ip link set dev veth1 address 2e:6e:fa:9b:dc:ec',
  'ip addr add 10.9.0.1/24 dev veth1',
  'ip link set veth1 up',
];

export const more3Lab = () => replay(MORE3);

/** ip-more4.oracle.sh: cni0 with veth1, flannel.1 over cni0 and flannel0, both down. */
export const MORE4: Step[] = [
  'ip link add cni0 type bridge',
  'ip link set dev cni0 address 5e:d0:5d:98:aa:cc',
  'ip addr add 10.244.1.1/24 dev cni0',
  'ip link set cni0 up',
  'ip netns add flm4p',
  'ip link add veth1 type veth peer name eth0 netns flm4p',
  'ip link set dev veth1 address 5e:d0:5d:98:aa:cc',
  'ip link set veth1 master cni0',
  'ip link set veth1 up',
  '[flm4p] ip link set eth0 up',
  'ip link add flannel.1 type vxlan id 1 local 10.244.1.1 dev cni0 dstport 8472 nolearning',
  'ip link set dev flannel.1 address 0e:86:5a:25:f6:5b',
  tunHeld('flannel0'),
];

export const more4Lab = () => replay(MORE4);

/** linux-faults-lab.sh's host `flfa`: eth0 (its far end as eth0 of `b`), cni0, flannel.1. */
export const FAULTS: Step[] = [
  'ip netns add b',
  'ip link add eth0 type veth peer name eth0 netns b',
  '[b] ip addr add 172.16.112.131/24 dev eth0',
  '[b] ip link set eth0 up',
  'ip addr add 172.16.112.130/24 dev eth0',
  'ip link set eth0 up',
  'ip link add cni0 type bridge',
  'ip addr add 10.244.0.1/24 dev cni0',
  'ip link set cni0 up',
  'ip link add flannel.1 type vxlan id 1 local 172.16.112.130 dev eth0 dstport 8472 nolearning',
  'ip link set flannel.1 mtu 1450',
  'ip addr add 10.244.0.0/32 dev flannel.1',
  'ip link set flannel.1 up',
];
