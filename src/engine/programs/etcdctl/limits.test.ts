// etcd's limits as etcdctl shows them, against what etcd 3.4.23 printed on the oracle
// (tests/golden/etcd/etcdctl-limits.txt with --quota-backend-bytes=8388608,
// etcdctl-alarm.txt with a quota of one byte; /work/shared/oracle/etcd-limits-lab.sh and
// etcd-alarm-lab.sh).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKvClient } from '../../kv/client.ts';
import { KvServer } from '../../kv/server.ts';
import { ManualClock } from '../../os/clock.ts';
import type { HostContext, ProgramIO } from '../types.ts';
import { etcdctl } from './etcdctl.ts';
import { textInput } from '../../os/pipe.ts';

const golden = (name: string) =>
  readFileSync(new URL(`../../../../tests/golden/etcd/${name}`, import.meta.url), 'utf8');
const LIMITS = golden('etcdctl-limits.txt');
const ALARM = golden('etcdctl-alarm.txt');

/** What the oracle printed for the block starting `$ etcdctl <command>` (its n-th such block). */
function recorded(text: string, command: string, nth = 0): string {
  const blocks = text
    .split(/^(?=\$ etcdctl )/m)
    .filter((b) => b.startsWith(`$ etcdctl ${command}\n`));
  const block = blocks[nth];
  if (!block) throw new Error(`no recording of ${command}`);
  return block.slice(block.indexOf('\n') + 1).replace(/^# .*\n/gm, '');
}

/** The oracle's member ids: 13668033151171901709 (limits), 3990370604368066554 (alarm). */
function lab(memberId: string, quotaBackendBytes: number, port = 23791) {
  const clock = new ManualClock();
  const server = new KvServer({ clock, memberId, quotaBackendBytes, compactionIntervalMs: 0 });
  const host = { hostname: 'etcd', clock, kv: createKvClient(server) } as unknown as HostContext;
  const run = async (args: string[], stdin = '') => {
    let out = '';
    const io: ProgramIO = {
      stdin: textInput(stdin),
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      signal: new AbortController().signal,
    };
    const code = await etcdctl(
      ['etcdctl', `--endpoints=http://127.0.0.1:${port}`, ...args],
      io,
      host,
    );
    return `${out}[exit ${code}]\n`
      .replace(/"ts":"[^"]+"/g, '"ts":"TS"')
      .replace(/client-[0-9a-f-]+/g, 'client-ID');
  };
  return { server, run };
}

const x = (n: number) => 'x'.repeat(n);

describe('--max-request-bytes (1.5 MiB) and the client send limit (2 MiB)', () => {
  it('refuses a put as etcd does, one byte past the limit', async () => {
    const { run } = lab('13668033151171901709', 2 ** 31);
    expect(await run(['put', '/big'], x(1572864 - 20))).toBe(
      recorded(LIMITS, 'put /big "<1572864 - 20 bytes>"'),
    );
    expect(await run(['put', '/big'], x(1572864))).toBe(
      recorded(LIMITS, 'put /big "<1572864 bytes>"'),
    );
    for (const n of [2097152, 3000000])
      expect(await run(['put', '/big'], x(n))).toBe(recorded(LIMITS, `put /big "<${n} bytes>"`));
    for (const n of [1572836, 1572837])
      expect(await run(['put', '/big'], x(n))).toBe(recorded(LIMITS, `put /big "<${n} bytes>"`));
  });

  it('counts the request id: on a member whose ids take 10 bytes, 1,572,837 is too large', async () => {
    const { run } = lab('3319814642761637952', 2 ** 31);
    expect(await run(['put', '/big'], x(1572836))).toBe('OK\n[exit 0]\n');
    expect(await run(['put', '/big'], x(1572837))).toContain(
      'Error: etcdserver: request is too large\n[exit 1]\n',
    );
  });
});

describe('--quota-backend-bytes and the NOSPACE alarm', () => {
  it('raises NOSPACE, refuses writes but deletes until disarmed', async () => {
    const { run } = lab('13668033151171901709', 8 * 1024 * 1024);
    expect(await run(['alarm', 'list'])).toBe(recorded(LIMITS, 'alarm list'));
    let refused = '';
    for (let i = 1; i <= 12 && !refused; i++) {
      const out = await run(['put', `/fill/${i}`], x(1048576));
      if (out !== 'OK\n[exit 0]\n') refused = out;
    }
    expect(refused).toBe(recorded(LIMITS, 'put /fill/12 "<1048576 bytes>"'));
    expect(await run(['alarm', 'list'])).toBe(recorded(LIMITS, 'alarm list', 1));
    expect(await run(['put', '/small', 'v'])).toBe(recorded(LIMITS, 'put /small v'));
    expect(await run(['get', '/small'])).toBe('[exit 0]\n');
    expect(await run(['del', '/fill/1'])).toBe(recorded(LIMITS, 'del /fill/1'));
    // endpoint status names the alarm: its table wraps the ERRORS cell as tablewriter does.
    const lastCells = (t: string) =>
      t
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map((l) => l.split('|').at(-2));
    expect(lastCells(await run(['endpoint', 'status', '-w', 'table']))).toEqual(
      lastCells(recorded(LIMITS, 'endpoint status -w table')),
    );
    const errors = '"errors":["memberID:13668033151171901709 alarm:NOSPACE "]';
    expect(recorded(LIMITS, 'endpoint status -w json')).toContain(errors);
    expect(await run(['endpoint', 'status', '-w', 'json'])).toContain(errors);
    expect(await run(['alarm', 'disarm'])).toBe(recorded(LIMITS, 'alarm disarm'));
    expect(await run(['alarm', 'list'])).toBe(recorded(LIMITS, 'alarm list', 3));
    expect(await run(['alarm', 'disarm'])).toBe(recorded(LIMITS, 'alarm disarm', 1));
    expect(await run(['put', '/small', 'v'])).toBe(recorded(LIMITS, 'put /small v', 1));
    expect(lastCells(await run(['endpoint', 'status', '-w', 'table']))).toEqual(
      lastCells(recorded(LIMITS, 'endpoint status -w table', 1)),
    );
  });

  it('prints alarms as json, refuses table, and lease grant fails as etcdctl says', async () => {
    const { run } = lab('3990370604368066554', 1, 23793);
    expect(await run(['alarm', 'list', '-w', 'json'])).toBe(recorded(ALARM, 'alarm list -w json'));
    expect(await run(['put', '/a', 'b'])).toBe(recorded(ALARM, 'put /a b'));
    expect(await run(['lease', 'grant', '60'])).toBe(recorded(ALARM, 'lease grant 60'));
    expect(await run(['alarm', 'list'])).toBe(recorded(ALARM, 'alarm list'));
    expect(await run(['alarm', 'list', '-w', 'json'])).toBe(
      recorded(ALARM, 'alarm list -w json', 1),
    );
    expect(await run(['alarm', 'list', '-w', 'table'])).toBe(
      recorded(ALARM, 'alarm list -w table'),
    );
    expect(await run(['alarm'])).toBe(recorded(ALARM, 'alarm'));
    expect(await run(['alarm', 'list', '--help'])).toBe(recorded(ALARM, 'alarm list --help'));
    expect(await run(['txn'], '\n\nget /a\n\n')).toBe(recorded(ALARM, 'txn'));
    expect(await run(['alarm', 'disarm', '-w', 'json'])).toBe(
      recorded(ALARM, 'alarm disarm -w json'),
    );
    expect(await run(['alarm', 'disarm'])).toBe(recorded(ALARM, 'alarm disarm'));
  });
});

describe('compaction errors', () => {
  it('says what etcd says for a compacted and a future revision', async () => {
    const { run } = lab('13668033151171901709', 2 ** 31);
    await run(['put', '/k1', 'v']);
    await run(['put', '/k1', 'w']);
    expect(await run(['compaction', '3'])).toBe('compacted revision 3\n[exit 0]\n');
    expect(await run(['compaction', '1'])).toBe(recorded(LIMITS, 'compaction 1'));
    expect(await run(['compaction', '1006'])).toBe(recorded(LIMITS, 'compaction 1006'));
    expect(await run(['get', '/k1', '--rev=1'])).toBe(recorded(LIMITS, 'get /k1 --rev=1'));
    expect(await run(['get', '/k1', '--rev=1006'])).toBe(recorded(LIMITS, 'get /k1 --rev=1006'));
  });
});
