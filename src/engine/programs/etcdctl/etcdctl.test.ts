import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../os/clock.ts';
import { createKvClient } from '../../kv/client.ts';
import { KvServer } from '../../kv/server.ts';
import type { HostContext, ProgramIO } from '../types.ts';
import { etcdctl } from './etcdctl.ts';
import { TERMINAL_INPUT, textInput } from '../../os/pipe.ts';

const GOLDEN = readFileSync(
  new URL('../../../../tests/golden/etcd/etcdctl.txt', import.meta.url),
  'utf8',
);
const ENDPOINT = 'http://127.0.0.1:23790';

function lab() {
  const clock = new ManualClock();
  const server = new KvServer({
    clock,
    member: { peerUrls: ['http://127.0.0.1:23800'], clientUrls: [ENDPOINT] },
  });
  const host = { hostname: 'etcd', clock, kv: createKvClient(server) } as unknown as HostContext;
  const run = async (args: string[], stdin = '', signal?: AbortSignal) => {
    let out = '';
    const io: ProgramIO = {
      stdin: textInput(stdin),
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      signal: signal ?? new AbortController().signal,
    };
    const code = await etcdctl(['etcdctl', `--endpoints=${ENDPOINT}`, ...args], io, host);
    return { out, code };
  };
  return { clock, server, run };
}

/** Hides what is random by nature: lease ids, timestamps, client uuids, latencies. */
function normalise(text: string): string {
  return text
    .replace(/"lease":\d+/g, '"lease":<N>')
    .replace(/"Lease" : [1-9]\d*/g, '"Lease" : <N>')
    .replace(/\b[0-9a-f]{16}\b/g, (id) => (id === '2e1259d415f2a040' ? id : '<ID>'))
    .replace(/"ts":"[^"]+"/g, '"ts":"<TS>"')
    .replace(/client-[0-9a-f-]+/g, 'client-<UUID>')
    .replace(/took = \S+/g, 'took = <T>');
}

// The stdin of the golden's two `txn` runs (see /work/shared/oracle/etcd-lab.sh).
const TXN_INPUTS = [
  'create("/coreos.com/network/subnets/10.244.1.0-24") = "0"\n\nput /coreos.com/network/subnets/10.244.1.0-24 {"PublicIP":"172.16.112.133","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VtepMAC":"06:16:ea:e8:67:db"}}\n\n\n',
  'create("/coreos.com/network/subnets/10.244.1.0-24") = "0"\n\nput /coreos.com/network/subnets/10.244.1.0-24 {"PublicIP":"172.16.112.130"}\n\n\n',
];

describe('etcdctl against the golden (etcd 3.4.23)', () => {
  it('prints what the real etcdctl printed, line for line', async () => {
    const { clock, run } = lab();
    const blocks = GOLDEN.split(/^(?=\$ etcdctl)/m);
    // The oracle granted one lease silently first and used it as $lease.
    const hidden = await run(['lease', 'grant', '86400']);
    const lease = hidden.out.split(' ')[1];
    let txn = 0;
    for (const block of blocks) {
      const [first, ...rest] = block.split('\n');
      const args = first
        .slice('$ etcdctl '.length)
        .split(' ')
        .filter(Boolean)
        .map((a) => a.replace('2040a207520fdc09', lease));
      await clock.advance(200); // real time passed between the oracle's commands
      let result;
      if (args[0] === 'watch') {
        const abort = new AbortController();
        const pending = run(args, '', abort.signal);
        await clock.advance(1000);
        abort.abort();
        result = await pending;
      } else result = await run(args, args[0] === 'txn' ? TXN_INPUTS[txn++] : '');
      const expected = rest.join('\n');
      const actual = args[0] === 'watch' ? result.out : `${result.out}[exit ${result.code}]\n`;
      expect(normalise(actual), first).toBe(normalise(expected));
    }
    expect(txn).toBe(2);
  });
});

describe('etcdctl: more behaviour recorded from the real etcdctl 3.4.23 (testdata/)', () => {
  const cases: [string[], string, string][] = [
    [['put', 'a', '1'], '', 'OK\n[exit 0]\n'],
    [['put', 'a', '2', '--prev-kv'], '', 'OK\na\n1\n[exit 0]\n'],
    [['get', 'a', '--print-value-only'], '', '2\n[exit 0]\n'],
    [['get', 'a', '--hex'], '', '\\x61\n\\x32\n[exit 0]\n'],
    [
      ['txn'],
      'version("a") = "2"\n\nput c 3\nget a\ndel b\n\nput d 4\n\n',
      'SUCCESS\n\nOK\n\na\n2\n\n0\n[exit 0]\n',
    ],
    [['txn'], 'bogus\n\n\n\n', 'Error: malformed comparison: bogus\n[exit 3]\n'],
    [
      ['txn'],
      'version(a) = "1"\n\n\n\n',
      'Error: malformed comparison: version(a) = "1"; got version("")  ""\n[exit 3]\n',
    ],
    [['txn'], '\n\nbogus x\n\n', 'Error: invalid txn request: bogus x\n[exit 3]\n'],
    [['txn'], '\n\n', 'Error: EOF\n[exit 3]\n'],
    [['get', 'a', '-w', 'table'], '', 'Error: table not supported as output format\n[exit 4]\n'],
    [['get', 'a', '-w', 'xml'], '', 'Error: unsupported output format\n[exit 4]\n'],
    [
      ['lease', 'grant', 'abc'],
      '',
      'Error: bad TTL (strconv.ParseInt: parsing "abc": invalid syntax)\n[exit 128]\n',
    ],
    [
      ['lease', 'keep-alive', '--once', '1234'],
      '',
      'Error: etcdserver: requested lease not found\n[exit 2]\n',
    ],
    [
      ['compaction', 'abc'],
      '',
      'Error: strconv.ParseInt: parsing "abc": invalid syntax\n[exit 1]\n',
    ],
    [['watch'], '', 'Error: bad number of arguments\n[exit 128]\n'],
    [['version'], '', 'etcdctl version: 3.4.23\nAPI version: 3.4\n[exit 0]\n'],
    [
      ['member', 'list'],
      '',
      '2e1259d415f2a040, started, default, http://127.0.0.1:23800, http://127.0.0.1:23790, false\n[exit 0]\n',
    ],
  ];
  it('matches the recordings', async () => {
    const { run } = lab();
    for (const [args, stdin, expected] of cases) {
      const { out, code } = await run(args, stdin);
      expect(`${out}[exit ${code}]\n`, args.join(' ')).toBe(expected);
    }
  });

  it('prints an unknown flag with the command help, as cobra does', async () => {
    const { run } = lab();
    const { out, code } = await run(['get', 'a', '--count-only']);
    const recorded = readFileSync(new URL('./testdata/out1.txt', import.meta.url), 'utf8');
    const start = recorded.indexOf('Error: unknown flag: --count-only');
    const end = recorded.indexOf('[exit 1]', start);
    expect(out).toBe(recorded.slice(start, end));
    expect(code).toBe(1);
  });

  it('watch prints prev kvs and stops with exit 5 when its revision was compacted', async () => {
    const { run, clock } = lab();
    await run(['put', 'a', '1']);
    await run(['put', 'a', '2']);
    await run(['del', 'a']);
    const abort = new AbortController();
    const w = run(['watch', '--rev=1', 'a', '--prefix', '--prev-kv'], '', abort.signal);
    await clock.advance(100);
    abort.abort();
    expect((await w).out).toBe('PUT\na\n1\nPUT\na\n1\na\n2\nDELETE\na\n2\na\n\n');
    await run(['compaction', '3']);
    const c = await run(['watch', '--rev=2', 'a']);
    expect(c.out).toBe(
      'watch was canceled (etcdserver: mvcc: required revision has been compacted)\nError: watch is canceled by the server\n',
    );
    expect(c.code).toBe(5);
  });

  it('reports an unreachable etcd as a deadline', async () => {
    const clock = new ManualClock();
    const host = { hostname: 'n', clock } as unknown as HostContext;
    let out = '';
    const io: ProgramIO = {
      stdin: TERMINAL_INPUT,
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      signal: new AbortController().signal,
    };
    expect(await etcdctl(['etcdctl', 'get', 'a'], io, host)).toBe(1);
    expect(out.split('\n').slice(1).join('\n')).toBe('Error: context deadline exceeded\n');
  });
});
