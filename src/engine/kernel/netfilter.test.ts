// Netfilter in the kernel module: rules compiled by netfilter-compile.ts walked at the hooks,
// conntrack and NAT. Two hosts on a test wire: A (172.16.112.133) with a pod 10.244.1.2
// behind cni0, B (172.16.112.130). (tests/unit/netfilter.test.ts replays the oracle's lab.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { ROOT_NS } from './types.ts';
import type { Kernel } from './kernel.ts';
import { compileRules } from './netfilter-compile.ts';
import { Netfilter } from './netfilter.ts';
import type { Rule } from './netfilter.ts';
import * as A from './assembly/abi.ts';
import { applyRules, forwardRules, masqRules } from '../flannel/iptables-rules.ts';
import { echoRequest, mutatedFrames, newKernel, parseIpv4, TestWire } from './testing/util.ts';

async function twoHosts() {
  const clock = new ManualClock();
  const wire = new TestWire();
  const a = await newKernel(clock, 11);
  const b = await newKernel(clock, 12);
  for (const [k, ip] of [
    [a, '172.16.112.133'],
    [b, '172.16.112.130'],
  ] as const) {
    const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether' });
    wire.attach(k, eth0);
    k.addrAdd(ROOT_NS, { ifindex: eth0, local: ip, prefixlen: 24 });
    k.linkSet(ROOT_NS, eth0, { up: true });
  }
  a.sysctlSet(ROOT_NS, 'net.ipv4.ip_forward', '1');
  const cni0 = a.linkAdd(ROOT_NS, { name: 'cni0', kind: 'bridge' });
  a.addrAdd(ROOT_NS, { ifindex: cni0, local: '10.244.1.1', prefixlen: 24 });
  a.linkSet(ROOT_NS, cni0, { up: true });
  a.netnsAdd('pod');
  a.linkAdd('pod', { name: 'eth0', kind: 'veth', peer: { name: 'veth0', netns: ROOT_NS } });
  a.linkSet(ROOT_NS, a.linkGet(ROOT_NS, 'veth0').ifindex, { master: cni0, up: true });
  a.linkSet('pod', 1, { up: true });
  a.addrAdd('pod', { ifindex: 2, local: '10.244.1.2', prefixlen: 24 });
  a.linkSet('pod', 2, { up: true });
  a.routeAdd('pod', { dst: '0.0.0.0', dstLen: 0, gateway: '10.244.1.1' });
  return { clock, wire, a, b };
}

const rule = (r: Partial<Rule>): Rule => ({ matches: [], target: '', ...r });
const MASQ_POD = rule({
  source: { addr: '10.244.1.0', prefixLen: 24, invert: false },
  outInterface: 'eth0',
  target: 'MASQUERADE',
});

function udpListener(k: Kernel, ns: string, addr: string, port: number) {
  const got: { data: string; from: string; port: number }[] = [];
  const fd = k.udpOpen(ns, (d, m) =>
    got.push({ data: new TextDecoder().decode(d), from: m.srcAddr, port: m.srcPort }),
  );
  k.udpBind(fd, addr, port);
  return { fd, got };
}

describe('netfilter in the kernel', () => {
  it('DNAT maps a port to a pod and translates its replies back (a port mapping)', async () => {
    const { wire, a, b } = await twoHosts();
    a.netfilter.append(
      'nat',
      'PREROUTING',
      rule({
        protocol: 'udp',
        matches: [{ kind: 'udp', dport: { lo: 8080, hi: 8080 } }],
        target: 'DNAT',
        options: { toAddr: '10.244.1.2', toPorts: { lo: 80, hi: 80 } },
      }),
    );
    const pod = udpListener(a, 'pod', '0.0.0.0', 80);
    const client = udpListener(b, ROOT_NS, '0.0.0.0', 40000);
    b.udpSend(client.fd, '172.16.112.133', 8080, new TextEncoder().encode('hello'));
    wire.flush();
    expect(pod.got).toEqual([{ data: 'hello', from: '172.16.112.130', port: 40000 }]);
    a.udpSend(pod.fd, '172.16.112.130', 40000, new TextEncoder().encode('world'));
    wire.flush();
    expect(client.got).toEqual([{ data: 'world', from: '172.16.112.133', port: 8080 }]);
    const [ct] = a.conntrackDump();
    expect(ct).toMatchObject({
      proto: 17,
      orig: { src: '172.16.112.130', dst: '172.16.112.133', a: 40000, b: 8080 },
      reply: { src: '10.244.1.2', dst: '172.16.112.130', a: 80, b: 40000 },
    });
    expect(ct.status & A.IPS_SEEN_REPLY).toBeTruthy();
    expect(a.dropCounters()).toEqual({});
  });

  it('routes again after DNAT at OUTPUT: a service address reaches its pod (kube-proxy style)', async () => {
    const { wire, a } = await twoHosts();
    a.routeAdd(ROOT_NS, { dst: '0.0.0.0', dstLen: 0, gateway: '172.16.112.1' });
    a.netfilter.append(
      'nat',
      'OUTPUT',
      rule({
        destination: { addr: '10.96.0.10', prefixLen: 32, invert: false },
        protocol: 'udp',
        matches: [{ kind: 'udp', dport: { lo: 53, hi: 53 } }],
        target: 'DNAT',
        options: { toAddr: '10.244.1.2', toPorts: { lo: 5353, hi: 5353 } },
      }),
    );
    const pod = udpListener(a, 'pod', '0.0.0.0', 5353);
    const client = udpListener(a, ROOT_NS, '0.0.0.0', 40001);
    a.udpSend(client.fd, '10.96.0.10', 53, new TextEncoder().encode('q'));
    wire.flush();
    // The source was picked by the first route (eth0's address), as Linux keeps it.
    expect(pod.got).toEqual([{ data: 'q', from: '172.16.112.133', port: 40001 }]);
    a.udpSend(pod.fd, '172.16.112.133', 40001, new TextEncoder().encode('a'));
    wire.flush();
    expect(client.got).toEqual([{ data: 'a', from: '10.96.0.10', port: 53 }]);
  });

  it("translates an ICMP error's quoted header back to the masqueraded pod", async () => {
    const { wire, a, b } = await twoHosts();
    a.netfilter.append('nat', 'POSTROUTING', MASQ_POD);
    b.netfilter.append('filter', 'INPUT', rule({ protocol: 'udp', target: 'REJECT' }));
    const errors: Uint8Array[] = [];
    const raw = a.icmpOpen('pod', (d) => errors.push(d));
    const pod = udpListener(a, 'pod', '0.0.0.0', 5555);
    a.udpSend(pod.fd, '172.16.112.130', 9999, new Uint8Array(8));
    wire.flush();
    // On B's wire the datagram came from A's address; the pod gets the error about itself.
    const fromA = wire.seen.map((f) => f.subarray(14)).filter((p) => p[9] === 17);
    expect(parseIpv4(fromA[0]).src).toBe('172.16.112.133');
    expect(errors).toHaveLength(1);
    const outer = parseIpv4(errors[0]);
    expect(outer).toMatchObject({ src: '172.16.112.130', dst: '10.244.1.2', proto: 1 });
    expect([outer.payload[0], outer.payload[1]]).toEqual([3, 3]); // port unreachable
    const inner = parseIpv4(outer.payload.subarray(8));
    expect(inner).toMatchObject({ src: '10.244.1.2', dst: '172.16.112.130', proto: 17 });
    const sport = (inner.payload[0] << 8) | inner.payload[1];
    expect(sport).toBe(5555);
    expect(b.netfilter.list('filter')[0].rules[0].packets).toBe(1);
    a.close(raw);
  });

  it('drops at a FORWARD DROP policy, counts it, and keeps no conntrack entry for it', async () => {
    const { wire, a } = await twoHosts();
    a.netfilter.append('nat', 'POSTROUTING', MASQ_POD);
    a.netfilter.setPolicy('filter', 'FORWARD', 'DROP');
    const pod = udpListener(a, 'pod', '0.0.0.0', 5555);
    a.udpSend(pod.fd, '172.16.112.130', 9999, new Uint8Array(8));
    wire.flush();
    const fwd = a.netfilter.list('filter').find((c) => c.name === 'FORWARD')!;
    expect([fwd.packets, fwd.bytes]).toEqual([1, 36]);
    expect(a.conntrackDump()).toEqual([]);
    expect(a.dropCounters()['netfilter: dropped']).toBe(1);
  });

  it('walks user chains: MARK, RETURN, then a mark match; -Z keeps the rules', async () => {
    const { wire, a } = await twoHosts();
    const nf = a.netfilter;
    nf.newChain('filter', 'C');
    nf.append('filter', 'FORWARD', rule({ target: 'C' }));
    nf.append(
      'filter',
      'C',
      rule({ target: 'MARK', options: { setMark: { value: 1, mask: 0xff } } }),
    );
    nf.append('filter', 'C', rule({ target: 'RETURN' }));
    nf.append('filter', 'C', rule({ target: 'ACCEPT' })); // never reached
    nf.append(
      'filter',
      'FORWARD',
      rule({ matches: [{ kind: 'mark', value: 1, mask: 1, invert: false }], target: 'DROP' }),
    );
    const pod = udpListener(a, 'pod', '0.0.0.0', 5555);
    a.udpSend(pod.fd, '172.16.112.130', 9999, new Uint8Array(8));
    wire.flush();
    const counts = () =>
      nf.list('filter').flatMap((c) => c.rules.map((r) => `${c.name} ${r.target} ${r.packets}`));
    expect(counts()).toEqual([
      'FORWARD C 1',
      'FORWARD DROP 1',
      'C MARK 1',
      'C RETURN 1',
      'C ACCEPT 0',
    ]);
    nf.zero('filter');
    expect(counts().every((l) => l.endsWith(' 0'))).toBe(true);
    expect(counts()).toHaveLength(5);
  });

  it('gives each namespace its own tables and conntrack table, as Linux does', async () => {
    const { wire, a } = await twoHosts();
    a.netfilter.append('nat', 'POSTROUTING', MASQ_POD);
    // The pod's own nat table puts conntrack in its namespace too: the same flow is tracked
    // in both, each in its own zone, and the host still masquerades it.
    a.netfilterFor('pod').append('nat', 'POSTROUTING', rule({ target: 'ACCEPT' }));
    a.netfilterFor('pod').append(
      'filter',
      'OUTPUT',
      rule({
        destination: { addr: '172.16.112.99', prefixLen: 32, invert: false },
        target: 'DROP',
      }),
    );
    const pod = udpListener(a, 'pod', '0.0.0.0', 5555);
    expect(() => a.udpSend(pod.fd, '172.16.112.99', 9, new Uint8Array(1))).toThrow(
      expect.objectContaining({ errno: 1 }),
    );
    a.udpSend(pod.fd, '172.16.112.130', 9999, new Uint8Array(8));
    wire.flush();
    const fromA = wire.seen.map((f) => f.subarray(14)).filter((p) => p[9] === 17);
    expect(fromA.map((p) => parseIpv4(p).src)).toEqual(['172.16.112.133']);
    expect(a.conntrackDump('pod').map((e) => e.orig.dst)).toEqual(['172.16.112.130']);
    expect(a.conntrackDump().map((e) => e.reply.dst)).toEqual(['172.16.112.133']);
    expect(a.netfilter.list('filter').every((c) => c.rules.length === 0)).toBe(true);
    expect(a.netfilterFor('pod').list('filter')[2].rules[0].packets).toBe(1);
  });

  it('compiles an untouched rule set to no hook at all (an empty table costs nothing)', () => {
    const nf = new Netfilter();
    let tables: Parameters<typeof compileRules>[0] | undefined;
    new Netfilter({ load: (t) => (tables = t), counters: () => new Float64Array(0) }).flush(
      'filter',
    );
    const { rules } = compileRules(tables!);
    const header = new Int32Array(rules.buffer, 0, A.NF_HDR_WORDS);
    expect([...header.subarray(A.NF_H_HOOKS, A.NF_H_HOOKS + 10)]).toEqual(Array(10).fill(-1));
    expect(header[A.NF_H_FLAGS]).toBe(0);
    expect(nf.list('filter')).toHaveLength(3);
  });
});

describe('netfilter under malformed frames', () => {
  it("survives 100,000 mutated frames through a host with flanneld's rules, and still NATs", async () => {
    const { clock, wire, a, b } = await twoHosts();
    const network = { ip: 0x0af40000, prefixLen: 16 };
    const lease = { ip: 0x0af40100, prefixLen: 24 };
    applyRules(a.netfilter, [...masqRules(network, lease), ...forwardRules(network)]);
    a.netfilter.append(
      'filter',
      'INPUT',
      rule({
        protocol: 'udp',
        matches: [{ kind: 'udp', dport: { lo: 7, hi: 7 } }],
        target: 'REJECT',
      }),
    );
    const pings = () => {
      const got: Uint8Array[] = [];
      const fd = a.icmpOpen('pod', (d) => got.push(d));
      a.icmpSend(fd, '172.16.112.130', echoRequest(0x4242, 1));
      wire.flush();
      a.close(fd);
      return got.some((p) => p[20] === 0 && parseIpv4(p).src === '172.16.112.130');
    };
    expect(pings()).toBe(true);
    const pod = udpListener(a, 'pod', '0.0.0.0', 5555);
    a.udpSend(pod.fd, '172.16.112.130', 9999, new Uint8Array(8));
    b.udpSend(udpListener(b, ROOT_NS, '0.0.0.0', 6000).fd, '172.16.112.133', 7, new Uint8Array(4));
    wire.flush();
    // IPv4 only: mutated ARP would (rightly) poison the neighbour table, which is not this test's.
    const seeds = wire.seen.filter((f) => f[12] === 8 && f[13] === 0);
    expect(seeds.length).toBeGreaterThan(4);
    const eth0 = a.linkGet(ROOT_NS, 'eth0').ifindex;
    const free = a.freeBuffers();
    a.onWireTransmit = () => {};
    // Half keep a right IPv4 header checksum, so the hooks see them.
    const frame = mutatedFrames(seeds, -40, 20, (f, flips) => {
      if (f.length >= 34 && f[12] === 8 && f[13] === 0 && (flips & 1) === 0) fixIpChecksum(f);
    });
    fc.assert(
      fc.property(frame, (f) => {
        a.wireReceive(eth0, f);
      }),
      { numRuns: 100_000, seed: 4321 },
    );
    // Frames forwarded to addresses nobody answers wait for ARP, and go when it fails.
    await clock.advance(10_000);
    expect(a.freeBuffers()).toBe(free);
    expect(a.conntrackDump().length).toBeLessThan(4096);
    // The rules saw the traffic: the REJECT answered, masqueraded replies found their entry.
    const input = a.netfilter.list('filter').find((c) => c.name === 'INPUT')!;
    expect(input.rules[0].packets).toBeGreaterThan(100);
    wire.attach(a, eth0);
    wire.attach(b, b.linkGet(ROOT_NS, 'eth0').ifindex);
    expect(pings()).toBe(true);
  }, 20_000);
});

function fixIpChecksum(f: Uint8Array): void {
  const ihl = (f[14] & 15) * 4;
  if (ihl < 20 || 14 + ihl > f.length) return;
  f[24] = f[25] = 0;
  let sum = 0;
  for (let i = 14; i < 14 + ihl; i += 2) sum += (f[i] << 8) | f[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  f[24] = c >> 8;
  f[25] = c & 255;
}

describe('netfilter limits', () => {
  it('refuses a rule set too big to load, leaving the tables as they were', async () => {
    const { a } = await twoHosts();
    const r = (i: number) =>
      rule({
        source: { addr: `10.${i >> 8}.${i & 255}.0`, prefixLen: 24, invert: false },
        target: 'DROP',
      });
    let i = 0;
    expect(() => {
      for (; i < 2000; i++) a.netfilter.append('filter', 'INPUT', r(i));
    }).toThrow('Cannot allocate memory.');
    expect(a.netfilter.list('filter')[0].rules).toHaveLength(i);
    expect(i).toBeGreaterThan(400);
  });
});
