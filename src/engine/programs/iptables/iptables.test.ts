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

const syntax = readFileSync(
  new URL('../../../../tests/golden/linux/netfilter-syntax.txt', import.meta.url),
  'utf8',
);

/** The oracle's `# title` sections of netfilter-syntax.txt. */
function syntaxSection(title: string): string {
  const m = new RegExp(
    `^# ${title.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\n([\\s\\S]*?)(?=^# |$(?![\\s\\S]))`,
    'm',
  ).exec(syntax);
  return m ? m[1] : '<missing>';
}

/** Shell words: double quotes group, as bash would split the oracle's lines. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** The rules the oracle added to host2 (beside flanneld's POSTROUTING jump) before listing. */
const SYNTAX_SETUP = [
  '-t nat -N FLANNEL-POSTRTG',
  '-t nat -A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
  '-N T',
  '-A T -p udp -m udp --sport 53 -j ACCEPT',
  '-A T -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT',
  '-A T -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A T -m addrtype --dst-type LOCAL -j RETURN',
  '-A T ! -i eth0 -o cni0 -p icmp --icmp-type 8 -j LOG --log-prefix "ping: "',
  '-A T -p icmp --icmp-type port-unreachable -j DROP',
  '-A T -s 10.0.0.1 ! -p udp -j REJECT --reject-with icmp-host-prohibited',
  '-A T -j MARK --set-mark 0x4000',
  '-A T -m mark ! --mark 0x1 -j MARK --set-xmark 0x8000/0xc000',
  '-A T -p tcp --dport 22 -j REJECT --reject-with tcp-reset',
  '-A T -i eth+ -j RETURN',
  '-t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.244.1.2:80',
  '-t nat -A PREROUTING -p udp -d 172.16.112.133 --dport 53 -j DNAT --to-destination 10.244.1.2',
  '-t nat -A POSTROUTING -s 10.244.1.0/24 -o eth0 -j SNAT --to-source 172.16.112.133',
  '-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-2047',
];

describe('iptables matches and targets against real iptables-nft 1.8.9', () => {
  const listings: [string, string[]][] = [
    ['matches and targets: -S', ['-S T', '-t nat -S PREROUTING', '-t nat -S POSTROUTING']],
    ['matches and targets: -L -n', ['-L T -n']],
    ['matches and targets: -L -v -n', ['-L T -v -n']],
    ['matches and targets: -L', ['-L T']],
    ['nat -L -n', ['-t nat -L PREROUTING -n', '-t nat -L POSTROUTING -n']],
    ['-L -n --line-numbers', ['-L T -n --line-numbers']],
  ];
  it.each(listings)('%s', async (title, lines) => {
    const host = makeHost(new Netfilter());
    for (const l of SYNTAX_SETUP) expect((await run(host, ['iptables', ...words(l)])).code).toBe(0);
    let out = '';
    for (const l of lines) out += (await run(host, ['iptables', ...words(l)])).text;
    expect(out).toBe(syntaxSection(title));
  });

  it('refuses what the real tool refuses, with its messages and exit codes', async () => {
    const blocks = [
      ...syntaxSection('errors').matchAll(/^\$ iptables (.*)\n([\s\S]*?)exit (\d+)\n/gm),
    ];
    expect(blocks.length).toBeGreaterThan(15);
    for (const [, line, out, code] of blocks) {
      const host = makeHost(new Netfilter());
      const res = await run(host, ['iptables', ...words(line)]);
      expect({ line, text: res.text, code: res.code }).toEqual({
        line,
        text: out,
        code: Number(code),
      });
    }
  });
});
