// tests/golden/linux/bridge-hairpin.txt, recorded on iproute2 6.1 by bridge-hairpin.oracle.sh:
// a port's hairpin mode set and shown by `bridge link` and `ip link ... type bridge_slave`, and
// txqueuelen on `ip link add` (a veth's two ends) and `ip link set`, errors included. One kernel
// for the transcript, built by the oracle's own setup commands run through our ip.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../os/clock.ts';
import { newKernel } from '../../kernel/testing/util.ts';
import { maskTimers, readGolden, run, transcript } from '../ip/testing/run.ts';

const SETUP = [
  'ip link set lo up',
  'ip link add cni0 type bridge',
  'ip link set cni0 up',
  'ip link add veth1 type veth peer name veth1b',
  'ip link set veth1 master cni0',
  'ip link set veth1 up',
];

const mask = (text: string) =>
  maskTimers(text)
    .replace(/8000\.([0-9a-f]{1,2}:){5}[0-9a-f]{1,2}/g, '8000.ID')
    .replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, 'MAC');

describe('bridge-hairpin.txt', async () => {
  const kernel = await newKernel(new ManualClock());
  for (const line of SETUP) expect((await run(kernel, line)).code).toBe(0);
  for (const step of transcript(readGolden('bridge-hairpin.txt'))) {
    it(step.cmd, async () => {
      const result = await run(kernel, step.cmd);
      expect(mask(result.output)).toBe(mask(step.output));
      expect(result.code).toBe(step.code);
    });
  }
});
