// etcdctl's v2 commands against the lab's store, replaying tests/golden/docker/etcd-v2.txt: what
// the real etcdctl 3.4.23 (ETCDCTL_API=2) printed against etcd 3.4.23 --enable-v2 (recorded by
// tests/golden/docker/etcd-v2.oracle.sh). The v2 index is the store's revision here and etcd's
// own counter there, so indexes are compared after numbering them in order of appearance.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKvClient } from '../../kv/client.ts';
import { KvServer } from '../../kv/server.ts';
import { ManualClock } from '../../os/clock.ts';
import type { HostContext, ProgramIO } from '../types.ts';
import { etcdctl } from './etcdctl.ts';
import { textInput } from '../../os/pipe.ts';

const GOLDEN = readFileSync(
  new URL('../../../../tests/golden/docker/etcd-v2.txt', import.meta.url),
  'utf8',
);
const FLANNEL_CONFIG =
  '{\n  "Network":"10.100.0.0/16",\n  "SubnetLen":24,\n  "Backend":{\n      "Type":"host-gw" \n  }\n}\n';

function lab() {
  const clock = new ManualClock();
  const server = new KvServer({
    clock,
    member: {
      name: 'node-1',
      peerUrls: ['http://127.0.0.1:23801'],
      clientUrls: ['http://127.0.0.1:23791'],
    },
  });
  const host = { hostname: 'node-1', clock, kv: createKvClient(server) } as unknown as HostContext;
  const run = async (args: string[], stdin = '', signal?: AbortSignal) => {
    let out = '';
    const io: ProgramIO = {
      stdin: textInput(stdin),
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      signal: signal ?? new AbortController().signal,
      env: { ETCDCTL_API: '2' },
    };
    const code = await etcdctl(['etcdctl', ...args], io, host);
    return { out, code };
  };
  return { clock, run };
}

/** The recording's commands, in order: argv (split on blanks, as `echo $*` printed them), output, exit. */
function cases(text: string): { line: string; args: string[]; out: string; code: number }[] {
  const out: { line: string; args: string[]; out: string; code: number }[] = [];
  const blocks = text.split(/^\$ etcdctl /m).slice(1);
  for (const block of blocks) {
    const m = /^(.*)\n([\s\S]*?)\[exit (\d+)\]\n/.exec(block);
    if (!m) continue;
    out.push({ line: m[1], args: m[1].split(' ').filter(Boolean), out: m[2], code: Number(m[3]) });
  }
  return out;
}

/** Indexes renumbered by first appearance; member ids hidden (random in both). */
function normalise(text: string): string {
  const seen = new Map<string, number>();
  const n = (v: string) => {
    if (!seen.has(v)) seen.set(v, seen.size + 1);
    return `#${seen.get(v)}`;
  };
  return text
    .replace(/\[(\d+)\]$/gm, (_, v: string) => `[${n(v)}]`)
    .replace(
      /^(Created-Index|Modified-Index|Index): (\d+)$/gm,
      (_, k: string, v: string) => `${k}: ${n(v)}`,
    )
    .replace(/"(createdIndex|modifiedIndex)":(\d+)/g, (_, k: string, v: string) => `"${k}":${n(v)}`)
    .replace(/^[0-9a-f]{16}: name=/gm, '<id>: name=')
    .replace(/member [0-9a-f]{16} is/g, 'member <id> is');
}

describe('etcdctl v2 (ETCDCTL_API=2), as the real etcdctl printed it', () => {
  it('replays the recording command by command', async () => {
    const { run } = lab();
    const recorded = cases(GOLDEN.split('$ etcdctl watch /docker-subnet/network/config')[0]);
    expect(recorded.length).toBeGreaterThan(30);
    let ours = '';
    let theirs = '';
    for (const c of recorded) {
      const fromFile = c.line.endsWith('< /etc/flannel-config.json');
      const args = fromFile ? c.args.slice(0, -2) : c.args;
      // The oracle could not record these two without directories of their own: mkdir/rmdir.
      if (args[0] === 'mkdir' || args[0] === 'rmdir') continue;
      const r = await run(args, fromFile ? FLANNEL_CONFIG : '');
      ours += `$ ${c.line}\n${r.out}[exit ${r.code}]\n`;
      theirs += `$ ${c.line}\n${c.out}[exit ${c.code}]\n`;
    }
    // Real etcd lists a directory's children in map order unless --sort; ours are sorted, so
    // the one unsorted listing of the recording is compared as a set.
    const sortBlock = (t: string) =>
      t.replace(
        /(\$ ls --recursive -p \/docker-subnet\n)([\s\S]*?)(\[exit)/,
        (_, a: string, b: string, c: string) =>
          a + b.split('\n').filter(Boolean).sort().join('\n') + '\n' + c,
      );
    expect(normalise(sortBlock(ours))).toBe(normalise(sortBlock(theirs)));
  });

  it('watch prints the next value and exits; -r prints the action and key first', async () => {
    const { run } = lab();
    const one = run(['watch', '/docker-subnet/network/config']);
    await new Promise((r) => setTimeout(r, 10));
    await run(['set', '/docker-subnet/network/config', 'changed']);
    expect(await one).toEqual({ out: 'changed\n', code: 0 });
    const all = run(['watch', '-r', '/docker-subnet']);
    await new Promise((r) => setTimeout(r, 10));
    await run(['set', '/docker-subnet/network/k', 'v']);
    expect(await all).toEqual({ out: '[set] /docker-subnet/network/k\nv\n', code: 0 });
  });

  it('a key set with --ttl expires with its lease, as flannel 0.10 leases do', async () => {
    const { run, clock } = lab();
    await run(['set', '--ttl', '5', '/docker-subnet/network/subnets/10.100.50.0-24', 'x']);
    expect(
      (await run(['-o', 'extended', 'get', '/docker-subnet/network/subnets/10.100.50.0-24'])).out,
    ).toMatch(/^TTL: 5$/m);
    await clock.advance(6000);
    const gone = await run(['get', '/docker-subnet/network/subnets/10.100.50.0-24']);
    expect(gone.code).toBe(4);
    expect(gone.out).toMatch(
      /^Error: {2}100: Key not found \(\/docker-subnet\/network\/subnets\/10\.100\.50\.0-24\) \[\d+\]\n$/,
    );
  });
});
