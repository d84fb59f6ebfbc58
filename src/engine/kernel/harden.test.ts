// The kernel's limits against what Linux did in tests/golden/linux/neigh-gc.txt and
// ping-big.txt (recorded by harden.oracle.sh): the neighbour table's garbage collection and the
// senders it refuses, reassembly up to 65,535 bytes within ipfrag_high_thresh, and the bytes
// an unresolved neighbour may queue.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import type { Kernel } from './kernel.ts';
import { ROOT_NS } from './types.ts';
import { echoRequest, newKernel, parseIpv4, TestWire } from './testing/util.ts';

const golden = (name: string) =>
  readFileSync(new URL(`../../../tests/golden/linux/${name}`, import.meta.url), 'utf8');
/** The number Linux printed after the golden's line `$ cmd`, for `... | wc -l` lines. */
function countAfter(text: string, cmd: string, nth = 0): number {
  const lines = text.split('\n');
  const at = lines.flatMap((l, i) => (l === `$ ${cmd}` ? [i] : []))[nth];
  return Number(lines[at + 1]);
}

const HOST = '172.16.112.131';
const PEER = '172.16.112.130';

function ip4(text: string): number {
  return text.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}

/** An ARP request for `tip` from sender i (MAC 02:aa:<i>) claiming address `sip`. */
function arpRequest(i: number, sip: number, tip: number): Uint8Array {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  const mac = [0x02, 0xaa, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255];
  f.set(mac, 6);
  f.set([0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1], 12);
  f.set(mac, 22);
  const v = new DataView(f.buffer);
  v.setUint32(28, sip >>> 0);
  v.setUint32(38, tip >>> 0);
  return f;
}

async function oneHost(clock = new ManualClock()) {
  const k = await newKernel(clock);
  const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether' });
  k.addrAdd(ROOT_NS, { ifindex: eth0, local: HOST, prefixlen: 24 });
  k.linkSet(ROOT_NS, eth0, { up: true });
  const sent: Uint8Array[] = [];
  k.onWireTransmit = (_i, f) => void sent.push(f.slice());
  return { clock, k, eth0, sent };
}

/** Sends ARP requests from `count` senders starting at address `first` (ids from `id`). */
function arpFlood(k: Kernel, eth0: number, first: number, count: number, id = first) {
  for (let i = 0; i < count; i += 500) {
    const frames = [];
    for (let j = i; j < Math.min(count, i + 500); j++)
      frames.push(arpRequest(id + j, first + j, ip4(HOST)));
    k.wireReceiveFrames(eth0, frames);
  }
}

describe('the neighbour table', () => {
  const text = golden('neigh-gc.txt');

  it('has the gc thresholds as sysctls in the root namespace, as Linux 6.1', async () => {
    const { k } = await oneHost();
    for (const [key, value] of [
      ['net.ipv4.neigh.default.gc_thresh1', '128'],
      ['net.ipv4.neigh.default.gc_thresh2', '512'],
      ['net.ipv4.neigh.default.gc_thresh3', '1024'],
      ['net.ipv4.neigh.eth0.unres_qlen_bytes', '212992'],
      ['net.ipv4.ipfrag_high_thresh', '4194304'],
      ['net.ipv4.ipfrag_low_thresh', '3145728'],
      ['net.ipv4.ipfrag_time', '30'],
    ]) {
      if (key.includes('eth0') || key.includes('ipfrag'))
        expect(text).toContain(`${key} = ${value}`);
      expect(k.sysctlGet(ROOT_NS, key)).toBe(value);
    }
    expect(() => k.sysctlSet(ROOT_NS, 'net.ipv4.neigh.default.gc_thresh3', 'abc')).toThrow(
      /Invalid argument/,
    );
    k.sysctlSet(ROOT_NS, 'net.ipv4.neigh.default.gc_thresh3', '64');
    expect(k.sysctlGet(ROOT_NS, 'net.ipv4.neigh.default.gc_thresh3')).toBe('64');
  });

  it('neither learns nor answers martian senders, as the oracle', async () => {
    const { k, eth0, sent } = await oneHost();
    const senders = [
      '127.0.0.1',
      '0.1.2.3',
      '224.0.0.5',
      '255.255.255.255',
      '172.16.112.255',
      HOST,
      '240.0.0.1',
      '172.16.112.7',
    ];
    k.wireReceiveFrames(
      eth0,
      senders.map((s, i) => arpRequest(i, ip4(s), ip4(HOST))),
    );
    const learned = k.neighDump(ROOT_NS).map((n) => `${n.dst} lladdr ${n.lladdr} ${n.state}`);
    const shown = text
      .split('$ ip neigh show dev eth0\n')[1]
      .split('[exit')[0]
      .trim()
      .split('\n')
      .map((l) => l.trim());
    expect(learned.sort()).toEqual(shown.sort());
    // Answered only those it learned: one reply each.
    expect(sent.length).toBe(shown.length);
  });

  it('stops at gc_thresh3, forces a gc down to gc_thresh2, and ages entries out', async () => {
    const { clock, k, eth0 } = await oneHost();
    arpFlood(k, eth0, ip4('10.1.0.1'), 2000);
    expect(k.neighDump(ROOT_NS).length).toBe(countAfter(text, 'ip neigh show dev eth0 | wc -l'));
    await clock.advance(6000);
    arpFlood(k, eth0, ip4('10.2.0.1'), 100);
    expect(k.neighDump(ROOT_NS).length).toBe(countAfter(text, 'ip neigh show dev eth0 | wc -l', 1));
    await clock.advance(100_000);
    expect(k.neighDump(ROOT_NS).length).toBe(countAfter(text, 'ip neigh show dev eth0 | wc -l', 2));
  });

  it('stays small at 200,000 senders', async () => {
    const { k, eth0 } = await oneHost();
    const before = k.memoryBytes();
    arpFlood(k, eth0, ip4('10.0.0.1'), 200_000);
    expect(k.neighDump(ROOT_NS).length).toBe(1024);
    expect(k.memoryBytes() - before).toBeLessThan(4 << 20);
  });

  it('keeps PERMANENT entries out of the count, as flanneld adds them', async () => {
    const { k, eth0 } = await oneHost();
    k.sysctlSet(ROOT_NS, 'net.ipv4.neigh.default.gc_thresh3', '4');
    for (let i = 0; i < 8; i++)
      k.neighAdd(ROOT_NS, { ifindex: eth0, dst: `10.9.0.${i}`, lladdr: '02:00:00:00:00:01' });
    arpFlood(k, eth0, ip4('10.1.0.1'), 10);
    expect(k.neighDump(ROOT_NS).filter((n) => n.state === 'PERMANENT').length).toBe(8);
    expect(k.neighDump(ROOT_NS).filter((n) => n.state === 'STALE').length).toBe(4);
  });
});

/** Two hosts on one wire, `mtu` on both NICs. */
async function twoHosts(mtu = 1500) {
  const clock = new ManualClock();
  const wire = new TestWire();
  const ks: Kernel[] = [];
  for (const [i, addr] of [PEER, HOST].entries()) {
    const k = await newKernel(clock, 3 + i);
    const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether', mtu });
    wire.attach(k, eth0);
    k.addrAdd(ROOT_NS, { ifindex: eth0, local: addr, prefixlen: 24 });
    k.linkSet(ROOT_NS, eth0, { up: true });
    ks.push(k);
  }
  return { clock, wire, a: ks[0], b: ks[1] };
}

function ping(k: Kernel, wire: TestWire | null, dst: string, size: number): number[] {
  const got: number[] = [];
  const fd = k.icmpOpen(ROOT_NS, (d) => {
    const p = parseIpv4(d);
    if (p.payload[0] === 0 && p.src === dst) got.push(p.totalLen - p.headerLen - 8);
  });
  k.icmpSend(fd, dst, echoRequest(0x77, 1, size));
  wire?.flush();
  k.close(fd);
  return got;
}

describe('large datagrams', () => {
  const text = golden('ping-big.txt');

  it('answers a ping of 65,507 bytes, as Linux does', async () => {
    expect(text).toContain('65515 bytes from 172.16.112.131: icmp_seq=1');
    const { wire, a, b } = await twoHosts();
    const free = [a.freeBuffers(), b.freeBuffers()];
    expect(ping(a, wire, HOST, 4500)).toEqual([4500]); // resolves the neighbour first
    expect(ping(a, wire, HOST, 65507)).toEqual([65507]);
    expect(ping(a, wire, HOST, 20000)).toEqual([20000]);
    expect([a.freeBuffers(), b.freeBuffers()]).toEqual(free);
  });

  it('answers 30,000 bytes over loopback, unfragmented', async () => {
    expect(text).toContain('30008 bytes from 127.0.0.1');
    const { k } = await oneHost();
    k.linkSet(ROOT_NS, k.linkGet(ROOT_NS, 'lo').ifindex, { up: true });
    const free = k.freeBuffers();
    expect(ping(k, null, '127.0.0.1', 30000)).toEqual([30000]);
    expect(k.freeBuffers()).toBe(free);
  });

  it('holds no more than ipfrag_high_thresh of fragments and expires them after ipfrag_time', async () => {
    const { clock, k, eth0 } = await oneHost();
    const free = k.freeBuffers();
    const before = k.memoryBytes();
    // 20,000 first fragments of different datagrams, 1,480 bytes each: 29 MB unbounded.
    const frag = (id: number) => {
      const f = new Uint8Array(14 + 20 + 1480);
      f.set(
        k
          .linkGet(ROOT_NS, 'eth0')
          .address!.split(':')
          .map((x) => parseInt(x, 16)),
      );
      f.set(
        [2, 0, 0, 0, 0, 9, 0x08, 0x00, 0x45, 0, 0x05, 0xdc, id >> 8, id & 255, 0x20, 0, 64, 1],
        6,
      );
      const v = new DataView(f.buffer);
      v.setUint32(26, ip4(PEER));
      v.setUint32(30, ip4(HOST));
      let sum = 0;
      for (let i = 14; i < 34; i += 2) sum += v.getUint16(i);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      v.setUint16(24, ~sum & 0xffff);
      return f;
    };
    for (let id = 0; id < 20000; id += 100)
      k.wireReceiveFrames(
        eth0,
        Array.from({ length: 100 }, (_, i) => frag((id + i) & 0xffff)),
      );
    expect(k.freeBuffers()).toBe(free);
    expect(k.memoryBytes() - before).toBeLessThan(8 << 20);
    const dropped = k.dropCounters()['ip: fragment reassembly failed'];
    expect(dropped).toBeGreaterThan(15000);
    await clock.advance(30_000);
    expect(k.dropCounters()['ip: fragment reassembly failed']).toBe(20000);
    expect(k.nextTimer()).toBe(Infinity);
  });
});

describe('packets waiting for a neighbour', () => {
  it('queue by bytes (unres_qlen_bytes): a first ping of 4,500 bytes gets its reply', async () => {
    expect(golden('ping-big.txt')).toContain('4508 bytes from 172.16.112.131: icmp_seq=1');
    const { wire, a } = await twoHosts();
    expect(a.neighDump(ROOT_NS)).toEqual([]);
    expect(ping(a, wire, HOST, 4500)).toEqual([4500]);
  });

  it('drop the oldest beyond unres_qlen_bytes', async () => {
    const { a } = await twoHosts();
    a.sysctlSet(ROOT_NS, 'net.ipv4.neigh.eth0.unres_qlen_bytes', '5000');
    // Fragments of 1,500, 1,500, 1,500 and 108 bytes, each costing 576 more: the third
    // pushes the first out, the last fits beside two.
    ping(a, null, HOST, 4500);
    expect(a.dropCounters()['neigh: queue full']).toBe(1);
  });
});

describe('back-pressure from the wire', () => {
  it('counts a frame the NIC queue refused as TX dropped, and lost frames as RX dropped', async () => {
    const { wire, a } = await twoHosts();
    expect(ping(a, wire, HOST, 56)).toEqual([56]);
    a.onWireTransmit = () => false; // the queue is full
    const eth0 = a.linkGet(ROOT_NS, 'eth0');
    ping(a, null, HOST, 56);
    const after = a.linkGet(ROOT_NS, 'eth0').stats;
    expect(after.txDropped - eth0.stats.txDropped).toBe(1);
    expect(after.txPackets).toBe(eth0.stats.txPackets);
    expect(a.dropCounters()['dev: transmit queue full']).toBe(1);
    a.wireDropped(eth0.ifindex, 7);
    expect(a.linkGet(ROOT_NS, 'eth0').stats.rxDropped - eth0.stats.rxDropped).toBe(7);
  });
});
