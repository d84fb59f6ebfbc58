// The playground's etcdctl on a real etcd (through the gateway client) prints what Debian's
// etcdctl prints against the same cluster, for the same keys: the golden session's commands
// (tests/golden/etcd/etcdctl.txt), each run by both.
//
// Reads and errors run on both and must match byte for byte (timestamps and client ids aside).
// A write runs once, by ours (run twice it would answer differently: a txn's second claim
// fails), and Debian's etcdctl then reads what it wrote.
import { textInput } from '../../src/engine/os/pipe.ts';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdGateway } from '../../src/engine/kv/etcd-gateway.ts';
import { ManualClock } from '../../src/engine/os/clock.ts';
import { seededRandom } from '../../src/engine/lab/local-lab.ts';
import { etcdctl } from '../../src/engine/programs/etcdctl/etcdctl.ts';
import type { HostContext, ProgramIO } from '../../src/engine/programs/types.ts';
import { ETCDCTL_BIN, EtcdCluster, etcdInstalled } from './etcd-cluster.ts';

const GOLDEN = readFileSync(new URL('../golden/etcd/etcdctl.txt', import.meta.url), 'utf8');
const TXN_INPUTS = [
  'create("/coreos.com/network/subnets/10.244.1.0-24") = "0"\n\nput /coreos.com/network/subnets/10.244.1.0-24 {"PublicIP":"172.16.112.133","PublicIPv6":null,"BackendType":"vxlan","BackendData":{"VtepMAC":"06:16:ea:e8:67:db"}}\n\n\n',
  'create("/coreos.com/network/subnets/10.244.1.0-24") = "0"\n\nput /coreos.com/network/subnets/10.244.1.0-24 {"PublicIP":"172.16.112.130"}\n\n\n',
];
const WRITES = new Set(['put', 'txn', 'del', 'compaction', 'lease grant']);
/** How long a `watch` runs before Ctrl-C. */
const WATCH_MS = 1_000;

/** What differs between two runs by nature: timestamps, client uuids, latencies. */
function normalise(text: string): string {
  return text
    .replace(/"ts":"[^"]+"/g, '"ts":"<TS>"')
    .replace(/client-[0-9a-f-]+/g, 'client-<UUID>')
    .replace(/took = \S+/g, 'took = <T>');
}

/** Debian's etcdctl, stdout then stderr (a watch is interrupted after WATCH_MS). */
function debian(endpoint: string, args: string[], stdin: string): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(ETCDCTL_BIN, [`--endpoints=${endpoint}`, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdin.end(stdin);
    const timer = args[0] === 'watch' ? setTimeout(() => p.kill('SIGINT'), WATCH_MS) : null;
    p.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve(args[0] === 'watch' ? out : `${out}${err}[exit ${code}]\n`);
    });
  });
}

describe.skipIf(!etcdInstalled())("etcdctl against a real etcd: ours and Debian's", () => {
  const cluster = new EtcdCluster({ size: 1, basePort: 24390 });
  const endpoint = cluster.endpoints[0];
  let kv: ReturnType<typeof createEtcdGateway>;
  beforeAll(async () => {
    await cluster.start();
    kv = createEtcdGateway({
      endpoints: [endpoint],
      fetch,
      setTimer: (ms, fn) => {
        const id = setTimeout(fn, ms);
        return () => clearTimeout(id);
      },
      random: seededRandom(5),
    });
  }, 30_000);
  afterAll(async () => {
    kv?.close();
    await cluster.destroy();
  });

  async function ours(args: string[], stdin: string): Promise<string> {
    const clock = new ManualClock(Date.now());
    const host = { hostname: 'node1', clock, kv } as unknown as HostContext;
    let out = '';
    const abort = new AbortController();
    const io: ProgramIO = {
      stdin: textInput(stdin),
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      signal: abort.signal,
    };
    const timer = args[0] === 'watch' ? setTimeout(() => abort.abort(), WATCH_MS) : null;
    const code = await etcdctl(['etcdctl', `--endpoints=${endpoint}`, ...args], io, host);
    if (timer) clearTimeout(timer);
    return args[0] === 'watch' ? out : `${out}[exit ${code}]\n`;
  }

  it('prints the same for every command of the golden session', async () => {
    let lease = '';
    let txn = 0;
    let compared = 0;
    for (const block of GOLDEN.split(/^(?=\$ etcdctl)/m)) {
      const first = block.split('\n')[0];
      const args = first
        .slice('$ etcdctl '.length)
        .split(' ')
        .filter(Boolean)
        .map((a) => a.replace('2040a207520fdc09', lease));
      const stdin = args[0] === 'txn' ? TXN_INPUTS[txn++] : '';
      const name = args[0] === 'lease' ? `lease ${args[1]}` : args[0];
      // `put onlykey` is an error, not a write.
      const write = WRITES.has(name) && !(name === 'put' && args.length < 3);
      const mine = await ours(args, stdin);
      if (name === 'lease grant') lease = mine.split(' ')[1];
      if (write) {
        expect(mine, first).toMatch(/\[exit 0\]\n$/);
        continue;
      }
      expect(normalise(mine), first).toBe(normalise(await debian(endpoint, args, stdin)));
      compared++;
    }
    expect(lease).toMatch(/^[0-9a-f]{16}$/);
    expect(compared).toBeGreaterThan(15);
    // What our writes left, as Debian's etcdctl reads it.
    expect((await debian(endpoint, ['get', '', '--prefix', '--keys-only'], '')).trim()).toBe(
      '/coreos.com/network/config\n\n[exit 0]',
    );
  }, 60_000);
});
