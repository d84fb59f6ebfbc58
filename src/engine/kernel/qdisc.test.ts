// Root qdiscs on a link's egress (tc qdisc ... netem / pfifo) and the lab's cable on a NIC,
// against the real kernel on a manual lab clock.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { NetlinkError, ROOT_NS } from './types.ts';
import { TestWire, echoRequest, newKernel } from './testing/util.ts';

/** Namespaces a and b joined by a veth pair (10.0.0.1, 10.0.0.2), neighbours known. */
async function pair(clock = new ManualClock()) {
  const k = await newKernel(clock);
  k.netnsAdd('a');
  k.netnsAdd('b');
  k.linkAdd('a', { name: 'eth0', kind: 'veth', peer: { name: 'eth0', netns: 'b' } });
  for (const ns of ['a', 'b']) {
    k.linkSet(ns, 1, { up: true });
    k.addrAdd(ns, { ifindex: 2, local: ns === 'a' ? '10.0.0.1' : '10.0.0.2', prefixlen: 24 });
    k.linkSet(ns, 2, { up: true });
  }
  k.neighAdd('a', { ifindex: 2, dst: '10.0.0.2', lladdr: k.linkGet('b', 'eth0').address! });
  k.neighAdd('b', { ifindex: 2, dst: '10.0.0.1', lladdr: k.linkGet('a', 'eth0').address! });
  const replies: number[] = [];
  const fd = k.icmpOpen('a', (data) => {
    if (data[20] === 0) replies.push(clock.now());
  });
  const ping = (seq: number) => k.icmpSend(fd, '10.0.0.2', echoRequest(7, seq));
  return { k, clock, replies, ping };
}

const netem = (options: object) => ({ kind: 'netem', root: true, options });
const ADD = { create: true, excl: true };

describe('netem on a veth', () => {
  it('delays every frame by the delay, on the lab clock', async () => {
    const { k, clock, replies, ping } = await pair();
    k.qdiscSet('a', 2, netem({ latency: 100_000 }), ADD);
    const t0 = clock.now();
    ping(1);
    expect(replies).toEqual([]);
    await clock.advance(99);
    expect(replies).toEqual([]);
    await clock.advance(1);
    expect(replies).toEqual([t0 + 100]);
    const [q] = k.qdiscDump('a', 2);
    expect(q).toMatchObject({ kind: 'netem', handle: 0x8001 });
    expect(q.stats).toMatchObject({ packets: 1, bytes: 98, drops: 0, backlog: 0, qlen: 0 });
  });

  it('spreads a jitter uniformly over delay ± jitter', async () => {
    const { k, clock, replies, ping } = await pair();
    k.qdiscSet('a', 2, netem({ latency: 100_000, jitter: 10_000 }), ADD);
    const sent: number[] = [];
    for (let i = 0; i < 200; i++) {
      sent.push(clock.now());
      ping(i);
      await clock.advance(200);
    }
    const rtts = replies.map((t, i) => t - sent[i]);
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(90);
    expect(Math.max(...rtts)).toBeLessThanOrEqual(110);
    expect(new Set(rtts.map(Math.round)).size).toBeGreaterThan(10);
  });

  it('loses the share of frames loss asks for, counted as dropped', async () => {
    const { k, replies, ping } = await pair();
    k.qdiscSet('a', 2, netem({ loss: 0.3 }), ADD);
    for (let i = 0; i < 1000; i++) ping(i);
    const [q] = k.qdiscDump('a', 2);
    expect(q.stats.drops + q.stats.packets).toBe(1000);
    expect(q.stats.drops).toBeGreaterThan(250);
    expect(q.stats.drops).toBeLessThan(350);
    expect(replies).toHaveLength(q.stats.packets);
  });

  it('duplicates and corrupts', async () => {
    const { k, replies, ping } = await pair();
    k.qdiscSet('a', 2, netem({ duplicate: 1 }), ADD);
    ping(1);
    expect(replies).toHaveLength(2);
    k.qdiscSet('a', 2, netem({ corrupt: 1 }), {});
    const before = k.linkGet('b', 'eth0').stats;
    for (let i = 0; i < 50; i++) ping(i);
    // Every frame has one bit flipped: almost none come back as a good echo reply.
    expect(replies.length - 2).toBeLessThan(10);
    expect(k.linkGet('b', 'eth0').stats.rxPackets - before.rxPackets).toBe(50);
  });

  it('sends one frame in gap ahead of the delayed ones (reorder)', async () => {
    const { k, clock, replies, ping } = await pair();
    k.qdiscSet('a', 2, netem({ latency: 50_000, reorder: 1, gap: 3 }), ADD);
    const t0 = clock.now();
    for (let i = 0; i < 6; i++) ping(i);
    // Frames 3 and 6 (every third) go at once, the rest after 50 ms.
    expect(replies).toEqual([t0, t0]);
    await clock.advance(50);
    expect(replies).toHaveLength(6);
    expect(k.qdiscDump('a', 2)[0].stats.requeues).toBe(2);
  });

  it('paces frames at the rate, each after the one before it', async () => {
    const { k, clock, replies, ping } = await pair();
    // 98-byte frames at 98 kB/s: one every millisecond.
    k.qdiscSet('a', 2, netem({ rate: 98_000 }), ADD);
    const t0 = clock.now();
    for (let i = 0; i < 5; i++) ping(i);
    await clock.advance(10);
    expect(replies.map((t) => t - t0)).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops beyond its limit, and a link going down empties it', async () => {
    const { k, clock, replies, ping } = await pair();
    k.qdiscSet('a', 2, netem({ latency: 100_000, limit: 3 }), ADD);
    for (let i = 0; i < 5; i++) ping(i);
    expect(k.qdiscDump('a', 2)[0].stats).toMatchObject({ drops: 2, qlen: 3, backlog: 294 });
    k.linkSet('a', 2, { up: false });
    await clock.advance(200);
    expect(replies).toEqual([]);
    expect(k.qdiscDump('a', 2)[0].stats).toMatchObject({ qlen: 0, backlog: 0 });
  });

  it('answers add, change, replace and del as Linux does', async () => {
    const { k } = await pair();
    const err = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return e instanceof NetlinkError ? e.extack : String(e);
      }
      return 'ok';
    };
    expect(err(() => k.qdiscDel('a', 2))).toBe('Cannot delete qdisc with handle of zero');
    expect(err(() => k.qdiscSet('a', 2, netem({}), {}))).toBe(
      'Qdisc not found. To create specify NLM_F_CREATE flag',
    );
    expect(err(() => k.qdiscSet('a', 2, { kind: 'sfq', root: true }, ADD))).toBe(
      'Specified qdisc kind is unknown',
    );
    expect(err(() => k.qdiscSet('a', 2, { kind: 'netem', root: false }, ADD))).toBe(
      'Handle cannot be zero',
    );
    expect(err(() => k.qdiscSet('a', 2, { kind: 'pfifo', root: true }, ADD))).toBe('ok');
    expect(err(() => k.qdiscSet('a', 2, { kind: 'pfifo', root: true }, ADD))).toBe(
      'Exclusivity flag on, cannot modify',
    );
    const replace = { create: true, replace: true };
    k.qdiscSet('a', 2, { kind: 'pfifo', root: true, options: { limit: 50 } }, replace);
    // A replace by the same kind keeps the qdisc (and its handle); another kind is a new one.
    expect(k.qdiscDump('a', 2)[0]).toMatchObject({ kind: 'pfifo', handle: 0x8001 });
    expect(k.qdiscDump('a', 2)[0].options?.limit).toBe(50);
    k.qdiscSet('a', 2, netem({ latency: 1000 }), replace);
    expect(k.qdiscDump('a', 2)[0]).toMatchObject({ kind: 'netem', handle: 0x8002 });
    k.qdiscDel('a', 2);
    expect(k.qdiscDump('a', 2)[0]).toMatchObject({ kind: null, handle: 0 });
  });

  it('dumps the default of every link that has been up, none for one never up', async () => {
    const { k } = await pair();
    k.linkAdd('a', { name: 'v1', kind: 'veth', peer: { name: 'v2' } });
    expect(k.qdiscDump('a').map((q) => [q.ifindex, q.kind])).toEqual([
      [1, null],
      [2, null],
    ]);
  });
});

describe('a cut cable', () => {
  async function twoHosts() {
    const clock = new ManualClock();
    const wire = new TestWire();
    const hosts = [];
    for (const [i, addr] of ['172.16.0.1', '172.16.0.2'].entries()) {
      const k = await newKernel(clock, i + 1);
      const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether' });
      k.addrAdd(ROOT_NS, { ifindex: eth0, local: addr, prefixlen: 24 });
      k.linkSet(ROOT_NS, eth0, { up: true });
      wire.attach(k, eth0);
      hosts.push({ k, eth0 });
    }
    return { clock, wire, hosts };
  }

  it('drops LOWER_UP, flushes learned neighbours, keeps the routes, carries nothing', async () => {
    const { clock, wire, hosts } = await twoHosts();
    const [h1] = hosts;
    const replies: Uint8Array[] = [];
    const fd = h1.k.icmpOpen(ROOT_NS, (d) => replies.push(d));
    h1.k.icmpSend(fd, '172.16.0.2', echoRequest(1, 1));
    wire.flush();
    expect(replies.length).toBeGreaterThan(0);
    expect(h1.k.neighDump(ROOT_NS)).toHaveLength(1);

    h1.k.carrierSet(h1.eth0, false);
    const l = h1.k.linkGet(ROOT_NS, 'eth0');
    expect(l.flags & 0x10000).toBe(0);
    expect(l.flags & 0x1).toBe(1);
    expect(l.operstate).toBe('DOWN');
    expect(h1.k.neighDump(ROOT_NS)).toEqual([]);
    expect(h1.k.routeDump(ROOT_NS).map((r) => r.dst)).toEqual(['172.16.0.0']);
    const sent = l.stats.txPackets;
    replies.length = 0;
    h1.k.icmpSend(fd, '172.16.0.2', echoRequest(1, 2));
    wire.flush();
    await clock.advance(5000);
    wire.flush();
    const after = h1.k.linkGet(ROOT_NS, 'eth0').stats;
    expect(after.txPackets).toBe(sent);
    expect(after.txDropped).toBeGreaterThan(0);
    // No echo reply; after 3 s of failed ARP, the host's own "host unreachable" (type 3).
    expect(replies.map((d) => d[20])).toEqual([3]);

    h1.k.carrierSet(h1.eth0, true);
    expect(h1.k.linkGet(ROOT_NS, 'eth0').operstate).toBe('UP');
    h1.k.icmpSend(fd, '172.16.0.2', echoRequest(1, 3));
    wire.flush();
    expect(replies.length).toBeGreaterThan(0);
  });

  it('drops frames larger than the receiving NIC MTU (an MTU mismatch)', async () => {
    const { wire, hosts } = await twoHosts();
    const [h1, h2] = hosts;
    h1.k.linkSet(ROOT_NS, h1.eth0, { mtu: 1400 });
    const got: Uint8Array[] = [];
    const fd = h1.k.icmpOpen(ROOT_NS, (d) => got.push(d));
    h2.k.icmpOpen(ROOT_NS, () => {});
    const fd2 = h2.k.icmpOpen(ROOT_NS, () => {});
    h2.k.icmpSend(fd2, '172.16.0.1', echoRequest(1, 1, 1472));
    wire.flush();
    expect(got).toEqual([]);
    expect(h1.k.linkGet(ROOT_NS, 'eth0').stats.rxDropped).toBe(1);
    h1.k.close(fd);
  });
});
