// The goldens, line for line: each command of tables-*.txt and errors-and-formats.txt runs
// against a real kernel brought to that golden's state by the oracle's own commands.

import { describe, expect, it } from 'vitest';
import { errorsLab, host2 } from './testing/golden-host.ts';
import { maskTimers, readGolden, run, tableSections, transcript } from './testing/run.ts';

describe.each([
  ['tables-vxlan.txt', 'vxlan'],
  ['tables-host-gw.txt', 'host-gw'],
  ['tables-udp.txt', 'udp'],
] as const)('%s', (file, backend) => {
  for (const { cmd, output } of tableSections(readGolden(file))) {
    it(cmd, async () => {
      const result = await run(await host2(backend), cmd);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(maskTimers(result.stdout)).toBe(maskTimers(output));
    });
  }
});

describe('errors-and-formats.txt', () => {
  const steps = transcript(readGolden('errors-and-formats.txt')).filter(
    (s) => s.cmd.startsWith('ip ') || s.cmd.startsWith('bridge '),
  );
  it('has the ip and bridge steps', () => {
    expect(steps.length).toBe(30);
  });
  // One kernel for the whole transcript, as the oracle ran it: the failing writes must not
  // change what the later steps print.
  const kernel = errorsLab();
  for (const step of steps) {
    it(step.cmd, async () => {
      const result = await run(await kernel, step.cmd);
      expect(result.output).toBe(step.output);
      expect(result.code).toBe(step.code);
    });
  }
});
