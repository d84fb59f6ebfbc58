import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { ROOT_NS } from './types.ts';
import { echoRequest, newKernel, parseIpv4 } from './testing/util.ts';
import type { Kernel } from './kernel.ts';

/** A cni0 bridge (10.244.1.1/24) with two pods, like the CNI bridge plugin builds. */
async function bridgeWithPods(clock = new ManualClock()) {
  const k = await newKernel(clock);
  const cni0 = k.linkAdd(ROOT_NS, { name: 'cni0', kind: 'bridge' });
  expect(k.linkGet(ROOT_NS, cni0).operstate).toBe('DOWN');
  k.addrAdd(ROOT_NS, { ifindex: cni0, local: '10.244.1.1', prefixlen: 24 });
  k.linkSet(ROOT_NS, cni0, { up: true });
  expect(k.linkGet(ROOT_NS, cni0).operstate).toBe('UNKNOWN'); // no ports yet, as Linux 6.1
  for (const [i, pod] of ['p1', 'p2'].entries()) {
    k.netnsAdd(pod);
    k.linkAdd(pod, { name: 'eth0', kind: 'veth', peer: { name: `veth${i}`, netns: ROOT_NS } });
    const veth = k.linkGet(ROOT_NS, `veth${i}`).ifindex;
    k.linkSet(ROOT_NS, veth, { master: cni0, up: true });
    k.linkSet(pod, 1, { up: true });
    k.addrAdd(pod, { ifindex: 2, local: `10.244.1.${i + 2}`, prefixlen: 24 });
    k.linkSet(pod, 2, { up: true });
    k.routeAdd(pod, { dst: '0.0.0.0', dstLen: 0, gateway: '10.244.1.1' });
  }
  return { k, cni0 };
}

/** Advances the clock by ms, polling the kernel whenever it has a timer due, like the lab does. */
async function runTimers(clock: ManualClock, k: Kernel, ms: number) {
  const end = clock.now() + ms;
  while (k.nextTimer() <= end) {
    await clock.advance(Math.max(0, k.nextTimer() - clock.now()));
    k.poll();
  }
  await clock.advance(end - clock.now());
  k.poll();
}

describe('bridge', () => {
  it('switches between two pods, learns their MACs and takes the smallest port MAC', async () => {
    const { k, cni0 } = await bridgeWithPods();
    const got: Uint8Array[] = [];
    const fd = k.icmpOpen('p1', (d) => got.push(d));
    k.icmpSend(fd, '10.244.1.3', echoRequest(1, 1));
    expect(got.map(parseIpv4)).toMatchObject([{ src: '10.244.1.3', ttl: 64 }]);
    const ports = [k.linkGet(ROOT_NS, 'veth0'), k.linkGet(ROOT_NS, 'veth1')];
    const smallest = ports.map((p) => p.address!).sort()[0];
    expect(k.linkGet(ROOT_NS, cni0)).toMatchObject({ address: smallest, operstate: 'UP' });
    const learned = k.fdbDump(ROOT_NS).filter((f) => f.master === cni0 && f.state === 'reachable');
    expect(learned.map((f) => f.mac).sort()).toEqual(
      [k.linkGet('p1', 'eth0').address, k.linkGet('p2', 'eth0').address].sort(),
    );
    expect(ports.map((p) => p.bridgePort?.portNo)).toEqual([1, 2]);
  });

  it('delivers to the bridge itself (the pods gateway) and ages learned entries after 300 s', async () => {
    const clock = new ManualClock();
    const { k, cni0 } = await bridgeWithPods(clock);
    const got: Uint8Array[] = [];
    const fd = k.icmpOpen('p1', (d) => got.push(d));
    k.icmpSend(fd, '10.244.1.1', echoRequest(1, 1));
    expect(got.map(parseIpv4)).toMatchObject([{ src: '10.244.1.1', ttl: 64 }]);
    const learned = () =>
      k.fdbDump(ROOT_NS).filter((f) => f.master === cni0 && f.state === 'reachable');
    expect(learned()).toHaveLength(1);
    // The host's neighbour entry for p1 is re-confirmed by a unicast probe ~5 s later (DELAY ->
    // PROBE), which refreshes the FDB entry; nothing talks after that.
    await runTimers(clock, k, 299_000);
    expect(learned()).toHaveLength(1);
    expect(learned()[0].ageing).toBeGreaterThanOrEqual(290);
    await runTimers(clock, k, 11_000);
    expect(learned()).toHaveLength(0);
  });

  it('floods unknown unicast to every other port only', async () => {
    const { k } = await bridgeWithPods();
    const seen: string[] = [];
    k.captureOpen(ROOT_NS, 0, (_d, m) => seen.push(`${m.ifname} ${m.direction}`));
    // ARP from p1 for p2 is broadcast: in on veth0, out on veth1, and up to cni0.
    const fd = k.icmpOpen('p1', () => {});
    k.icmpSend(fd, '10.244.1.3', echoRequest(1, 1));
    expect(seen.slice(0, 3)).toEqual(['veth0 in', 'veth1 out', 'cni0 in']);
  });

  it('in hairpin mode sends a port its own floods back, as tests/golden/linux/hairpin-reflect.txt', async () => {
    const { k } = await bridgeWithPods();
    const veth0 = k.linkGet(ROOT_NS, 'veth0').ifindex;
    k.linkSet(ROOT_NS, veth0, { hairpin: true });
    expect(k.linkGet(ROOT_NS, veth0).bridgePort).toMatchObject({ hairpin: true });
    const inPod: string[] = [];
    k.captureOpen('p1', 0, (d, m) =>
      inPod.push(`${m.direction} ${d[12] === 8 && d[13] === 6 ? 'arp' : 'ip'}`),
    );
    const fd = k.icmpOpen('p1', () => {});
    k.icmpSend(fd, '10.244.1.3', echoRequest(1, 1));
    // The pod's ARP request leaves, and comes back from the bridge.
    expect(inPod.slice(0, 2)).toEqual(['out arp', 'in arp']);
    // Not a port (the pod's own end): nothing to set it on.
    expect(() => k.linkSet('p1', 2, { hairpin: true })).toThrow(
      /Operation not supported|EOPNOTSUPP|95/,
    );
    // A port that leaves its bridge loses the flag.
    k.linkSet(ROOT_NS, veth0, { master: 0 });
    k.linkSet(ROOT_NS, veth0, { master: k.linkGet(ROOT_NS, 'cni0').ifindex });
    expect(k.linkGet(ROOT_NS, veth0).bridgePort).toMatchObject({ hairpin: false });
  });
});

describe('udp sockets', () => {
  it('binds, sends with a correct checksum, receives with the source', async () => {
    const { k } = await bridgeWithPods();
    const got: { data: string; from: string }[] = [];
    const server = k.udpOpen('p2', (d, m) =>
      got.push({ data: new TextDecoder().decode(d), from: `${m.srcAddr}:${m.srcPort}` }),
    );
    k.udpBind(server, '0.0.0.0', 8285);
    expect(() =>
      k.udpBind(
        k.udpOpen('p2', () => {}),
        '10.244.1.3',
        8285,
      ),
    ).toThrow(expect.objectContaining({ errno: 98 }));
    const client = k.udpOpen('p1', () => {});
    k.udpBind(client, '10.244.1.2', 4000);
    k.udpSend(client, '10.244.1.3', 8285, new TextEncoder().encode('hello'));
    expect(got).toEqual([{ data: 'hello', from: '10.244.1.2:4000' }]);
    // A closed port answers with ICMP port unreachable.
    const icmp: Uint8Array[] = [];
    k.icmpOpen('p1', (d) => icmp.push(d));
    k.udpSend(client, '10.244.1.3', 9999, new Uint8Array(4));
    expect([icmp[0][20], icmp[0][21]]).toEqual([3, 3]);
    expect(k.dropCounters()['udp: port unreachable']).toBe(1);
  });

  it('delivers datagrams of any size intact (the receiver verifies the UDP checksum)', async () => {
    const { k } = await bridgeWithPods();
    let got: Uint8Array | null = null;
    const server = k.udpOpen('p2', (d) => (got = d));
    k.udpBind(server, '0.0.0.0', 8285);
    const client = k.udpOpen('p1', () => {});
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (payload) => {
        got = null;
        k.udpSend(client, '10.244.1.3', 8285, payload);
        expect(got).toEqual(payload);
      }),
      { numRuns: 300, seed: 5 },
    );
    expect(k.dropCounters()['udp: bad checksum']).toBeUndefined();
  });

  it('fragments big datagrams on send and reassembles them on receipt', async () => {
    const { k } = await bridgeWithPods();
    const frames: number[] = [];
    k.captureOpen('p1', 2, (d, m) => m.direction === 'out' && frames.push(d.length));
    const got: number[] = [];
    const server = k.udpOpen('p2', (d) => got.push(d.length));
    k.udpBind(server, '0.0.0.0', 8285);
    const client = k.udpOpen('p1', () => {});
    const payload = Uint8Array.from({ length: 3000 }, (_, i) => i & 255);
    k.udpSend(client, '10.244.1.3', 8285, payload);
    // ARP, then three fragments of at most 1514 bytes on the wire; one datagram arrives.
    expect(frames).toEqual([42, 1514, 1514, 82]);
    expect(got).toEqual([3000]);
  });

  it('answers a 3000-byte ping (fragmented both ways, like ping -s 3000)', async () => {
    const { k } = await bridgeWithPods();
    const got: Uint8Array[] = [];
    const fd = k.icmpOpen('p1', (d) => got.push(d));
    k.icmpSend(fd, '10.244.1.3', echoRequest(5, 1, 3000));
    const reply = got.map(parseIpv4).find((p) => p.payload[0] === 0);
    expect(reply?.totalLen).toBe(3028);
    expect(reply?.payload[100]).toBe(92);
  });
});

describe('bridge fdb dump', () => {
  it("lists a port's entries newest first, as Linux does", async () => {
    const { k, cni0 } = await bridgeWithPods();
    const veth0 = k.linkGet(ROOT_NS, 'veth0').ifindex;
    k.fdbAdd(ROOT_NS, { ifindex: veth0, mac: '02:00:00:00:00:aa', master: true, state: 'static' });
    const own = k.linkGet(ROOT_NS, 'veth0').address;
    expect(
      k
        .fdbDump(ROOT_NS)
        .filter((f) => f.ifindex === veth0 && f.master === cni0)
        .map((f) => f.mac),
    ).toEqual(['02:00:00:00:00:aa', own]);
  });
});
