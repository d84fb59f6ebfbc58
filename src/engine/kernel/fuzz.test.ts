// Malformed frames from the wire must be counted and dropped, never trap the module or leak
// packet buffers; the host keeps working afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../os/clock.ts';
import { ROOT_NS } from './types.ts';
import { echoRequest, mutatedFrames, newKernel, parseIpv4, TestWire } from './testing/util.ts';

async function twoHosts() {
  const clock = new ManualClock();
  const wire = new TestWire();
  const hosts = [];
  const HIP = ['172.16.112.133', '172.16.112.130'];
  for (let i = 0; i < 2; i++) {
    const k = await newKernel(clock, 7 + i);
    k.sysctlSet(ROOT_NS, 'net.ipv4.ip_forward', '1');
    const eth0 = k.linkAdd(ROOT_NS, { name: 'eth0', kind: 'ether' });
    wire.attach(k, eth0);
    k.addrAdd(ROOT_NS, { ifindex: eth0, local: HIP[i], prefixlen: 24 });
    k.linkSet(ROOT_NS, eth0, { up: true });
    const fl = k.linkAdd(ROOT_NS, {
      name: 'flannel.1',
      kind: 'vxlan',
      vxlan: { vni: 1, local: HIP[i], dev: eth0, learning: false },
    });
    k.addrAdd(ROOT_NS, { ifindex: fl, local: `10.244.${i + 1}.0`, prefixlen: 32 });
    k.linkSet(ROOT_NS, fl, { up: true });
    hosts.push({ k, eth0, fl });
  }
  for (let i = 0; i < 2; i++) {
    const j = 1 - i;
    const { k, fl } = hosts[i];
    const mac = hosts[j].k.linkGet(ROOT_NS, 'flannel.1').address!;
    k.routeAdd(ROOT_NS, {
      dst: `10.244.${j + 1}.0`,
      dstLen: 24,
      gateway: `10.244.${j + 1}.0`,
      oif: fl,
      onlink: true,
    });
    k.neighAdd(ROOT_NS, { ifindex: fl, dst: `10.244.${j + 1}.0`, lladdr: mac });
    k.fdbAdd(ROOT_NS, { ifindex: fl, mac, dst: HIP[j] });
  }
  return { clock, wire, hosts };
}

function pingWorks(k: import('./kernel.ts').Kernel, wire: TestWire, dst: string): boolean {
  const got: Uint8Array[] = [];
  const fd = k.icmpOpen(ROOT_NS, (d) => got.push(d));
  k.icmpSend(fd, dst, echoRequest(0x4242, 1));
  wire.flush();
  k.close(fd);
  return got.some((p) => p[20] === 0 && parseIpv4(p).src === dst);
}

describe('malformed frames', () => {
  it('survives 20,000 random and mutated frames, counts them, and still pings', async () => {
    const { wire, hosts } = await twoHosts();
    const [a, b] = hosts;
    expect(pingWorks(a.k, wire, '10.244.2.0')).toBe(true);
    const seeds = wire.seen.slice();
    expect(seeds.length).toBeGreaterThan(2);
    const freeBefore = b.k.freeBuffers();
    b.k.onWireTransmit = () => {}; // answers to the fuzz go nowhere
    const frame = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 1600 }),
      mutatedFrames(seeds, -60, 40),
    );
    fc.assert(
      fc.property(frame, (f) => {
        b.k.wireReceive(b.eth0, f);
      }),
      { numRuns: 20_000, seed: 1234 },
    );
    const drops = b.k.dropCounters();
    const total = Object.values(drops).reduce((x, y) => x + y, 0);
    expect(total).toBeGreaterThan(5000);
    expect(drops['ip: bad header checksum']).toBeGreaterThan(0);
    expect(drops['eth: frame too short']).toBeGreaterThan(0);
    const eth0 = b.k.linkGet(ROOT_NS, b.eth0).stats;
    expect(eth0.rxErrors + eth0.rxDropped).toBeGreaterThan(0);
    expect(b.k.freeBuffers()).toBe(freeBefore);
    // Back on the wire: a ping across still works.
    wire.attach(b.k, b.eth0);
    wire.attach(a.k, a.eth0);
    expect(pingWorks(a.k, wire, '10.244.2.0')).toBe(true);
  });

  it('rejects garbage written to a TUN fd without trapping', async () => {
    const k = await newKernel();
    const tun = k.tunOpen(ROOT_NS, 'tun0', () => {});
    k.addrAdd(ROOT_NS, { ifindex: tun.ifindex, local: '10.5.0.1', prefixlen: 16 });
    k.linkSet(ROOT_NS, tun.ifindex, { up: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (p) => {
        k.tunWrite(tun.fd, p);
      }),
      { numRuns: 2000, seed: 99 },
    );
    expect(k.linkGet(ROOT_NS, tun.ifindex).stats.rxPackets).toBe(2000);
  });
});
