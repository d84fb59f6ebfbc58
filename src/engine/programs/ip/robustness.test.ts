// No command line crashes `ip` or `bridge`: random words drawn from their vocabulary always
// end in an exit status, with any failure reported on stderr.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelApi } from '../../kernel/types.ts';
import { host2 } from './testing/golden-host.ts';
import { run } from './testing/run.ts';

const WORDS = [
  'ip',
  'bridge',
  '-j',
  '-p',
  '-d',
  '-s',
  '-o',
  '-br',
  '-4',
  '-n',
  'flp2',
  'nosuch',
  'link',
  'addr',
  'route',
  'neigh',
  'netns',
  'fdb',
  'show',
  'add',
  'del',
  'set',
  'replace',
  'append',
  'change',
  'flush',
  'get',
  'exec',
  'list',
  'help',
  'dev',
  'eth0',
  'cni0',
  'flannel.1',
  'veth1',
  'eth9',
  'type',
  'veth',
  'bridge',
  'vxlan',
  'peer',
  'name',
  'id',
  '1',
  'abc',
  'up',
  'down',
  'mtu',
  '1450',
  '99999',
  'master',
  'nomaster',
  'address',
  'zz:zz',
  '02:00:00:00:00:01',
  'via',
  'src',
  'metric',
  'table',
  'local',
  'all',
  '5',
  'scope',
  'link',
  'proto',
  'static',
  'onlink',
  'unreachable',
  'default',
  '10.244.2.0/24',
  '10.244.2.0',
  '10.0.0.300/24',
  '172.16.112.130',
  'lladdr',
  'nud',
  'permanent',
  'bogus',
  'self',
  'br',
  'to',
  '',
  '-',
  '--',
  '-V',
];

describe('robustness', () => {
  it('every command line ends with an exit status', async () => {
    // A fresh host every 50 lines: the lines in between see the state earlier lines left.
    let runs = 0;
    let kernel: KernelApi | undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ip', 'bridge'),
        fc.array(fc.constantFrom(...WORDS), { maxLength: 8 }),
        async (program, words) => {
          if (runs++ % 50 === 0) kernel = await host2('vxlan');
          const result = await run(kernel!, [program, ...words].join(' '));
          expect(Number.isInteger(result.code)).toBe(true);
          if (result.code !== 0) expect(result.stderr).not.toBe('');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
