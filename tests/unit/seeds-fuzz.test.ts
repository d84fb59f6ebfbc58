// Issue 2, acceptance 5: 100,000 random and mutated frames thrown at a host of the seeds' vxlan
// lab. The kernel must not trap, it must count what it drops, and the pod-to-pod ping must
// still work afterwards.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT_NS, type KernelApi } from '../../src/engine/kernel/types.ts';
import { readPcap } from '../../src/engine/packet/pcap.ts';
import { buildSeedLab } from './seed-lab.ts';

const FRAMES = 100_000;

function macBytes(mac: string): number[] {
  return mac.split(':').map((h) => parseInt(h, 16));
}

/**
 * The golden VXLAN frames that host3 sent to host2, readdressed to our node2 (its eth0 MAC
 * outside, its flannel.1 MAC inside), so mutations reach every layer, not just the MAC check.
 */
function seedFrames(kernel: KernelApi): Uint8Array[] {
  const pcap = readPcap(
    new Uint8Array(readFileSync(new URL('../golden/linux/vxlan-eth0.pcap', import.meta.url))),
  );
  const eth0 = macBytes(kernel.linkGet(ROOT_NS, 'eth0').address!);
  const vtep = macBytes(kernel.linkGet(ROOT_NS, 'flannel.1').address!);
  return pcap.records.map((r) => {
    const frame = Uint8Array.from(r.data);
    frame.set(eth0, 0);
    if (frame.length > 14 + 20 + 8 + 8 + 6) frame.set(vtep, 14 + 20 + 8 + 8);
    return frame;
  });
}

function rxTotal(kernel: KernelApi): number {
  const s = kernel.linkGet(ROOT_NS, 'eth0').stats;
  return s.rxPackets + s.rxErrors + s.rxDropped;
}

describe('seed lab under a storm of bad frames', () => {
  it(`survives ${FRAMES.toLocaleString('en')} random and mutated frames, and still pings`, async () => {
    const lab = await buildSeedLab('vxlan');
    const kernel = lab.host('node2').kernel;
    const eth0 = kernel.linkGet(ROOT_NS, 'eth0').ifindex;
    const seeds = seedFrames(kernel);
    const dropsBefore = Object.values(kernel.dropCounters()).reduce((a, b) => a + b, 0);
    const rxBefore = rxTotal(kernel);

    const random = fc.uint8Array({ minLength: 0, maxLength: 1600 });
    const mutated = fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
      )
      .map(([seed, edits, cut]) => {
        const frame = Uint8Array.from(seed);
        for (const [at, byte] of edits) frame[at % frame.length] = byte;
        return cut === undefined ? frame : frame.subarray(0, cut % (frame.length + 1));
      });
    fc.assert(
      fc.property(fc.oneof(random, mutated), (frame) => {
        kernel.wireReceive(eth0, frame);
      }),
      { numRuns: FRAMES, seed: 20261123 },
    );

    const dropsAfter = Object.values(kernel.dropCounters()).reduce((a, b) => a + b, 0);
    expect(rxTotal(kernel) - rxBefore).toBeGreaterThanOrEqual(FRAMES * 0.9);
    expect(dropsAfter).toBeGreaterThan(dropsBefore);
    await lab.advance(5_000); // let whatever the storm provoked drain off the wire
    const ping = await lab.run('node2', 'ip netns exec flp2 ping -c 3 -i 0.2 10.244.2.2');
    expect(ping.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss');
    expect(ping.stdout.match(/ttl=62/g)).toHaveLength(3);
  });
});
