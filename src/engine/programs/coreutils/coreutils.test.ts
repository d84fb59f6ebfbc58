import { describe, expect, it } from 'vitest';
import { Errno, NetlinkError } from '../../kernel/types.ts';
import { createDefaultRegistry, createShell } from '../../shell/index.ts';
import { fakeHost, recordingIO } from '../../testing/host.ts';
import { columns, lsDate } from './ls.ts';
import { translatePattern } from './grep.ts';

// Expected texts were recorded from GNU coreutils 9.1 / grep 3.8 / procps sysctl on Debian 12.
function setup() {
  const sysctls = new Map([['net.ipv4.ip_forward', '0']]);
  const host = fakeHost({
    sysctlGet: (_ns, key) => {
      const v = sysctls.get(key);
      if (v === undefined) throw new NetlinkError(Errno.ENOENT);
      return v;
    },
    sysctlSet: (_ns, key, value) => {
      if (!sysctls.has(key)) throw new NetlinkError(Errno.ENOENT);
      sysctls.set(key, value);
    },
  });
  host.fs.writeFile('/root/f', 'a b\nccc\n');
  const shell = createShell(host, createDefaultRegistry());
  const run = async (line: string) => {
    const io = recordingIO();
    const status = await shell.run(line, io);
    return { status, text: io.all.join('') };
  };
  return { host, run };
}

describe('coreutils', () => {
  it('grep matches in linear time: (a+)+$ on a long line cannot wedge the host', async () => {
    const { host, run } = setup();
    host.fs.writeFile('/root/long', 'a'.repeat(5000) + 'b\n' + 'a'.repeat(40) + '\n');
    const started = Date.now();
    expect(await run("grep -cE '(a+)+$' long")).toEqual({ status: 0, text: '1\n' });
    expect(await run("grep -w 'a b' f")).toEqual({ status: 0, text: 'a b\n' });
    expect(await run("grep -wc 'c' f")).toEqual({ status: 1, text: '0\n' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['cat f', 'a b\nccc\n', 0],
    ['cat nofile', 'cat: nofile: No such file or directory\n', 1],
    ['cat /tmp', 'cat: /tmp: Is a directory\n', 1],
    ['cat -x f', "cat: invalid option -- 'x'\nTry 'cat --help' for more information.\n", 1],
    ['cat -n f', '     1\ta b\n     2\tccc\n', 0],
    ['head -n abc f', 'head: invalid number of lines: ‘abc’\n', 1],
    [
      'head -n',
      "head: option requires an argument -- 'n'\nTry 'head --help' for more information.\n",
      1,
    ],
    ['head -n 1 f', 'a b\n', 0],
    [
      'head -1 f nofile f',
      "==> f <==\na b\nhead: cannot open 'nofile' for reading: No such file or directory\n\n==> f <==\na b\n",
      1,
    ],
    ['tail -n 1 f', 'ccc\n', 0],
    ['tail -n +2 f', 'ccc\n', 0],
    ['wc f', '2 3 8 f\n', 0],
    ['wc -l f', '2 f\n', 0],
    ['wc f f', ' 2  3  8 f\n 2  3  8 f\n 4  6 16 total\n', 0],
    ['echo abc | wc', '      1       1       4\n', 0],
    ['echo abc | wc -l', '1\n', 0],
    ['wc nofile', 'wc: nofile: No such file or directory\n', 1],
    [
      'grep',
      "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n",
      2,
    ],
    ['grep a nofile', 'grep: nofile: No such file or directory\n', 2],
    ['grep -c c f nofile', 'f:1\ngrep: nofile: No such file or directory\n', 2],
    ["grep '(' f", '', 1],
    ["grep -E '(' f", 'grep: Unmatched ( or \\(\n', 2],
    ['echo hi | grep -n h', '1:hi\n', 0],
    ["echo abc | grep 'a\\|z'", 'abc\n', 0],
    ["echo a+ | grep 'a+'", 'a+\n', 0],
    ["echo ab | grep -E 'a|z'", 'ab\n', 0],
    ['echo x | grep -i X', 'x\n', 0],
    ["echo -e 'a\\tb\\\\n'", 'a\tb\\n\n', 0],
    ['echo -n x', 'x', 0],
    ['sleep', "sleep: missing operand\nTry 'sleep --help' for more information.\n", 1],
    [
      'sleep abc',
      "sleep: invalid time interval ‘abc’\nTry 'sleep --help' for more information.\n",
      1,
    ],
    ['ls nofile', "ls: cannot access 'nofile': No such file or directory\n", 2],
    ['ls /var', 'lib  log\n', 0],
    ['ls /var | cat', 'lib\nlog\n', 0],
    ['hostname', 'node1\n', 0],
    ['uname', 'Linux\n', 0],
    ['uname -x', "uname: invalid option -- 'x'\nTry 'uname --help' for more information.\n", 1],
    ['sysctl net.ipv4.ip_forward', 'net.ipv4.ip_forward = 0\n', 0],
    [
      'sysctl -w net.ipv4.ip_forward=1; sysctl -n net/ipv4/ip_forward',
      'net.ipv4.ip_forward = 1\n1\n',
      0,
    ],
    [
      'sysctl net.ipv4.bogus',
      'sysctl: cannot stat /proc/sys/net/ipv4/bogus: No such file or directory\n',
      1,
    ],
  ])('%s', async (line, text, status) => {
    const { run } = setup();
    expect(await run(line)).toEqual({ text, status });
  });

  it('ls -l prints modes, sizes and lab-clock dates', async () => {
    const { run } = setup();
    const r = await run('ls -l /root');
    expect(r.text).toBe('total 4\n-rw-r--r-- 1 root root 8 Jan  1 07:32 f\n');
    expect(lsDate(Date.UTC(2025, 0, 5, 3, 4), Date.UTC(2026, 0, 1))).toBe('Jan  5  2025');
  });

  it('lays names out in columns like ls -C', () => {
    const names = Array.from({ length: 12 }, (_, i) => `interface-name-${i}`);
    const out = columns(names);
    expect(out.split('\n')[0]).toBe(
      'interface-name-0  interface-name-3  interface-name-6  interface-name-9',
    );
  });

  it('translates basic regular expressions', () => {
    expect(translatePattern('a\\(b\\)\\{2\\}+?|', false)).toBe('a(b){2}\\+\\?\\|');
    expect(translatePattern('[[:digit:]]*', false)).toBe('[0-9]*');
  });

  it('sleep waits on the lab clock', async () => {
    const { host, run } = setup();
    let done = false;
    const p = run('sleep 1.5').then(() => (done = true));
    await host.clock.advance(1400);
    expect(done).toBe(false);
    await host.clock.advance(100);
    await p;
    expect(done).toBe(true);
  });
});
