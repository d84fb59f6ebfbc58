// Issue 3's acceptance, per backend: three nodes and one KV, each node booted the way a real
// one is (NIC, flanneld under systemd, a pod through the CNI plugin) on the real wasm kernel.
// The kernel's state is read back through `ip`, `bridge` and `cat`, as a person would.
import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/engine/lab/host.ts';
import type { Backend } from '../../src/engine/lab/node-setup.ts';
import {
  hostIp,
  journal,
  leaseNet,
  podIp,
  podPing,
  sh,
  subnetEnv,
  threeNodeLab,
  type FlannelLab,
} from './flannel-lab.ts';

const MTU: Record<Backend, number> = { vxlan: 1450, 'host-gw': 1500, udp: 1472 };
/** The ttl a pod sees in a reply from a pod on another node (spec §3: udp's proxy takes 2 more). */
const TTL: Record<Backend, number> = { vxlan: 62, 'host-gw': 62, udp: 60 };

const ipNum = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
/** `ip route` lists the main table in address order. */
const byDst = (a: string, b: string) => ipNum(a.split(/[/ ]/)[0]) - ipNum(b.split(/[/ ]/)[0]);
const lines = (text: string) => text.split('\n').filter((l) => l !== '');

function peersOf(fl: FlannelLab, host: Host): Host[] {
  return fl.hosts.filter((h) => h !== host);
}

function indexOf(fl: FlannelLab, host: Host): number {
  return fl.hosts.indexOf(host) + 1;
}

/** What `ip route` prints on a node once flanneld has programmed every peer (spec §3). */
function expectedRoutes(fl: FlannelLab, backend: Backend, host: Host): string[] {
  const own = leaseNet(host);
  const routes = [
    `${own}/24 dev cni0 proto kernel scope link src ${own.replace(/0$/, '1')} `,
    `172.16.112.0/24 dev eth0 proto kernel scope link src ${hostIp(indexOf(fl, host))} `,
  ];
  if (backend === 'udp') routes.push('10.244.0.0/16 dev flannel0 ');
  for (const peer of peersOf(fl, host)) {
    const net = leaseNet(peer);
    if (backend === 'vxlan') routes.push(`${net}/24 via ${net} dev flannel.1 onlink `);
    if (backend === 'host-gw') routes.push(`${net}/24 via ${hostIp(indexOf(fl, peer))} dev eth0 `);
  }
  return routes.sort(byDst);
}

async function vtepMac(fl: FlannelLab, host: Host): Promise<string> {
  return (await sh(fl, host.hostname, 'ip -br link show flannel.1')).trim().split(/\s+/)[2];
}

async function expectPeerState(fl: FlannelLab, backend: Backend, host: Host): Promise<void> {
  const h = host.hostname;
  expect(lines(await sh(fl, h, 'ip route'))).toEqual(expectedRoutes(fl, backend, host));
  const neigh = lines(await sh(fl, h, 'ip neigh show dev flannel.1').catch(() => ''));
  const fdb = lines(await sh(fl, h, 'bridge fdb show dev flannel.1').catch(() => ''));
  if (backend !== 'vxlan') {
    expect(neigh).toEqual([]);
    expect(fdb).toEqual([]);
    return;
  }
  const wantNeigh: string[] = [];
  const wantFdb: string[] = [];
  for (const peer of peersOf(fl, host)) {
    const mac = await vtepMac(fl, peer);
    wantNeigh.push(`${leaseNet(peer)} lladdr ${mac} PERMANENT `);
    wantFdb.push(`${mac} dst ${hostIp(indexOf(fl, peer))} self permanent`);
  }
  expect(neigh.sort()).toEqual(wantNeigh.sort());
  expect(fdb.sort()).toEqual(wantFdb.sort());
}

/** [from, to, ttl or undefined] for every ordered pair of pods. */
async function pingMatrix(fl: FlannelLab): Promise<[string, string, number | undefined][]> {
  const out: [string, string, number | undefined][] = [];
  for (const from of fl.hosts)
    for (const to of fl.hosts)
      out.push([from.hostname, to.hostname, await podPing(fl, from.hostname, podIp(to))]);
  return out;
}

function allReach(fl: FlannelLab, backend: Backend): [string, string, number][] {
  return fl.hosts.flatMap((a) =>
    fl.hosts.map((b): [string, string, number] => [
      a.hostname,
      b.hostname,
      a === b ? 64 : TTL[backend],
    ]),
  );
}

/** The unit's state as `systemctl status` reports it ('active', 'inactive', 'failed'). */
const isActive = async (fl: FlannelLab, h: string) =>
  /Active: (\S+)/.exec((await fl.lab.run(h, 'systemctl status flanneld')).stdout)?.[1];

const leaseKey = (host: Host) => `/coreos.com/network/subnets/${leaseNet(host)}-24`;

describe.each(['vxlan', 'host-gw', 'udp'] as const)('flannel %s on three nodes', (backend) => {
  it('leases distinct /24s and programs routes, neighbours, FDB and MTUs as flannel does', async () => {
    const fl = await threeNodeLab(backend);
    const nets = fl.hosts.map(leaseNet);
    expect(new Set(nets).size).toBe(3);
    for (const net of nets) expect(net).toMatch(/^10\.244\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-5])\.0$/);

    for (const host of fl.hosts) {
      const h = host.hostname;
      expect(await sh(fl, h, 'cat /run/flannel/subnet.env')).toBe(
        'FLANNEL_NETWORK=10.244.0.0/16\n' +
          `FLANNEL_SUBNET=${leaseNet(host).replace(/0$/, '1')}/24\n` +
          `FLANNEL_MTU=${MTU[backend]}\n` +
          'FLANNEL_IPMASQ=true\n',
      );
      // --ip-masq (kube-flannel's default): the masquerade chain, as flannel installs it.
      const nat = await sh(fl, h, 'iptables -t nat -S FLANNEL-POSTRTG');
      expect(nat).toContain('-N FLANNEL-POSTRTG\n');
      expect(nat).toContain(
        `-A FLANNEL-POSTRTG -s ${leaseNet(host)}/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN\n`,
      );
      await expectPeerState(fl, backend, host);
      // The lease in the KV is this node's, with the backend's LeaseAttrs (spec §1).
      const value = lines(await sh(fl, h, `etcdctl get --print-value-only ${leaseKey(host)}`))[0];
      const attrs = JSON.parse(value) as Record<string, unknown>;
      expect(attrs.PublicIP).toBe(hostIp(indexOf(fl, host)));
      expect(attrs.BackendType).toBe(backend === 'udp' ? undefined : backend);

      // MTUs along the pod's path: device, bridge, host veth, pod eth0.
      const mtuOf = async (dev: string, ns = '') =>
        Number(/ mtu (\d+) /.exec(await sh(fl, h, `ip ${ns}link show ${dev}`))?.[1]);
      expect(await mtuOf('cni0')).toBe(MTU[backend]);
      expect(await mtuOf('eth0', '-n pod1 ')).toBe(MTU[backend]);
      const veth = /^\d+: (veth[0-9a-f]+)@/m.exec(await sh(fl, h, 'ip link show master cni0'));
      expect(veth).not.toBeNull();
      expect(await mtuOf(veth![1])).toBe(MTU[backend]);
      if (backend === 'vxlan') {
        expect(await mtuOf('flannel.1')).toBe(1450);
        expect(await sh(fl, h, 'ip -4 -br addr show flannel.1')).toBe(
          `flannel.1        UNKNOWN        ${leaseNet(host)}/32 \n`,
        );
      }
      if (backend === 'udp') {
        expect(await mtuOf('flannel0')).toBe(1472);
        expect(await sh(fl, h, 'ip -4 -br addr show flannel0')).toBe(
          `flannel0         UNKNOWN        ${leaseNet(host)}/32 \n`,
        );
      }
      // The pod's side, as the bridge plugin and host-local set it up (spec §5).
      const gw = leaseNet(host).replace(/0$/, '1');
      expect(lines(await sh(fl, h, 'ip -n pod1 route'))).toEqual([
        `default via ${gw} dev eth0 `,
        `10.244.0.0/16 via ${gw} dev eth0 `,
        `${leaseNet(host)}/24 dev eth0 proto kernel scope link src ${podIp(host)} `,
      ]);
    }
    expect(await pingMatrix(fl)).toEqual(allReach(fl, backend));
  });

  it('keeps forwarding after flanneld stops, except udp whose proxy dies with it', async () => {
    const fl = await threeNodeLab(backend);
    const node3 = fl.hosts[2];
    await sh(fl, 'node3', 'systemctl stop flanneld');
    expect(await isActive(fl, 'node3')).toBe('inactive');
    const ttl = await podPing(fl, 'node1', podIp(node3));
    expect(ttl).toBe(backend === 'udp' ? undefined : TTL[backend]);
    // Nothing is cleaned up on stop: the lease and the peers' entries stay (spec §1).
    expect(lines(await sh(fl, 'node1', `etcdctl get --keys-only ${leaseKey(node3)}`))).toEqual([
      leaseKey(node3),
    ]);
    await expectPeerState(fl, backend, fl.hosts[0]);
  });

  it("unprograms a deleted lease on every peer; the owner's flanneld shuts down", async () => {
    const fl = await threeNodeLab(backend);
    const node3 = fl.hosts[2];
    const gone = leaseNet(node3);
    expect(await sh(fl, 'node1', `etcdctl del ${leaseKey(node3)}`)).toBe('1\n');
    await fl.lab.advance(100);
    expect(await journal(fl, 'node3')).toMatch(
      /flanneld\[\d+\]: E\d{4} [\d:.]+ +\d+ main\.go:\d+\] Lease has been revoked\. Shutting down daemon\.\n/,
    );
    expect(await isActive(fl, 'node3')).toBe('inactive');
    for (const peer of fl.hosts.slice(0, 2)) {
      const h = peer.hostname;
      expect(await sh(fl, h, 'ip route')).not.toContain(gone);
      if (backend === 'vxlan') {
        expect(await sh(fl, h, 'ip neigh show dev flannel.1')).not.toContain(gone);
        expect(await sh(fl, h, 'bridge fdb show dev flannel.1')).not.toContain(hostIp(3));
        expect(lines(await sh(fl, h, 'ip neigh show dev flannel.1'))).toHaveLength(1);
        expect(lines(await sh(fl, h, 'bridge fdb show dev flannel.1'))).toHaveLength(1);
      }
    }
    expect(await podPing(fl, 'node1', podIp(node3))).toBeUndefined();
    expect(await podPing(fl, 'node1', podIp(fl.hosts[1]))).toBe(TTL[backend]);
  });

  it('lets a stopped node’s lease expire after 24 h and takes one again on start', async () => {
    const fl = await threeNodeLab(backend);
    const node3 = fl.hosts[2];
    const key = leaseKey(node3);
    await sh(fl, 'node3', 'systemctl stop flanneld');
    await fl.lab.advance(25 * 3600_000);
    expect(
      await sh(fl, 'node1', `etcdctl get --keys-only --prefix /coreos.com/network/subnets`),
    ).not.toContain(key);
    for (const peer of fl.hosts.slice(0, 2)) {
      expect(await sh(fl, peer.hostname, 'ip route')).not.toContain(leaseNet(node3));
      // The live nodes renewed theirs (23 h in), so they still reach each other.
      expect(await sh(fl, 'node1', `etcdctl get --keys-only ${leaseKey(peer)}`)).toContain(
        leaseKey(peer),
      );
    }
    expect(await podPing(fl, 'node1', podIp(fl.hosts[1]))).toBe(TTL[backend]);

    await sh(fl, 'node3', 'systemctl start flanneld');
    await fl.lab.advance(1000);
    expect(await isActive(fl, 'node3')).toBe('active');
    // subnet.env still names the old subnet, which nobody took meanwhile: it is reused.
    expect(await journal(fl, 'node3')).toContain(
      `Found previously leased subnet (${leaseNet(node3)}/24), reusing`,
    );
    expect(lines(await sh(fl, 'node1', `etcdctl get --keys-only ${key}`))).toEqual([key]);
    for (const host of fl.hosts) await expectPeerState(fl, backend, host);
    expect(await pingMatrix(fl)).toEqual(allReach(fl, backend));
  });

  it('keeps its subnet across restarts: by PublicIP, then from subnet.env', async () => {
    const fl = await threeNodeLab(backend);
    const node2 = fl.hosts[1];
    const before = subnetEnv(node2).FLANNEL_SUBNET;
    await sh(fl, 'node2', 'systemctl restart flanneld');
    await fl.lab.advance(1000);
    expect(subnetEnv(node2).FLANNEL_SUBNET).toBe(before);
    expect(await journal(fl, 'node2')).toContain(
      `Found lease (ip: ${leaseNet(node2)}/24 ipv6: ::/0) for current IP (${hostIp(2)}), reusing`,
    );
    // The lease key gone while flanneld is down: subnet.env's subnet is taken again.
    await sh(fl, 'node2', 'systemctl stop flanneld');
    await sh(fl, 'node1', `etcdctl del ${leaseKey(node2)}`);
    await sh(fl, 'node2', 'systemctl start flanneld');
    await fl.lab.advance(1000);
    expect(subnetEnv(node2).FLANNEL_SUBNET).toBe(before);
    for (const host of fl.hosts) await expectPeerState(fl, backend, host);
    expect(await pingMatrix(fl)).toEqual(allReach(fl, backend));
  });
});
