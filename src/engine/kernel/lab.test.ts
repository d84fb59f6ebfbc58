// Multi-host scenarios built exactly like the seeds (see /work/shared/oracle/linux-vxlan-lab.sh):
// host kernels joined by a test wire, a cni0 bridge with one pod each, and flannel's vxlan,
// host-gw or udp (TUN) programming.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { ROOT_NS, type RouteInfo } from './types.ts';
import type { Kernel } from './kernel.ts';
import { internetChecksum as checksum } from '../packet/checksum.ts';
import { echoRequest, newKernel, parseIpv4, TestWire } from './testing/util.ts';

const HIP = ['172.16.112.128', '172.16.112.133', '172.16.112.130'];
const SUB = ['10.244.0', '10.244.1', '10.244.2'];

function golden(name: string): string {
  return readFileSync(new URL(`../../../tests/golden/linux/${name}`, import.meta.url), 'utf8');
}

/** One section ("# title") of a golden tables file. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`# ${title}`));
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && !lines[i].startsWith('# '); i++) {
    if (lines[i].trim()) out.push(lines[i]);
  }
  return out;
}

interface Host {
  k: Kernel;
  eth0: number;
  cni0: number;
  flannel?: number;
}

async function buildHost(
  i: number,
  wire: TestWire,
  clock: ManualClock,
  mode: 'vxlan' | 'host-gw',
): Promise<Host> {
  const k = await newKernel(clock, 100 + i);
  k.sysctlSet(ROOT_NS, 'net.ipv4.ip_forward', '1');
  const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether' });
  wire.attach(k, eth0);
  k.addrAdd(ROOT_NS, { ifindex: eth0, local: HIP[i], prefixlen: 24 });
  k.linkSet(ROOT_NS, eth0, { up: true });
  const cni0 = k.linkAdd(ROOT_NS, { name: 'cni0', kind: 'bridge' });
  k.addrAdd(ROOT_NS, { ifindex: cni0, local: `${SUB[i]}.1`, prefixlen: 24 });
  k.linkSet(ROOT_NS, cni0, { up: true });
  k.netnsAdd('pod');
  k.linkAdd('pod', { name: 'eth0', kind: 'veth', peer: { name: `veth${i}`, netns: ROOT_NS } });
  const veth = k.linkGet(ROOT_NS, `veth${i}`).ifindex;
  k.linkSet(ROOT_NS, veth, { master: cni0, up: true });
  k.linkSet('pod', 1, { up: true });
  k.addrAdd('pod', { ifindex: 2, local: `${SUB[i]}.2`, prefixlen: 24 });
  k.linkSet('pod', 2, { up: true });
  k.routeAdd('pod', { dst: '0.0.0.0', dstLen: 0, gateway: `${SUB[i]}.1` });
  const host: Host = { k, eth0, cni0 };
  if (mode === 'vxlan') {
    const fl = k.linkAdd(ROOT_NS, {
      name: 'flannel.1',
      kind: 'vxlan',
      vxlan: { vni: 1, local: HIP[i], dev: eth0, dstport: 8472, learning: false },
    });
    k.linkSet(ROOT_NS, fl, { mtu: 1450 });
    k.addrAdd(ROOT_NS, { ifindex: fl, local: `${SUB[i]}.0`, prefixlen: 32 });
    k.linkSet(ROOT_NS, fl, { up: true });
    k.linkSet(ROOT_NS, cni0, { mtu: 1450 });
    k.linkSet('pod', 2, { mtu: 1450 });
    host.flannel = fl;
  }
  return host;
}

async function buildLab(mode: 'vxlan' | 'host-gw') {
  const clock = new ManualClock();
  const wire = new TestWire();
  const hosts: Host[] = [];
  for (let i = 0; i < 3; i++) hosts.push(await buildHost(i, wire, clock, mode));
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (i === j) continue;
      const { k, eth0, flannel } = hosts[i];
      if (mode === 'vxlan') {
        const mac = hosts[j].k.linkGet(ROOT_NS, 'flannel.1').address!;
        k.routeAdd(ROOT_NS, {
          dst: `${SUB[j]}.0`,
          dstLen: 24,
          gateway: `${SUB[j]}.0`,
          oif: flannel,
          onlink: true,
        });
        k.neighAdd(ROOT_NS, { ifindex: flannel!, dst: `${SUB[j]}.0`, lladdr: mac });
        k.fdbAdd(ROOT_NS, { ifindex: flannel!, mac, dst: HIP[j] }, { append: true });
      } else {
        k.routeAdd(ROOT_NS, { dst: `${SUB[j]}.0`, dstLen: 24, gateway: HIP[j], oif: eth0 });
      }
    }
  }
  return { clock, wire, hosts };
}

function ping(k: Kernel, ns: string, dst: string, wire: TestWire, count = 1, size = 56) {
  const got: Uint8Array[] = [];
  const fd = k.icmpOpen(ns, (d) => got.push(d));
  for (let seq = 1; seq <= count; seq++) {
    k.icmpSend(fd, dst, echoRequest(0x1f68, seq, size));
    wire.flush();
  }
  k.close(fd);
  return got.map(parseIpv4);
}

function routeLine(k: Kernel, r: RouteInfo): string {
  const dev = (i?: number) => (i ? k.linkGet(ROOT_NS, i).name : '');
  let s = r.dstLen === 0 ? 'default' : r.dstLen === 32 ? r.dst : `${r.dst}/${r.dstLen}`;
  if (r.gateway) s += ` via ${r.gateway}`;
  s += ` dev ${dev(r.oif)}`;
  if (r.protocol !== 'boot') s += ` proto ${r.protocol}`;
  if (r.scope !== 'global') s += ` scope ${r.scope}`;
  if (r.prefsrc) s += ` src ${r.prefsrc}`;
  if (r.onlink) s += ' onlink';
  return s + ' ';
}

describe('vxlan lab (three hosts, like the seeds)', () => {
  it('pod on host2 pings pod on host3 with ttl 62, through real VXLAN on the wire', async () => {
    const { wire, hosts } = await buildLab('vxlan');
    const h2 = hosts[1];
    const replies = ping(h2.k, 'pod', '10.244.2.2', wire, 3);
    expect(replies.filter((r) => r.payload[0] === 0)).toHaveLength(3);
    for (const r of replies)
      expect(r).toMatchObject({ ttl: 62, src: '10.244.2.2', dst: '10.244.1.2' });

    // The wire carried ARP for the remote VTEP, then VXLAN frames.
    const vx = wire.seen.filter((f) => f[12] === 8 && f[13] === 0);
    expect(vx.length).toBe(6);
    const first = vx[0];
    const outer = parseIpv4(first.subarray(14));
    expect(outer).toMatchObject({
      src: '172.16.112.133',
      dst: '172.16.112.130',
      proto: 17,
      ttl: 64,
    });
    expect(outer.df).toBe(false);
    expect(outer.totalLen).toBe(134);
    const udp = outer.payload;
    const sport = (udp[0] << 8) | udp[1];
    expect(sport).toBeGreaterThanOrEqual(32768);
    expect(sport).toBeLessThan(61000);
    expect((udp[2] << 8) | udp[3]).toBe(8472);
    // VXLAN: flags I, VNI 1.
    expect(Array.from(udp.subarray(8, 16))).toEqual([8, 0, 0, 0, 0, 0, 1, 0]);
    // The outer UDP checksum is real: pseudo header + datagram sums to zero.
    const pseudo = new Uint8Array(12 + udp.length);
    pseudo.set(first.subarray(14 + 12, 14 + 20), 0);
    pseudo[9] = 17;
    pseudo[10] = udp.length >> 8;
    pseudo[11] = udp.length & 255;
    pseudo.set(udp, 12);
    expect((udp[6] << 8) | udp[7]).not.toBe(0);
    expect(checksum(pseudo)).toBe(0);
    // The inner frame goes between the two flannel.1 MACs with ttl 63, as in the golden.
    const inner = udp.subarray(16);
    const mac = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
    expect(mac(inner.subarray(0, 6))).toBe(hosts[2].k.linkGet(ROOT_NS, 'flannel.1').address);
    expect(mac(inner.subarray(6, 12))).toBe(h2.k.linkGet(ROOT_NS, 'flannel.1').address);
    expect(parseIpv4(inner.subarray(14))).toMatchObject({ ttl: 63, df: true, totalLen: 84 });
    // Both directions use the same source port (the flow hash is symmetric, as in the golden).
    const back = parseIpv4(vx[1].subarray(14)).payload;
    expect((back[0] << 8) | back[1]).toBe(sport);
  });

  it('holds the tables the golden shows for host2', async () => {
    const { hosts } = await buildLab('vxlan');
    const { k } = hosts[1];
    const g = golden('tables-vxlan.txt');
    expect(k.routeDump(ROOT_NS).map((r) => routeLine(k, r))).toEqual(
      section(g, 'ip route (host2)'),
    );
    const get = k.routeGet(ROOT_NS, '10.244.2.2');
    expect(get).toEqual({
      type: 'unicast',
      dst: '10.244.2.2',
      gateway: '10.244.2.0',
      oif: hosts[1].flannel,
      prefsrc: '10.244.1.0',
    });
    // bridge fdb show, with MACs masked.
    const names = new Map(k.linkDump(ROOT_NS).map((l) => [l.ifindex, l.name]));
    const fdb = k.fdbDump(ROOT_NS).map((f) => {
      let s = `${f.mac} dev ${names.get(f.ifindex)}`;
      if (f.dst) s += ` dst ${f.dst}`;
      s += f.master ? ` master ${names.get(f.master)}` : ' self';
      return s + ` ${f.state}`;
    });
    const want = section(g, 'bridge fdb show (host2)').map((l) =>
      l.replace('veth1', 'veth1').replace(/^(fe:c4|5a:3c|aa:d6)[0-9a-f:]*/, 'MAC'),
    );
    const veth1 = k.linkGet(ROOT_NS, 'veth1').address!;
    const masked = fdb.map((l) =>
      l.startsWith(veth1) || !l.match(/^(33:33|01:00:5e)/) ? l.replace(/^[0-9a-f:]{17}/, 'MAC') : l,
    );
    expect(masked.length).toBe(want.length);
    expect(masked.slice(0, 9)).toEqual(want.slice(0, 9));
    expect(masked.slice(9).sort()).toEqual(want.slice(9).sort());
    const cni0 = k.linkGet(ROOT_NS, 'cni0');
    expect(cni0).toMatchObject({ mtu: 1450, operstate: 'UP', address: veth1 });
    expect(k.linkGet(ROOT_NS, 'flannel.1')).toMatchObject({
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
    });
    expect(k.linkGet(ROOT_NS, 'veth1')).toMatchObject({ promiscuity: 1, master: cni0.ifindex });
  });

  it('fails a too-big DF ping with EMSGSIZE mtu=1450 and unknown nets with Net Unreachable', async () => {
    const { wire, hosts } = await buildLab('vxlan');
    const { k } = hosts[1];
    const fd = k.icmpOpen('pod', () => {});
    expect(() =>
      k.icmpSend(fd, '10.244.2.2', echoRequest(1, 1, 1500), { pmtudiscDo: true }),
    ).toThrow(expect.objectContaining({ errno: 90, mtu: 1450 }));
    const got = ping(k, 'pod', '10.244.9.9', wire);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ src: '10.244.1.1', dst: '10.244.1.2' });
    expect([got[0].payload[0], got[0].payload[1]]).toEqual([3, 0]);
  });

  it('forwards a DF packet bigger than the vxlan MTU with fragmentation-needed', async () => {
    const { wire, hosts } = await buildLab('vxlan');
    const { k } = hosts[1];
    k.linkSet('pod', 2, { mtu: 1500 });
    const got: Uint8Array[] = [];
    const fd = k.icmpOpen('pod', (d) => got.push(d));
    k.icmpSend(fd, '10.244.2.2', echoRequest(1, 1, 1472));
    wire.flush();
    const err = parseIpv4(got[0]);
    expect(err.src).toBe('10.244.1.1');
    expect([err.payload[0], err.payload[1]]).toEqual([3, 4]);
    expect((err.payload[6] << 8) | err.payload[7]).toBe(1450);
  });

  it('sends ICMP time exceeded when the TTL runs out', async () => {
    const { wire, hosts } = await buildLab('vxlan');
    const { k } = hosts[1];
    const got: Uint8Array[] = [];
    const fd = k.icmpOpen('pod', (d) => got.push(d));
    k.icmpSend(fd, '10.244.2.2', echoRequest(1, 1), { ttl: 1 });
    k.icmpSend(fd, '10.244.2.2', echoRequest(1, 2), { ttl: 2 });
    wire.flush();
    const errs = got.map(parseIpv4).filter((p) => p.payload[0] === 11);
    // host3 answers from flannel.1's address (no prefsrc on that route), as traceroute shows.
    expect(errs.map((p) => p.src)).toEqual(['10.244.1.1', '10.244.2.0']);
  });
});

describe('host-gw lab', () => {
  it('routes pod to pod via the other host, ttl 62', async () => {
    const { wire, hosts } = await buildLab('host-gw');
    const replies = ping(hosts[1].k, 'pod', '10.244.2.2', wire, 2);
    expect(replies.map((r) => r.ttl)).toEqual([62, 62]);
    const g = golden('tables-host-gw.txt');
    const { k } = hosts[1];
    expect(k.routeDump(ROOT_NS).map((r) => routeLine(k, r))).toEqual(
      section(g, 'ip route (host2)'),
    );
    // The wire carried plain IPv4 between the two hosts' NICs.
    const ip = wire.seen
      .filter((f) => f[12] === 8 && f[13] === 0)
      .map((f) => parseIpv4(f.subarray(14)));
    expect(ip[0]).toMatchObject({ src: '10.244.1.2', dst: '10.244.2.2', ttl: 63 });
  });
});

describe('udp backend: TUN device', () => {
  it('hands routed packets to the TUN fd and injects written ones', async () => {
    const clock = new ManualClock();
    const wire = new TestWire();
    const h = await buildHost(1, wire, clock, 'host-gw');
    const { k } = h;
    const fromTun: Uint8Array[] = [];
    const tun = k.tunOpen(ROOT_NS, 'flannel0', (d) => fromTun.push(d));
    k.linkSet(ROOT_NS, tun.ifindex, { mtu: 1472 });
    k.addrAdd(ROOT_NS, { ifindex: tun.ifindex, local: '10.244.1.0', prefixlen: 16 });
    k.linkSet(ROOT_NS, tun.ifindex, { up: true });
    const info = k.linkGet(ROOT_NS, 'flannel0');
    expect(info).toMatchObject({
      kind: 'tun',
      mtu: 1472,
      qdisc: 'pfifo_fast',
      txqlen: 500,
      operstate: 'UNKNOWN',
      address: null,
    });
    expect(info.flags).toBe(0x10 | 0x1000 | 0x80 | 0x1 | 0x10000);
    expect(k.routeGet(ROOT_NS, '10.244.2.2')).toMatchObject({
      oif: tun.ifindex,
      prefsrc: '10.244.1.0',
    });
    const caps: string[] = [];
    k.captureOpen(ROOT_NS, tun.ifindex, (_d, m) => caps.push(`${m.direction} ${m.linktype}`));
    const got: Uint8Array[] = [];
    const fd = k.icmpOpen('pod', (d) => got.push(d));
    k.icmpSend(fd, '10.244.2.2', echoRequest(9, 1));
    expect(fromTun).toHaveLength(1);
    const req = parseIpv4(fromTun[0]);
    expect(req).toMatchObject({ src: '10.244.1.2', dst: '10.244.2.2', ttl: 63 });
    // Answer as the remote pod would, through the TUN fd.
    const reply = new Uint8Array(fromTun[0]);
    reply.set(fromTun[0].subarray(16, 20), 12);
    reply.set(fromTun[0].subarray(12, 16), 16);
    reply[8] = 62;
    reply[10] = reply[11] = 0;
    const c = checksum(reply.subarray(0, 20));
    reply[10] = c >> 8;
    reply[11] = c & 255;
    reply[20] = 0;
    reply[22] = reply[23] = 0;
    const ic = checksum(reply.subarray(20));
    reply[22] = ic >> 8;
    reply[23] = ic & 255;
    k.tunWrite(tun.fd, reply);
    expect(got.map(parseIpv4)).toMatchObject([{ src: '10.244.2.2', ttl: 61 }]);
    expect(caps).toEqual(['out 101', 'in 101']);
    k.close(tun.fd);
    expect(() => k.linkGet(ROOT_NS, 'flannel0')).toThrow();
  });
});
