// net-tools 2.10 (ifconfig, route -n, netstat -rn, arp -n), bridge-utils' brctl show and
// busybox's ifconfig on the oracle's Docker-mode host (tests/golden/docker/net-tools.oracle.sh),
// rebuilt on the real kernel: what our programs print against what the real ones printed.
// Compared with the packet counters hidden (the oracle's host had sent a few frames) and the
// inet6 lines dropped: the lab's kernel has no IPv6.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT_NS } from '../../kernel/types.ts';
import { testKernel } from '../../testing/kernel.ts';
import { fakeHost, recordingIO } from '../../testing/host.ts';
import { brctl } from '../brctl/brctl.ts';
import { busyboxIfconfig } from '../busybox/ifconfig.ts';
import type { Program } from '../types.ts';
import { arp } from './arp.ts';
import { ifconfig } from './ifconfig.ts';
import { netstat, route } from './route.ts';

const read = (name: string) =>
  readFileSync(new URL(`../../../../tests/golden/docker/${name}`, import.meta.url), 'utf8');

/** The recording's blocks: '$ cmd' -> its output (stdout and stderr) and exit status. */
function recorded(text: string): Map<string, { out: string; code: number }> {
  const map = new Map<string, { out: string; code: number }>();
  for (const block of text.split(/^\$ /m).slice(1)) {
    const m = /^(.*)\n([\s\S]*?)\[exit (\d+)\]\n/.exec(block);
    if (m) map.set(m[1], { out: m[2], code: Number(m[3]) });
  }
  return map;
}

function hide(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/inet6/.test(l))
    .join('\n')
    .replace(/(packets|bytes|dropped|errors)([ :])\d+/g, '$1$2N')
    .replace(/\(\d+\.\d [KMG]?i?B\)/g, '(S)');
}

async function oracleHost() {
  const bare = fakeHost({}, 'dkhost');
  const kernel = await testKernel(bare.clock, { hostname: 'dkhost' });
  const host = { ...bare, kernel };
  const ens33 = kernel.linkAdd(ROOT_NS, {
    name: 'ens33',
    kind: 'ether',
    address: '00:0c:29:3a:4b:5c',
  });
  kernel.addrAdd(ROOT_NS, {
    ifindex: ens33,
    local: '172.16.112.133',
    prefixlen: 24,
    broadcast: '172.16.112.255',
  });
  kernel.linkSet(ROOT_NS, ens33, { up: true });
  kernel.routeAdd(ROOT_NS, {
    dst: '0.0.0.0',
    dstLen: 0,
    gateway: '172.16.112.2',
    oif: ens33,
    protocol: 'static',
    metric: 100,
  });
  const br = kernel.linkAdd(ROOT_NS, {
    name: 'docker0',
    kind: 'bridge',
    address: '02:42:d0:bc:0a:1f',
  });
  kernel.addrAdd(ROOT_NS, {
    ifindex: br,
    local: '10.100.50.1',
    prefixlen: 24,
    broadcast: '10.100.50.255',
  });
  kernel.linkSet(ROOT_NS, br, { up: true });
  kernel.netnsAdd('bbox2');
  const veth = kernel.linkAdd(ROOT_NS, {
    name: 'veth6a1b2c3',
    kind: 'veth',
    peer: { name: 'eth0', netns: 'bbox2' },
  });
  kernel.linkSet(ROOT_NS, veth, { master: br, up: true });
  const eth0 = kernel.linkGet('bbox2', 'eth0').ifindex;
  kernel.linkSet('bbox2', eth0, { address: '02:42:0a:64:32:02', up: true });
  kernel.linkSet('bbox2', kernel.linkGet('bbox2', 'lo').ifindex, { up: true });
  kernel.addrAdd('bbox2', {
    ifindex: eth0,
    local: '10.100.50.2',
    prefixlen: 24,
    broadcast: '10.100.50.255',
  });
  kernel.routeAdd('bbox2', { dst: '0.0.0.0', dstLen: 0, gateway: '10.100.50.1', oif: eth0 });
  const tun = kernel.tunOpen(ROOT_NS, 'flannel0', () => {});
  kernel.linkSet(ROOT_NS, tun.ifindex, { mtu: 1472 });
  kernel.addrAdd(ROOT_NS, { ifindex: tun.ifindex, local: '10.101.83.0', prefixlen: 16 });
  kernel.linkSet(ROOT_NS, tun.ifindex, { up: true });
  kernel.routeAdd(ROOT_NS, {
    dst: '10.100.83.0',
    dstLen: 24,
    gateway: '172.16.112.130',
    oif: ens33,
  });
  kernel.neighAdd(ROOT_NS, {
    ifindex: ens33,
    dst: '172.16.112.2',
    lladdr: 'e2:e6:a1:f8:74:9c',
    state: 'REACHABLE',
  });
  return host;
}

const PROGRAMS: Record<string, Program> = { ifconfig, route, netstat, arp, brctl };

describe('net-tools, brctl and busybox ifconfig as the real ones printed them', async () => {
  const golden = recorded(read('net-tools.txt'));
  const host = await oracleHost();
  const run = async (line: string) => {
    const busybox = line.startsWith('(bbox2) busybox ');
    const argv = line.replace('(bbox2) busybox ', '').split(' ');
    const io = recordingIO();
    const program = busybox ? busyboxIfconfig : PROGRAMS[argv[0]];
    const code = await program(argv, io, busybox ? { ...host, netns: 'bbox2' } : host);
    return { out: io.all.join(''), code };
  };
  const lines = [
    'ifconfig docker0',
    'ifconfig -a lo',
    'ifconfig nope',
    'route -n',
    'route',
    'netstat -rn',
    'arp -n',
    'arp -n -i ens33',
    'brctl show',
    'brctl show docker0',
    'brctl show nope',
    '(bbox2) busybox ifconfig',
  ];
  for (const line of lines)
    it(line, async () => {
      const want = golden.get(line);
      expect(want, line).toBeDefined();
      const got = await run(line);
      expect(hide(got.out)).toBe(hide(want!.out));
      expect(got.code).toBe(want!.code);
    });

  it('ifconfig flannel0: a tun is UNSPEC with a point-to-point peer (RUNNING once flanneld reads it)', async () => {
    const got = await run('ifconfig flannel0');
    // The oracle's tun had no reader, so its carrier was off: RUNNING is the one difference.
    const want = golden.get('ifconfig flannel0')!.out;
    expect(
      hide(got.out).replace('4305<UP,POINTOPOINT,RUNNING,NOARP', '4241<UP,POINTOPOINT,NOARP'),
    ).toBe(hide(want));
  });

  it('brctl show lists a second port on a line of its own', async () => {
    const want = read('brctl-two-ports.txt').split('\n').slice(1, -2).join('\n');
    const bare = fakeHost({}, 'brt');
    const kernel = await testKernel(bare.clock, { hostname: 'brt' });
    const h = { ...bare, kernel };
    kernel.linkAdd(ROOT_NS, { name: 'docker0', kind: 'bridge', address: '02:42:2e:5e:cd:90' });
    const cni0 = kernel.linkAdd(ROOT_NS, {
      name: 'cni0',
      kind: 'bridge',
      address: '00:00:00:00:00:00',
    });
    expect(cni0).toBeGreaterThan(0);
    const br = kernel.linkGet(ROOT_NS, 'docker0').ifindex;
    for (const v of ['veth916067e', 'veth2d1c803']) {
      const i = kernel.linkAdd(ROOT_NS, { name: v, kind: 'veth', peer: { name: `p${v}` } });
      kernel.linkSet(ROOT_NS, i, { master: br });
    }
    const io = recordingIO();
    await brctl(['brctl', 'show'], io, h);
    expect(io.out.join('').trimEnd()).toBe(want);
  });
});
