// No program prints JavaScript's internals: words that name Object.prototype's members
// (`__proto__`, `constructor`) find nothing in any command or flag table, and input nested
// deeper than the JS stack gets the real tool's error.

import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalLab } from '../../src/engine/lab/local-lab.ts';
import { buildSeedLab } from './seed-lab.ts';

let lab: LocalLab;

beforeAll(async () => {
  lab = await buildSeedLab('vxlan');
}, 60_000);

const PROTO_WORDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
/** A program or builtin and the place in its command line where a table is consulted. */
const LINES = [
  'etcdctl',
  'etcdctl lease',
  'etcdctl get /a --',
  'etcdctl get /a -w',
  'ip',
  'ip link',
  'ip route',
  'ip route add 10.9.0.0/24 dev eth0 scope',
  'ip neigh add 10.9.0.1 dev eth0 nud',
  'ip link add x type',
  'bridge',
  'bridge fdb',
  'tcpdump -c 1 port',
  'systemctl',
  'journalctl -o',
  'nsenter',
  'iptables -t',
  'iptables -A FORWARD -j',
  'sysctl',
  'grep',
  'cut --',
  'head --',
  'seq',
  'echo -e \\\\',
  'printf \\\\',
  'type',
  'help',
];
const INTERNALS =
  /is not a function|TypeError|Cannot read|\[object |undefined|Maximum call|native code|is not iterable|Cannot convert/;

describe('command and flag tables', () => {
  it('find no prototype member for any word', async () => {
    const leaks: string[] = [];
    for (const line of LINES)
      for (const word of PROTO_WORDS) {
        const r = await lab.run('node1', `${line} ${word}`, { interruptAfterMs: 200 });
        if (INTERNALS.test(r.output)) leaks.push(`$ ${line} ${word}\n${r.output.slice(0, 200)}`);
      }
    expect(leaks).toEqual([]);
  }, 60_000);

  it('etcdctl: __proto__ and constructor are unknown commands', async () => {
    for (const word of ['__proto__', 'constructor']) {
      const msg = `Error: unknown command "${word}" for "etcdctl"\n`;
      expect(await lab.run('node1', `etcdctl ${word}`)).toMatchObject({
        status: 1,
        stderr: `${msg}Run 'etcdctl --help' for usage.\n${msg}`,
      });
      expect((await lab.run('node1', `etcdctl lease ${word}`)).stdout).toContain(
        'lease - Lease related commands',
      );
    }
  });

  it('nsenter: a lone - is the program to run (util-linux 2.38)', async () => {
    expect(await lab.run('node1', 'nsenter -')).toMatchObject({
      status: 127,
      output: 'nsenter: failed to execute -: No such file or directory\n',
    });
    expect(await lab.run('node1', 'nsenter --net=/var/run/netns/nope -')).toMatchObject({
      status: 1,
      output: 'nsenter: cannot open /var/run/netns/nope: No such file or directory\n',
    });
  });
});

describe('tcpdump filters nested deep (libpcap 1.10.3 on the oracle)', () => {
  const parens = (n: number) => `'${'('.repeat(n)}icmp${')'.repeat(n)}'`;
  const nots = (n: number) => `'${'not '.repeat(n)}icmp'`;

  it('compiles 5,000 nested parentheses and 5,000 nots', async () => {
    for (const filter of [parens(5000), nots(5001)]) {
      const r = await lab.run('node1', `tcpdump -i eth0 ${filter}`, { interruptAfterMs: 100 });
      expect(r.stderr).toContain('listening on eth0');
      expect(r.status).toBe(0);
    }
  });

  it('fails as bison does past its stack: memory exhausted', async () => {
    const exhausted = "tcpdump: can't parse filter expression: memory exhausted\n";
    for (const [filter, ok] of [
      [parens(9995), true],
      [parens(9996), false],
      [nots(9996), true],
      [nots(9997), false],
    ] as const) {
      const r = await lab.run('node1', `tcpdump -i eth0 ${filter}`, { interruptAfterMs: 100 });
      if (ok) expect(r.stderr).not.toContain('memory exhausted');
      else expect(r).toMatchObject({ status: 1, stderr: exhausted });
    }
  });
});
