import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Netfilter } from '../../kernel/netfilter.ts';
import type { KernelApi } from '../../kernel/types.ts';
import type { HostContext, ProgramIO } from '../types.ts';
import { iptables } from './iptables.ts';
import { TERMINAL_INPUT } from '../../os/pipe.ts';

const golden = readFileSync(
  new URL('../../../../tests/golden/linux/errors-and-formats.txt', import.meta.url),
  'utf8',
);

/** The golden's `$ iptables ...` blocks: command line, output, exit code. */
function goldenIptables(): { line: string; out: string; code: number }[] {
  const blocks: { line: string; out: string; code: number }[] = [];
  const re = /^\$ (iptables[^\n]*)\n([\s\S]*?)\[exit (\d+)\]\n/gm;
  for (const m of golden.matchAll(re)) blocks.push({ line: m[1], out: m[2], code: Number(m[3]) });
  return blocks;
}

/** The transcript prints `--comment flanneld masq` unquoted: the comment runs to the next option. */
function splitLine(line: string): string[] {
  const words = line.split(' ');
  const argv: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--comment') {
      const parts: string[] = [];
      while (i + 1 < words.length && !words[i + 1].startsWith('-')) parts.push(words[++i]);
      argv.push('--comment', parts.join(' '));
    } else argv.push(words[i]);
  }
  return argv;
}

function makeHost(nf: Netfilter): HostContext {
  const kernel = { netfilter: nf } as unknown as KernelApi;
  return { kernel } as unknown as HostContext;
}

async function run(host: HostContext, argv: string[]) {
  let out = '';
  let err = '';
  const io: ProgramIO = {
    stdin: TERMINAL_INPUT,
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    signal: new AbortController().signal,
  };
  const code = await iptables(argv, io, host);
  return { code, text: out + err };
}

describe('iptables against the golden transcript', () => {
  it('replays every iptables command with identical output and exit code', async () => {
    const host = makeHost(new Netfilter());
    const blocks = goldenIptables();
    expect(blocks.length).toBeGreaterThan(10);
    for (const b of blocks) {
      const res = await run(host, splitLine(b.line));
      expect({ line: b.line, text: res.text, code: res.code }).toEqual({
        line: b.line,
        text: b.out,
        code: b.code,
      });
    }
  });
});

describe('iptables edits and errors', () => {
  it('creates, checks, deletes and refuses like iptables', async () => {
    const host = makeHost(new Netfilter());
    expect(await run(host, ['iptables', '-N', 'X'])).toEqual({ code: 0, text: '' });
    expect(await run(host, ['iptables', '-N', 'X'])).toEqual({
      code: 1,
      text: 'iptables: Chain already exists.\n',
    });
    await run(host, ['iptables', '-A', 'FORWARD', '-j', 'X']);
    expect((await run(host, ['iptables', '-X', 'X'])).text).toBe('iptables: Too many links.\n');
    expect((await run(host, ['iptables', '-C', 'FORWARD', '-j', 'X'])).code).toBe(0);
    expect(await run(host, ['iptables', '-C', 'FORWARD', '-j', 'ACCEPT'])).toEqual({
      code: 1,
      text: 'iptables: Bad rule (does a matching rule exist in that chain?).\n',
    });
    expect((await run(host, ['iptables', '-D', 'FORWARD', '-j', 'X'])).code).toBe(0);
    expect((await run(host, ['iptables', '-X', 'X'])).code).toBe(0);
    expect((await run(host, ['iptables', '-P', 'FORWARD', 'DROP'])).code).toBe(0);
    expect((await run(host, ['iptables', '-S'])).text).toBe(
      '-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n',
    );
    const bad = await run(host, ['iptables', '-A', 'INPUT', '-s', '10.0.0.300', '-j', 'DROP']);
    expect(bad.code).toBe(2);
    expect(bad.text).toContain("host/network `10.0.0.300' not found");
    const opt = await run(host, ['iptables', '--bogus']);
    expect(opt).toEqual({
      code: 2,
      text:
        'iptables v1.8.9 (nf_tables): unknown option "--bogus"\n' +
        "Try `iptables -h' or 'iptables --help' for more information.\n",
    });
  });

  it('masks host bits and prints /32 sources bare in -L', async () => {
    const host = makeHost(new Netfilter());
    await run(host, [
      'iptables',
      '-A',
      'INPUT',
      '-s',
      '10.1.2.3/8',
      '-d',
      '10.0.0.1',
      '-j',
      'ACCEPT',
    ]);
    expect((await run(host, ['iptables', '-S', 'INPUT'])).text).toBe(
      '-P INPUT ACCEPT\n-A INPUT -s 10.0.0.0/8 -d 10.0.0.1/32 -j ACCEPT\n',
    );
    expect((await run(host, ['iptables', '-L', 'INPUT', '-n'])).text).toBe(
      'Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination         \n' +
        'ACCEPT     0    --  10.0.0.0/8           10.0.0.1            \n',
    );
  });
});
