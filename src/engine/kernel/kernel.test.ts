import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { NetlinkError, ROOT_NS } from './types.ts';
import { echoRequest, newKernel, parseIpv4 } from './testing/util.ts';
import type { Kernel } from './kernel.ts';

/** Two namespaces joined by a veth pair, 10.0.0.1/24 and 10.0.0.2/24. */
async function vethPair(clock = new ManualClock()) {
  const k = await newKernel(clock);
  k.netnsAdd('a');
  k.netnsAdd('b');
  k.linkAdd('a', { name: 'eth0', kind: 'veth', peer: { name: 'eth0', netns: 'b' } });
  for (const ns of ['a', 'b']) {
    const eth0 = k.linkGet(ns, 'eth0').ifindex;
    k.linkSet(ns, 1, { up: true });
    k.addrAdd(ns, { ifindex: eth0, local: ns === 'a' ? '10.0.0.1' : '10.0.0.2', prefixlen: 24 });
    k.linkSet(ns, eth0, { up: true });
  }
  return k;
}

function collect(k: Kernel, ns: string) {
  const got: Uint8Array[] = [];
  const fd = k.icmpOpen(ns, (data) => got.push(data));
  return { fd, got };
}

describe('a fresh kernel', () => {
  it('has lo up with 127.0.0.1/8 and ip_forward 0', async () => {
    const k = await newKernel();
    const links = k.linkDump(ROOT_NS);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({
      ifindex: 1,
      name: 'lo',
      kind: 'loopback',
      mtu: 65536,
      operstate: 'UNKNOWN',
      qdisc: 'noqueue',
      txqlen: 1000,
      address: '00:00:00:00:00:00',
    });
    expect(links[0].flags).toBe(0x1 | 0x8 | 0x10000);
    expect(k.addrDump(ROOT_NS)).toEqual([
      { ifindex: 1, family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' },
    ]);
    expect(k.sysctlGet(ROOT_NS, 'net.ipv4.ip_forward')).toBe('0');
    expect(k.routeDump(ROOT_NS, 'local').map((r) => `${r.type} ${r.dst}/${r.dstLen}`)).toEqual([
      'local 127.0.0.0/8',
      'local 127.0.0.1/32',
      'broadcast 127.255.255.255/32',
    ]);
  });

  it('numbers links per namespace, the veth peer first like Linux', async () => {
    const k = await newKernel();
    k.netnsAdd('pod');
    const veth = k.linkAdd(ROOT_NS, {
      name: 'veth1',
      kind: 'veth',
      peer: { name: 'eth0', netns: 'pod' },
    });
    expect(veth).toBe(2);
    const eth0 = k.linkGet('pod', 'eth0');
    expect(eth0.ifindex).toBe(2);
    expect(eth0.peer).toEqual({ ifindex: 2, netns: '' });
    expect(k.linkGet('pod', 'lo').operstate).toBe('DOWN');
    expect(k.linkGet(ROOT_NS, 'veth1').peer).toEqual({ ifindex: 2, netns: 'pod' });
    expect(() => k.linkGet(ROOT_NS, 'nope')).toThrow(NetlinkError);
    expect(k.netnsList()).toEqual(['pod']);
  });
});

describe('veth between two namespaces', () => {
  it('pings both ways with ARP, replies carry ttl 64 and the echoed id/seq', async () => {
    const k = await vethPair();
    const a = collect(k, 'a');
    const b = collect(k, 'b');
    k.icmpSend(a.fd, '10.0.0.2', echoRequest(0x1234, 1));
    // b's raw socket sees the request; a's sees the reply.
    expect(b.got).toHaveLength(1);
    expect(a.got).toHaveLength(1);
    const reply = parseIpv4(a.got[0]);
    expect(reply).toMatchObject({ src: '10.0.0.2', dst: '10.0.0.1', ttl: 64, proto: 1, df: false });
    expect(reply.id).not.toBe(0);
    expect(Array.from(reply.payload.subarray(0, 8))).toEqual([
      0,
      0,
      ...reply.payload.subarray(2, 4),
      0x12,
      0x34,
      0,
      1,
    ]);
    const request = parseIpv4(b.got[0]);
    expect(request).toMatchObject({ ttl: 64, df: true, totalLen: 84 });
    const neigh = k.neighDump('a');
    expect(neigh).toEqual([
      { ifindex: 2, dst: '10.0.0.2', lladdr: k.linkGet('b', 'eth0').address, state: 'REACHABLE' },
    ]);
    // The answering side learnt the asker from its request.
    expect(k.neighDump('b')[0].state).toBe('DELAY'); // STALE, then used for the reply
    const stats = k.linkGet('a', 'eth0').stats;
    expect(stats.txPackets).toBe(2); // ARP request + echo request
    expect(stats.rxPackets).toBe(2);
    expect(stats.txBytes).toBe(42 + 98);
  });

  it('pings itself through lo', async () => {
    const k = await vethPair();
    const a = collect(k, 'a');
    k.icmpSend(a.fd, '10.0.0.1', echoRequest(7, 1));
    expect(a.got.map((p) => p[20])).toEqual([8, 0]);
    expect(k.linkGet('a', 'lo').stats.txPackets).toBe(2);
  });

  it('captures frames in both directions with the link name', async () => {
    const k = await vethPair();
    const seen: string[] = [];
    k.captureOpen('a', 0, (d, m) =>
      seen.push(`${m.ifname} ${m.direction} ${m.linktype} ${d.length}`),
    );
    const a = collect(k, 'a');
    k.icmpSend(a.fd, '10.0.0.2', echoRequest(1, 1));
    expect(seen).toEqual(['eth0 out 1 42', 'eth0 in 1 42', 'eth0 out 1 98', 'eth0 in 1 98']);
  });
});

describe('ARP states', () => {
  it('goes INCOMPLETE -> FAILED after 3 probes 1 s apart, and the sender hears Host Unreachable', async () => {
    const clock = new ManualClock();
    const k = await vethPair(clock);
    const a = collect(k, 'a');
    k.icmpSend(a.fd, '10.0.0.99', echoRequest(1, 1));
    expect(k.neighDump('a')).toEqual([{ ifindex: 2, dst: '10.0.0.99', state: 'INCOMPLETE' }]);
    expect(k.nextTimer()).toBe(clock.now() + 1000);
    for (let i = 0; i < 3; i++) {
      await clock.advance(1000);
      k.poll();
    }
    expect(k.neighDump('a')[0].state).toBe('FAILED');
    expect(k.linkGet('a', 'eth0').stats.txPackets).toBe(3); // three broadcasts
    // ICMP host unreachable from our own address, quoting the echo request.
    const err = parseIpv4(a.got[0]);
    expect(err).toMatchObject({ src: '10.0.0.1', dst: '10.0.0.1' });
    expect([err.payload[0], err.payload[1]]).toEqual([3, 1]);
    expect(k.dropCounters()['neigh: resolution failed']).toBe(1);
  });

  it('catches up when polled late: one poll 10 s later still ends FAILED', async () => {
    const clock = new ManualClock();
    const k = await vethPair(clock);
    const a = collect(k, 'a');
    k.icmpSend(a.fd, '10.0.0.99', echoRequest(1, 1));
    await clock.advance(10_000);
    k.poll();
    expect(k.neighDump('a')[0].state).toBe('FAILED');
    expect(k.nextTimer()).toBe(Infinity);
  });

  it('REACHABLE turns STALE, then DELAY/PROBE re-confirms with unicast ARP', async () => {
    const clock = new ManualClock();
    const k = await vethPair(clock);
    const a = collect(k, 'a');
    k.icmpSend(a.fd, '10.0.0.2', echoRequest(1, 1));
    expect(k.neighDump('a')[0].state).toBe('REACHABLE');
    await clock.advance(50_000);
    k.poll();
    expect(k.neighDump('a')[0].state).toBe('STALE');
    k.icmpSend(a.fd, '10.0.0.2', echoRequest(1, 2));
    expect(k.neighDump('a')[0].state).toBe('DELAY');
    await clock.advance(5000);
    k.poll();
    expect(k.neighDump('a')[0].state).toBe('REACHABLE');
  });

  it('keeps PERMANENT entries from userspace and reports errors like ip neigh', async () => {
    const k = await vethPair();
    k.neighAdd('a', { ifindex: 2, dst: '10.0.0.50', lladdr: '02:00:00:00:00:50' });
    expect(() =>
      k.neighAdd('a', { ifindex: 2, dst: '10.0.0.50', lladdr: '02:00:00:00:00:51' }),
    ).toThrow(expect.objectContaining({ errno: 17 }));
    k.neighAdd(
      'a',
      { ifindex: 2, dst: '10.0.0.50', lladdr: '02:00:00:00:00:51' },
      { replace: true },
    );
    expect(k.neighDump('a')).toEqual([
      { ifindex: 2, dst: '10.0.0.50', lladdr: '02:00:00:00:00:51', state: 'PERMANENT' },
    ]);
    k.neighDel('a', { ifindex: 2, dst: '10.0.0.50' });
    expect(() => k.neighDel('a', { ifindex: 2, dst: '10.0.0.50' })).toThrow(
      expect.objectContaining({ errno: 2 }),
    );
  });

  it('shows qdisc noop until a link first comes up, and renames a link that is up', async () => {
    const k = await vethPair();
    const br = k.linkAdd('a', { name: 'br1', kind: 'bridge' });
    expect(k.linkGet('a', br).qdisc).toBe('noop');
    k.linkSet('a', br, { up: true });
    k.linkSet('a', br, { up: false });
    expect(k.linkGet('a', br).qdisc).toBe('noqueue');
    k.netnsAdd('fresh');
    expect(k.linkGet('fresh', 'lo').qdisc).toBe('noop');
    k.linkSet('a', k.linkGet('a', 'eth0').ifindex, { name: 'eth9' });
    expect(k.linkGet('a', 'eth9').flags & 1).toBe(1);
  });

  it("answers bad address and neighbour writes with Linux's extack messages", async () => {
    const k = await vethPair();
    k.addrAdd('a', { ifindex: 2, local: '10.0.0.9', prefixlen: 24 });
    expect(() => k.addrAdd('a', { ifindex: 2, local: '10.0.0.9', prefixlen: 24 })).toThrow(
      expect.objectContaining({ errno: 17, extack: 'ipv4: Address already assigned' }),
    );
    expect(() => k.addrDel('a', { ifindex: 2, local: '10.99.0.1', prefixlen: 24 })).toThrow(
      expect.objectContaining({ errno: 99, extack: 'ipv4: Address not found' }),
    );
    expect(() => k.neighAdd('a', { ifindex: 2, dst: '10.0.0.60' })).toThrow(
      expect.objectContaining({ errno: 22, extack: 'No link layer address given' }),
    );
    // An unresolved entry needs no address (ip neigh add ... nud incomplete).
    k.neighAdd('a', { ifindex: 2, dst: '10.0.0.61', state: 'INCOMPLETE' });
    k.neighAdd('a', { ifindex: 2, dst: '10.0.0.62', state: 'FAILED' });
    expect(k.neighDump('a').map((n) => `${n.dst} ${n.state}`)).toEqual(
      expect.arrayContaining(['10.0.0.61 INCOMPLETE', '10.0.0.62 FAILED']),
    );
  });
});
