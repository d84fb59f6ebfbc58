// The seeds' three hosts, built in-process from the kernel and the programs alone, the way
// ../shared/oracle/linux-vxlan-lab.sh and linux-udp-lab.sh build them on real Linux.
import { readFileSync } from 'node:fs';
import { ROOT_NS } from '../../src/engine/kernel/types.ts';
import { LocalLab, seededRandom } from '../../src/engine/lab/local-lab.ts';
import { kernelModule } from '../../src/engine/testing/kernel.ts';

export type SeedMode = 'vxlan' | 'host-gw' | 'udp';

export const HOSTS = ['node1', 'node2', 'node3'];
export const HOST_IPS = ['172.16.112.128', '172.16.112.133', '172.16.112.130'];
export const SUBNETS = ['10.244.0', '10.244.1', '10.244.2'];
/** The pods' namespaces carry the oracle's names, so `link-netns flp2` reads as in the golden. */
export const PODS = ['flp1', 'flp2', 'flp3'];

export function golden(name: string): string {
  return readFileSync(new URL(`../golden/linux/${name}`, import.meta.url), 'utf8');
}

/** Splits a golden tables file into its `# title` sections. */
export function goldenSections(name: string): Map<string, string> {
  const sections = new Map<string, string>();
  let title = '';
  for (const line of golden(name).split('\n')) {
    if (line.startsWith('# ')) {
      title = line.slice(2);
      sections.set(title, '');
    } else if (title) sections.set(title, sections.get(title) + line + '\n');
  }
  for (const [k, v] of sections) sections.set(k, v.replace(/\n+$/, '\n'));
  return sections;
}

export async function makeLab(): Promise<LocalLab> {
  const lab = LocalLab.create({ module: await kernelModule(), random: seededRandom(7) });
  for (const hostname of HOSTS) {
    const host = await lab.addHost({ hostname });
    // The NIC is hardware: the lab plugs it in, as the VM's ens33.
    host.kernel.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether' });
  }
  return lab;
}

async function sh(lab: LocalLab, host: string, lines: string[]): Promise<void> {
  for (const line of lines) await lab.sh(host, line);
}

/** Builds the seeds' lab for one mode; the udp mode also needs `startUdpRelays`. */
export async function buildSeedLab(mode: SeedMode): Promise<LocalLab> {
  const lab = await makeLab();
  const mtu = mode === 'vxlan' ? 1450 : mode === 'udp' ? 1472 : 1500;
  for (let i = 0; i < 3; i++) {
    const [h, pod, sub] = [HOSTS[i], PODS[i], SUBNETS[i]];
    await sh(lab, h, [
      'sysctl -qw net.ipv4.ip_forward=1',
      `ip addr add ${HOST_IPS[i]}/24 dev eth0`,
      'ip link set eth0 up',
      'ip link add cni0 type bridge',
      `ip addr add ${sub}.1/24 dev cni0`,
      'ip link set cni0 up',
      `ip netns add ${pod}`,
      `ip link add veth${i} type veth peer name eth0 netns ${pod}`,
      `ip link set veth${i} master cni0 up`,
      `ip -n ${pod} link set lo up`,
      `ip -n ${pod} addr add ${sub}.2/24 dev eth0`,
      `ip -n ${pod} link set eth0 up`,
      `ip -n ${pod} route add default via ${sub}.1`,
    ]);
    if (mode === 'vxlan') {
      await sh(lab, h, [
        `ip link add flannel.1 type vxlan id 1 local ${HOST_IPS[i]} dev eth0 dstport 8472 nolearning`,
        'ip link set flannel.1 mtu 1450',
        `ip addr add ${sub}.0/32 dev flannel.1`,
        'ip link set flannel.1 up',
      ]);
    }
    if (mode !== 'host-gw') {
      await sh(lab, h, [`ip link set cni0 mtu ${mtu}`, `ip -n ${pod} link set eth0 mtu ${mtu}`]);
    }
  }
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (i === j) continue;
      if (mode === 'vxlan') {
        const br = await lab.run(HOSTS[j], 'ip -br link show flannel.1');
        const mac = br.stdout.trim().split(/\s+/)[2];
        await sh(lab, HOSTS[i], [
          `ip route add ${SUBNETS[j]}.0/24 via ${SUBNETS[j]}.0 dev flannel.1 onlink`,
          `ip neigh add ${SUBNETS[j]}.0 lladdr ${mac} dev flannel.1 nud permanent`,
          `bridge fdb append ${mac} dev flannel.1 dst ${HOST_IPS[j]} self permanent`,
        ]);
      } else if (mode === 'host-gw') {
        await sh(lab, HOSTS[i], [`ip route add ${SUBNETS[j]}.0/24 via ${HOST_IPS[j]} dev eth0`]);
      }
    }
  }
  if (mode === 'udp') await startUdpRelays(lab);
  return lab;
}

/**
 * The oracle's udp-tund.py: a TUN `flannel0` and a UDP socket on 8285; each packet read from
 * the TUN goes in one datagram to the host owning its destination subnet, and back.
 */
async function startUdpRelays(lab: LocalLab): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const kernel = lab.host(HOSTS[i]).kernel;
    const peers = [0, 1, 2].filter((j) => j !== i);
    let udp = 0;
    const tun = kernel.tunOpen(ROOT_NS, 'flannel0', (packet) => {
      const dst = `${packet[16]}.${packet[17]}.${packet[18]}`;
      for (const j of peers) if (dst === SUBNETS[j]) kernel.udpSend(udp, HOST_IPS[j], 8285, packet);
    });
    udp = kernel.udpOpen(ROOT_NS, (datagram) => kernel.tunWrite(tun.fd, datagram));
    kernel.udpBind(udp, HOST_IPS[i], 8285);
    await sh(lab, HOSTS[i], [
      `ip addr add ${SUBNETS[i]}.0/16 dev flannel0`,
      'ip link set flannel0 mtu 1472 up',
    ]);
  }
}

/** Masks what is random by nature: MACs. */
export function maskMacs(text: string): string {
  return text.replace(/\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/g, 'MAC');
}
