// Issue 8 item 1: switching the backend in place, as an operator does (the UI's switchBackend):
// put the new network config into etcd, then `systemctl restart flanneld` on every host. After
// the switch each host must hold exactly what a host of a fresh lab of that backend holds.
import { describe, expect, it } from 'vitest';
import { networkConfigJson, type Backend } from '../../src/engine/lab/node-setup.ts';
import { leaseNet, podIp, podPing, sh, threeNodeLab, type FlannelLab } from './flannel-lab.ts';

/** What the issue compares, read through the real programs in each host's shell. */
const TABLES = [
  'ip route',
  'ip addr',
  'ip -d link',
  'ip neigh',
  'bridge fdb',
  'iptables -S',
  'iptables -t nat -S',
];

/** The UI restarts every host at once; an operator with a terminal may go one host at a time. */
async function switchConfig(fl: FlannelLab, json: string, oneByOne = false): Promise<void> {
  await sh(fl, 'node1', `etcdctl put /coreos.com/network/config '${json}'`);
  const restart = (host: string) => fl.lab.run(host, 'systemctl restart flanneld');
  if (oneByOne) for (const h of fl.hosts) await sh(fl, h.hostname, 'systemctl restart flanneld');
  else {
    const restarts = fl.hosts.map((h) => restart(h.hostname));
    for (const r of await fl.lab.drive(Promise.all(restarts))) expect(r.status).toBe(0);
  }
  // Every flanneld has seen every peer's new lease.
  await fl.lab.advance(1000);
}

function switchBackend(fl: FlannelLab, backend: Backend, oneByOne = false): Promise<void> {
  return switchConfig(fl, networkConfigJson({ network: '10.244.0.0/16', backend }), oneByOne);
}

/**
 * Ifindexes follow from the order devices were made in, which a switch changes. cni0 and the
 * pods' veths keep the MTU the CNI plugin gave them from the subnet.env of their day, as on a
 * real node: they are the CNI's, not flanneld's, and only a pod created after the switch gets
 * the new FLANNEL_MTU.
 */
function normaliseLinks(text: string): string {
  const blocks = text
    .split(/^(?=\d+: )/m)
    .map((b) =>
      b.replace(/^\d+: /, 'N: ').replace(/^(N: (?:cni0|vethX@if\d+): .*? mtu )\d+/, '$1M'),
    );
  return blocks.sort().join('');
}

/**
 * What is random by nature (MACs, veth names, leased subnet numbers) or history (ifindexes,
 * bridge timers) is normalised; a subnet becomes the name of the node that holds it.
 */
function normalise(fl: FlannelLab, cmd: string, text: string): string {
  const owner = new Map(fl.hosts.map((h) => [leaseNet(h).split('.')[2], h.hostname]));
  let out = text
    .replace(/\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/g, (mac) =>
      /^(33:33|01:00:5e|00:00:00|ff:ff)/.test(mac) ? mac : 'MAC',
    )
    .replace(/\bveth[0-9a-f]{8}\b/g, 'vethX')
    .replace(/(_timer) +[\d.]+/g, '$1 T')
    .replace(/\b10\.244\.(\d+)\./g, (all, octet: string) =>
      owner.has(octet) ? `10.244.<${owner.get(octet)}>.` : all,
    );
  if (cmd === 'ip -d link' || cmd === 'ip addr') out = normaliseLinks(out);
  else if (!cmd.startsWith('iptables')) out = out.split('\n').sort().join('\n');
  return out;
}

async function tables(fl: FlannelLab): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of fl.hosts)
    for (const cmd of TABLES)
      out[`${h.hostname}: ${cmd}`] = normalise(fl, cmd, await sh(fl, h.hostname, cmd));
  return out;
}

const fresh = new Map<Backend, Promise<Record<string, string>>>();
function freshTables(backend: Backend): Promise<Record<string, string>> {
  if (!fresh.has(backend)) fresh.set(backend, threeNodeLab(backend).then(tables));
  return fresh.get(backend)!;
}

const SWITCHES: [Backend, Backend][] = [
  ['vxlan', 'host-gw'],
  ['vxlan', 'udp'],
  ['host-gw', 'vxlan'],
  ['host-gw', 'udp'],
  ['udp', 'vxlan'],
  ['udp', 'host-gw'],
];

describe('switching the backend in place', () => {
  it.each(SWITCHES)('%s -> %s leaves what a fresh lab of the target holds', async (from, to) => {
    const fl = await threeNodeLab(from);
    await switchBackend(fl, to);
    expect(await tables(fl)).toEqual(await freshTables(to));
  });

  it.each(SWITCHES)('%s -> %s, one host at a time, too', async (from, to) => {
    const fl = await threeNodeLab(from);
    await switchBackend(fl, to, true);
    expect(await tables(fl)).toEqual(await freshTables(to));
  });

  it('vxlan -> udp -> vxlan -> udp leaves a fresh udp lab', async () => {
    const fl = await threeNodeLab('vxlan');
    for (const to of ['udp', 'vxlan', 'udp'] as const) {
      await switchBackend(fl, to);
      expect(await tables(fl)).toEqual(await freshTables(to));
    }
  });

  it.each(['vxlan', 'host-gw'] as const)(
    'after %s -> udp a pod ping crosses flannel0 and UDP 8285',
    async (from) => {
      const fl = await threeNodeLab(from);
      await switchBackend(fl, 'udp');
      const node2 = fl.hosts[1];
      const tun = fl.lab.start('node1', 'tcpdump -i flannel0 -n -c 2');
      const udp = fl.lab.start('node1', 'tcpdump -i eth0 -n -c 2 udp port 8285');
      await fl.lab.advance(10);
      // The udp proxy takes one off the TTL on send and one on receive (spec §3).
      expect(await podPing(fl, 'node1', podIp(node2))).toBe(60);
      const [t, u] = [(await tun.done).stdout, (await udp.done).stdout];
      expect(t).toContain(`> ${podIp(node2)}: ICMP echo request`);
      expect(t).toContain(`${podIp(node2)} > `);
      expect(u).toMatch(/IP 172\.16\.112\.11\.8285 > 172\.16\.112\.12\.8285: UDP, length 84/);
      expect(u).toMatch(/IP 172\.16\.112\.12\.8285 > 172\.16\.112\.11\.8285: UDP, length 84/);
    },
  );

  it('vxlan VNI 1 -> VNI 2 deletes flannel.1', async () => {
    const fl = await threeNodeLab('vxlan');
    await switchConfig(fl, '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","VNI":2}}');
    for (const h of fl.hosts) {
      const links = await sh(fl, h.hostname, 'ip -br link');
      expect(links).toMatch(/^flannel\.2 /m);
      expect(links).not.toMatch(/^flannel\.1 /m);
    }
    expect(await podPing(fl, 'node1', podIp(fl.hosts[2]))).toBe(62);
  });
});

// What a restart with the same backend keeps: real flannel deletes nothing at start, so the
// route to a peer whose lease went while flanneld was down stays (spec §1, "a dead node's subnet
// stays in peers' routes"); the switch clean-up must not touch a backend's own routes.
describe('restarting with the same backend', () => {
  const CONFIGS = {
    'host-gw': networkConfigJson({ network: '10.244.0.0/16', backend: 'host-gw' }),
    'vxlan DirectRouting':
      '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan","DirectRouting":true}}',
  };
  it.each(Object.entries(CONFIGS))('%s keeps the routes it made', async (_name, json) => {
    const fl = await threeNodeLab('vxlan');
    await switchConfig(fl, json);
    const [, , node3] = fl.hosts;
    const gone = `${leaseNet(node3)}/24 via 172.16.112.13 dev eth0`;
    expect(await sh(fl, 'node1', 'ip route')).toContain(gone);
    await sh(fl, 'node1', 'systemctl stop flanneld');
    await sh(fl, 'node1', `etcdctl del /coreos.com/network/subnets/${leaseNet(node3)}-24`);
    await sh(fl, 'node1', 'systemctl start flanneld');
    await fl.lab.advance(1000);
    expect(await sh(fl, 'node1', 'ip route')).toContain(gone);
    expect(await sh(fl, 'node2', 'ip route')).not.toContain(gone);
  });
});
