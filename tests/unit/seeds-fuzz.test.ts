// Issue 2, acceptance 5: 100,000 random and mutated frames thrown at a host of the seeds' vxlan
// lab. The kernel must not trap, it must count what it drops, and the pod-to-pod ping must
// still work afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROOT_NS, type KernelApi } from '../../src/engine/kernel/types.ts';
import { buildSeedLab } from './seed-lab.ts';
import { hostileFrame, seedFrames } from './wire-fuzz.ts';

const FRAMES = 100_000;

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

    fc.assert(
      fc.property(hostileFrame(seeds), (frame) => {
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
