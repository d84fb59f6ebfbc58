import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT_NS, type KernelApi } from '../../kernel/types.ts';
import { ManualClock } from '../../os/clock.ts';
import { FsError, type FileSystem } from '../../os/fs-types.ts';
import { readPcap, type PcapRecord } from '../../packet/pcap.ts';
import { testKernel } from '../../testing/kernel.ts';
import { recording } from '../../testing/proxies.ts';
import type { HostContext, ProgramIO } from '../types.ts';
import { tcpdump } from './index.ts';
import { TERMINAL_INPUT } from '../../os/pipe.ts';

const GOLDEN = new URL('../../../../tests/golden/linux/', import.meta.url);
const golden = (name: string): string => readFileSync(new URL(name, GOLDEN), 'utf8');
const goldenPcap = (name: string) => readPcap(new Uint8Array(readFileSync(new URL(name, GOLDEN))));

class MemFs implements Partial<FileSystem> {
  files = new Map<string, Uint8Array>();
  readFile(path: string): Uint8Array {
    const f = this.files.get(path);
    if (!f) throw new FsError('ENOENT', path);
    return f;
  }
  writeFile(path: string, data: Uint8Array | string): void {
    if (!path.startsWith('/tmp/') && !path.startsWith('/root/')) throw new FsError('ENOENT', path);
    this.files.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }
}

/**
 * A real kernel with the goldens' interfaces: NICs `eth0` and `cni0` (a NIC rather than a
 * bridge, so recorded frames can be played in on it from the wire) and the TUN `flannel0`.
 * No addresses: the kernel answers none of the played frames, so tcpdump sees only them.
 */
async function setup() {
  const clock = new ManualClock(Date.UTC(2000, 0, 1));
  const real = await testKernel(clock);
  const nic = (name: string) => {
    const ifindex = real.linkAdd(ROOT_NS, { name, kind: 'ether' });
    real.linkSet(ROOT_NS, ifindex, { up: true });
    return ifindex;
  };
  const eth0 = nic('eth0');
  const cni0 = nic('cni0');
  const tun = real.tunOpen(ROOT_NS, 'flannel0', () => {});
  real.linkSet(ROOT_NS, tun.ifindex, { up: true });
  // The proxy shows which packet sockets tcpdump opened and closed.
  const { proxy: kernel, calls } = recording<KernelApi>(real);
  const fds = (method: string) =>
    calls
      .filter((c) => c.method === method)
      .map((c) => (method === 'close' ? c.args[0] : c.result));
  /** Capture sockets tcpdump left open. */
  const openTaps = () => fds('captureOpen').filter((fd) => !fds('close').includes(fd));
  /** Plays recorded frames in on `ifname` at their recorded times. */
  const play = async (ifname: 'eth0' | 'cni0' | 'flannel0', records: readonly PcapRecord[]) => {
    for (const r of records) {
      await clock.advance(r.time - clock.now());
      if (ifname === 'flannel0') real.tunWrite(tun.fd, r.data);
      else real.wireReceive(ifname === 'eth0' ? eth0 : cni0, r.data);
    }
  };
  const fs = new MemFs();
  const host = {
    hostname: 'node1',
    kernel,
    netns: '',
    clock,
    fs: fs as unknown as FileSystem,
    exec: () => Promise.resolve(0),
  } satisfies HostContext;
  const controller = new AbortController();
  let stdout = '';
  let stderr = '';
  const io: ProgramIO = {
    stdin: TERMINAL_INPUT,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    signal: controller.signal,
  };
  return {
    kernel: real,
    play,
    openTaps,
    fs,
    host,
    io,
    abort: () => controller.abort(),
    out: () => stdout,
    err: () => stderr,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('tcpdump live capture', () => {
  it('prints golden frames as tcpdump -n -i eth0 does and stops after -c', async () => {
    const t = await setup();
    const pcap = goldenPcap('vxlan-eth0.pcap');
    const run = tcpdump(
      ['tcpdump', '-n', '-i', 'eth0', '-c', String(pcap.records.length)],
      t.io,
      t.host,
    );
    await tick();
    await t.play('eth0', pcap.records);
    expect(await run).toBe(0);
    expect(t.out()).toBe(golden('tcpdump-vxlan-eth0.txt'));
    expect(t.err()).toBe(
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n' +
        'listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n' +
        `${pcap.records.length} packets captured\n${pcap.records.length} packets received by filter\n` +
        '0 packets dropped by kernel\n',
    );
    expect(t.openTaps()).toEqual([]);
  });

  it('prints -vv -e on the TUN device with the RAW link type', async () => {
    const t = await setup();
    const pcap = goldenPcap('udp-flannel0.pcap');
    const run = tcpdump(['tcpdump', '-nvve', '-i', 'flannel0'], t.io, t.host);
    await tick();
    await t.play('flannel0', pcap.records);
    t.abort();
    expect(await run).toBe(0);
    // Ctrl-C: tcpdump ends the current line before its counts.
    expect(t.out()).toBe(golden('tcpdump-vv-udp-flannel0.txt') + '\n');
    expect(t.err()).toMatch(
      /^tcpdump: listening on flannel0, link-type RAW \(Raw IP\), snapshot length 262144 bytes\n/,
    );
    expect(t.err()).toContain(`\n${pcap.records.length} packets captured\n`);
  });

  it('captures on the first up non-loopback link by default and filters', async () => {
    const t = await setup();
    const pcap = goldenPcap('vxlan-eth0.pcap');
    const run = tcpdump(
      ['tcpdump', '-n', '-c', '1', 'arp', 'and', 'src', 'host', '172.16.112.130'],
      t.io,
      t.host,
    );
    await tick();
    await t.play('eth0', pcap.records);
    expect(await run).toBe(0);
    expect(t.out()).toBe(
      '07:32:09.715155 ARP, Reply 172.16.112.130 is-at 7a:78:69:d8:24:cf, length 28\n',
    );
    expect(t.err()).toContain('listening on eth0,');
    expect(t.err()).toContain(
      '\n1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n',
    );
  });

  it('writes a real pcap with -w that reads back with -r', async () => {
    const t = await setup();
    const pcap = goldenPcap('vxlan-cni0.pcap');
    const run = tcpdump(['tcpdump', '-i', 'cni0', '-w', '/tmp/x.pcap', 'icmp'], t.io, t.host);
    await tick();
    await t.play('cni0', pcap.records);
    t.abort();
    expect(await run).toBe(0);
    expect(t.err()).toMatch(/^tcpdump: listening on cni0, link-type EN10MB/);
    const written = readPcap(t.fs.files.get('/tmp/x.pcap')!);
    expect(written.linktype).toBe(1);
    expect(written.records.length).toBe(8);

    const r = await setup();
    r.fs.files.set('/tmp/x.pcap', t.fs.files.get('/tmp/x.pcap')!);
    expect(await tcpdump(['tcpdump', '-n', '-r', '/tmp/x.pcap', '-c', '2'], r.io, r.host)).toBe(0);
    expect(r.err()).toBe(
      'reading from file /tmp/x.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n',
    );
    expect(r.out()).toBe(
      golden('tcpdump-vxlan-cni0.txt')
        .split('\n')
        .filter((l) => l.includes('ICMP'))
        .slice(0, 2)
        .join('\n') + '\n',
    );
  });
});

describe('tcpdump -i any', () => {
  it('prints cooked records with interface and direction, and writes SLL2 pcaps', async () => {
    const t = await setup();
    const pcap = goldenPcap('vxlan-cni0.pcap');
    const run = tcpdump(
      ['tcpdump', '-n', '-i', 'any', '-c', '2', '-w', '/tmp/any.pcap'],
      t.io,
      t.host,
    );
    const live = tcpdump(['tcpdump', '-n', '-i', 'any', '-c', '2'], t.io, t.host);
    await tick();
    // An ARP request (broadcast), then an ARP reply to 0a:7e:.. (another host).
    await t.play('cni0', pcap.records.slice(1, 3));
    expect(await run).toBe(0);
    expect(await live).toBe(0);
    expect(t.out()).toBe(
      '07:32:09.715038 cni0  B   ARP, Request who-has 10.244.1.1 tell 10.244.1.2, length 28\n' +
        '07:32:09.715064 cni0  P   ARP, Reply 10.244.1.1 is-at fe:c4:c3:38:9e:29, length 28\n',
    );
    expect(t.err()).toContain(
      'tcpdump: data link type LINUX_SLL2\ntcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n' +
        'listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n',
    );
    const written = readPcap(t.fs.files.get('/tmp/any.pcap')!);
    expect(written.linktype).toBe(276);
    expect(written.records.map((r) => r.data.length)).toEqual([48, 48]);

    const r = await setup();
    r.fs.files.set('/tmp/any.pcap', t.fs.files.get('/tmp/any.pcap')!);
    expect(
      await tcpdump(
        ['tcpdump', '-n', '-r', '/tmp/any.pcap', 'arp[7] = 2 or src host 10.244.1.1'],
        r.io,
        r.host,
      ),
    ).toBe(1);
    const s = await setup();
    s.fs.files.set('/tmp/any.pcap', t.fs.files.get('/tmp/any.pcap')!);
    expect(
      await tcpdump(
        ['tcpdump', '-n', '-r', '/tmp/any.pcap', 'src', 'host', '10.244.1.1'],
        s.io,
        s.host,
      ),
    ).toBe(0);
    expect(s.err()).toBe(
      'reading from file /tmp/any.pcap, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144\n' +
        'Warning: interface names might be incorrect\n',
    );
    expect(s.out()).toBe(
      '07:32:09.715064 cni0  P   ARP, Reply 10.244.1.1 is-at fe:c4:c3:38:9e:29, length 28\n',
    );
  });
});

describe('tcpdump -r', () => {
  it('prints a golden file with -v exactly', async () => {
    const t = await setup();
    t.fs.files.set(
      '/root/h.pcap',
      new Uint8Array(readFileSync(new URL('host-gw-cni0.pcap', GOLDEN))),
    );
    expect(await tcpdump(['tcpdump', '-n', '-v', '-r', '/root/h.pcap'], t.io, t.host)).toBe(0);
    expect(t.out()).toBe(golden('tcpdump-v-host-gw-cni0.txt'));
  });
  it('reports missing and malformed files', async () => {
    const t = await setup();
    expect(await tcpdump(['tcpdump', '-r', '/nonexist'], t.io, t.host)).toBe(1);
    expect(t.err()).toBe('tcpdump: /nonexist: No such file or directory\n');
    const u = await setup();
    u.fs.files.set('/tmp/passwd', new TextEncoder().encode('root:x:0:0:root:/root:/bin/bash\n'));
    expect(await tcpdump(['tcpdump', '-r', '/tmp/passwd'], u.io, u.host)).toBe(1);
    expect(u.err()).toBe('tcpdump: unknown file format\n');
  });
});

describe('tcpdump errors (golden errors-and-formats.txt)', () => {
  const transcript = golden('errors-and-formats.txt');
  const cases: [string[], number][] = [
    [['-i', 'eth9', '-c', '1'], 1],
    [['-i', 'eth0', '-c', '1', 'port', 'bogus'], 1],
  ];
  for (const [args, code] of cases) {
    it(`tcpdump ${args.join(' ')}`, async () => {
      const t = await setup();
      expect(await tcpdump(['tcpdump', ...args], t.io, t.host)).toBe(code);
      const block = transcript
        .split('$ ')
        .find((b) => b.startsWith(`tcpdump ${args.join(' ')}\n`))!;
      const expected = block.slice(block.indexOf('\n') + 1, block.indexOf('[exit'));
      expect(t.err()).toBe(expected);
      expect(t.openTaps()).toEqual([]);
    });
  }
  it('reports a syntax error, a bad count and an unknown option', async () => {
    const t = await setup();
    expect(await tcpdump(['tcpdump', '-i', 'eth0', 'udp', 'and'], t.io, t.host)).toBe(1);
    expect(t.err()).toBe("tcpdump: can't parse filter expression: syntax error\n");
    const c = await setup();
    expect(await tcpdump(['tcpdump', '-c', '0'], c.io, c.host)).toBe(1);
    expect(c.err()).toBe('tcpdump: invalid packet count 0\n');
    const o = await setup();
    expect(await tcpdump(['tcpdump', '-k'], o.io, o.host)).toBe(1);
    expect(o.err()).toMatch(/^tcpdump: invalid option -- 'k'\ntcpdump version 4\.99\.3\n/);
    const a = await setup();
    expect(await tcpdump(['tcpdump', '-c'], a.io, a.host)).toBe(1);
    expect(a.err()).toMatch(/^tcpdump: option requires an argument -- 'c'\n/);
  });
  it('refuses a link that is down', async () => {
    const t = await setup();
    t.kernel.linkAdd(ROOT_NS, { name: 'veth9', kind: 'veth', peer: { name: 'veth9p' } });
    expect(await tcpdump(['tcpdump', '-n', '-i', 'veth9'], t.io, t.host)).toBe(1);
    expect(t.err()).toBe('tcpdump: veth9: That device is not up\n');
  });
  it('reports an unwritable -w path', async () => {
    const t = await setup();
    expect(
      await tcpdump(['tcpdump', '-i', 'eth0', '-w', '/nonexistent/x.pcap'], t.io, t.host),
    ).toBe(1);
    expect(t.err()).toBe('tcpdump: /nonexistent/x.pcap: No such file or directory\n');
  });
});
