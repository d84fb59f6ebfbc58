import { describe, expect, it } from 'vitest';
import { MemoryHub } from '../engine/lab/wire.ts';
import { parseLabParams } from '../engine/lab/params.ts';
import type { KvClient } from '../engine/kv/types.ts';
import type { HostStartConfig } from './host-api.ts';
import { HostRuntime } from './host-runtime.ts';
import { PROGRAMS_ON_DEMAND } from './programs-on-demand.ts';
import { loadKernelModule } from '../engine/kernel/load-node.ts';

function setup() {
  let real = 0;
  const timers: Array<{ at: number; fn: () => void }> = [];
  const hub = new MemoryHub();
  const runtime = new HostRuntime({
    source: () => real,
    schedule: (fn, ms) => {
      const t = { at: real + ms, fn };
      timers.push(t);
      return () => timers.splice(timers.indexOf(t) >>> 0, 1);
    },
    transport: (_lab, host) => hub.connect(host),
    loadKernel: loadKernelModule,
    // As in the worker: the big programs load on their first run.
    programs: PROGRAMS_ON_DEMAND,
  });
  const lab = parseLabParams('').config;
  const config: HostStartConfig = {
    labId: 'test',
    host: lab.hosts[1],
    backend: lab.backend,
    network: lab.network,
    subnetLen: lab.subnetLen,
    podsPerHost: 1,
    clock: { labAtAnchor: 0, sourceAtAnchor: 0, speed: 1 },
  };
  const pass = (ms: number) => {
    real += ms;
    // The timers due run; the others wait for their time.
    const due = timers.filter((t) => t.at <= real);
    for (const t of due) timers.splice(timers.indexOf(t), 1);
    for (const t of due) t.fn();
  };
  /** Lets lab time pass, 100 ms at a time, until `p` settles. */
  const until = async <T>(p: Promise<T>): Promise<T> => {
    let settled = false;
    void p.finally(() => (settled = true));
    for (let i = 0; i < 200 && !settled; i++) {
      pass(100);
      await new Promise((r) => setTimeout(r, 1));
    }
    return p;
  };
  return { runtime, config, pass, until };
}

async function run(runtime: HostRuntime, line: string) {
  let out = '';
  const code = await runtime.run(line, (_s, text) => (out += text));
  return { code, out };
}

describe('HostRuntime', () => {
  it("a node's first snapshot (flanneld not yet defined) is not ready; a scenario's etcd host has no flanneld", async () => {
    const { runtime, config } = setup();
    // An etcd that has not answered yet: the boot waits on it before it defines flanneld.
    const slowKv = { txn: () => new Promise(() => {}) } as unknown as KvClient;
    const snap = await runtime.start(config, slowKv);
    expect(snap.flanneld).not.toBe('absent');
    expect(snap.ready).toBe(false);
    const scenario = parseLabParams('?scenario=seed-002-vxlan').config;
    const etcdHost = setup();
    const first = await etcdHost.runtime.start({
      ...etcdHost.config,
      host: scenario.hosts[0],
      scenario: 'seed-002-vxlan',
    });
    expect(first).toMatchObject({ hostname: 'node-1', flanneld: 'absent', ready: true });
  });

  it('answers hostname, and a typo as bash does', async () => {
    const { runtime, config } = setup();
    const snap = await runtime.start(config);
    expect(snap).toMatchObject({ hostname: 'node2', eth0: '172.16.112.133/24', up: true });
    expect((await run(runtime, 'ip -br addr show eth0')).out).toBe(
      'eth0             UP             172.16.112.133/24 \n',
    );
    expect(await run(runtime, 'hostname')).toEqual({ code: 0, out: 'node2\n' });
    expect(await run(runtime, 'foo')).toEqual({ code: 127, out: 'bash: foo: command not found\n' });
    expect((await run(runtime, '   ')).out).toBe('');
  });

  it('keeps one history: the lines it started with, then the lines run', async () => {
    const { runtime, config } = setup();
    await runtime.start({ ...config, history: ['ip route', 'hostname'] });
    await run(runtime, 'echo hi');
    expect(runtime.history()).toEqual(['ip route', 'hostname', 'echo hi']);
    expect((await run(runtime, 'history')).out).toBe(
      '    1  ip route\n    2  hostname\n    3  echo hi\n    4  history\n',
    );
  });

  it("runs a lesson's check beside the terminal's line, counts a step's frames, names its addresses", async () => {
    const { runtime, config, until } = setup();
    await runtime.start(config);
    await run(runtime, 'X=terminal');
    // The terminal is busy: a check still runs, in a shell of its own.
    const busy = run(runtime, 'sleep 100');
    expect(await runtime.runScript('echo "$X"; hostname; false')).toEqual({
      status: 1,
      output: '\nnode2\n',
    });
    runtime.interrupt();
    await busy;
    const arp = await runtime.watchFrames({ ifname: 'eth0', filter: 'arp' });
    const icmp = await runtime.watchFrames({ ifname: 'eth0', filter: 'icmp' });
    await expect(runtime.watchFrames({ ifname: 'eth9', filter: '' })).rejects.toThrow();
    expect(runtime.framesSeen(arp)).toBe(0);
    await until(run(runtime, 'ping -c 1 -W 1 172.16.112.250'));
    expect(runtime.framesSeen(arp)).toBeGreaterThan(0);
    expect(runtime.framesSeen(icmp)).toBe(0);
    runtime.unwatchFrames(arp);
    expect(runtime.framesSeen(arp)).toBe(0);
    expect(runtime.facts()).toMatchObject({ eth0: '172.16.112.133' });
  });

  it('interrupts a running command', async () => {
    const { runtime, config, pass } = setup();
    await runtime.start(config);
    const p = run(runtime, 'sleep 100');
    pass(1000);
    runtime.interrupt();
    expect((await p).code).toBe(130);
  });

  it('runs a line while a job runs in the background; Ctrl-C reaches the foreground only', async () => {
    const { runtime, config, until } = setup();
    await runtime.start(config);
    let out = '';
    // No one answers 172.16.112.250: ping's ARP requests go out of eth0 once a second.
    const started = await runtime.run(
      'ping -c 20 172.16.112.250 > /dev/null &',
      (_s, t) => (out += t),
    );
    expect(started).toBe(0);
    expect(out).toMatch(/^\[1\] \d+\n$/);
    const tcpdump = await until(run(runtime, 'tcpdump -i eth0 -n -c 2'));
    expect(tcpdump.code).toBe(0);
    expect(tcpdump.out.match(/ARP, Request who-has 172\.16\.112\.250/g)?.length).toBe(2);
    expect(tcpdump.out).toContain('2 packets captured');
    const sleep = run(runtime, 'sleep 100');
    runtime.interrupt();
    expect((await sleep).code).toBe(130);
    expect((await run(runtime, 'jobs')).out).toMatch(
      /^\[1\]\+ {2}Running {17}ping -c 20 172\.16\.112\.250 > \/dev\/null &\n$/,
    );
    await run(runtime, 'kill %1');
    expect((await run(runtime, 'true')).out).toMatch(/^\[1\]\+ {2}Terminated {14}ping -c 20/);
  });

  it('streams `ping | grep ttl` as replies come, and Ctrl-C ends both stages', async () => {
    const { runtime, config, pass } = setup();
    await runtime.start(config);
    let out = '';
    const line = runtime.run('ping 127.0.0.1 | grep ttl', (_s, t) => (out += t));
    for (let i = 0; i < 25; i++) {
      pass(100);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(out.match(/^64 bytes from 127\.0\.0\.1: icmp_seq=\d+ ttl=64 time=/gm)?.length).toBe(3);
    runtime.interrupt();
    expect(await line).toBe(130);
    expect(out).not.toContain('packets transmitted');
  });

  it('lets `yes` on the terminal write only while the screen keeps up', async () => {
    const { runtime, config } = setup();
    await runtime.start(config);
    let writes = 0;
    let catchUp = () => {};
    const behind = new Promise<void>((resolve) => (catchUp = resolve));
    const line = runtime.run(
      'yes',
      () => writes++,
      undefined,
      () => behind,
    );
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
    expect(writes).toBe(1);
    catchUp();
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
    expect(writes).toBeGreaterThan(5);
    runtime.interrupt();
    expect(await line).toBe(130);
  });

  it('runs a second terminal as a session of its own: own cwd and jobs, one kernel, one history', async () => {
    const { runtime, config } = setup();
    await runtime.start(config);
    const second = runtime.openSession();
    const inSecond = async (line: string) => {
      let out = '';
      const code = await runtime.run(line, (_s, t) => (out += t), undefined, undefined, second);
      return { code, out };
    };
    await inSecond('cd /tmp');
    await inSecond('sleep 100 &');
    expect((await inSecond('pwd')).out).toBe('/tmp\n');
    expect((await run(runtime, 'pwd')).out).toBe('/root\n');
    expect((await run(runtime, 'jobs')).out).toBe('');
    expect((await inSecond('jobs')).out).toMatch(/^\[1\]\+ {2}Running {17}sleep 100 &\n$/);
    expect(await run(runtime, 'ip addr add 10.9.9.9/32 dev lo')).toEqual({ code: 0, out: '' });
    expect((await inSecond('ip -br addr show lo')).out).toContain('10.9.9.9/32');
    // `ip netns exec ... bash` finds this session's own bash.
    await inSecond('ip netns add t1');
    expect((await inSecond('ip netns exec t1 bash -c "echo in pod"')).out).toBe('in pod\n');
    expect(runtime.history(0)).toEqual(runtime.history(second));
    expect(runtime.history(0)).toContain('cd /tmp');
    expect((await inSecond('exit')).code).toBe(0);
    expect(runtime.hasSession(second)).toBe(false);
    expect(runtime.hasSession(0)).toBe(true);
  });

  it('completes command names', async () => {
    const { runtime, config } = setup();
    await runtime.start(config);
    expect(await runtime.complete('ho', 2)).toEqual({ start: 0, candidates: ['hostname'] });
    expect(await runtime.complete('echo ho', 7)).toEqual({ start: 5, candidates: [] });
  });

  it('refuses to run before start, without crashing', async () => {
    const { runtime } = setup();
    await expect(runtime.run('hostname', () => {})).rejects.toThrow('host not started');
  });
});

describe('HostRuntime: pod shells, downloads, captures, counters', () => {
  async function withPod() {
    const t = setup();
    await t.runtime.start(t.config);
    // A pod as the CNI plugin makes one: a namespace with one end of a veth pair.
    for (const line of [
      'ip netns add pod1',
      'ip link add veth1 type veth peer name eth0 netns pod1',
      'ip link set veth1 up',
      'ip -n pod1 addr add 10.244.9.2/24 dev eth0',
      'ip -n pod1 link set eth0 up',
      'ip addr add 10.244.9.1/24 dev veth1',
    ]) {
      expect(await run(t.runtime, line)).toEqual({ code: 0, out: '' });
    }
    return t;
  }

  it('`ip netns exec pod1 bash` runs the following lines in the pod until exit', async () => {
    const { runtime } = await withPod();
    expect(await run(runtime, 'ip netns exec pod1 bash')).toEqual({ code: 0, out: '' });
    expect(runtime.shellNetns()).toBe('pod1');
    const names = (await run(runtime, 'ip -br link')).out.split('\n').map((l) => l.split(' ')[0]);
    expect(names.filter(Boolean)).toEqual(['lo', 'eth0@if3']);
    expect((await run(runtime, 'ip -br addr show eth0')).out).toMatch(/10\.244\.9\.2\/24/);
    expect(await runtime.complete('ip netns exec p', 15)).toEqual({
      start: 14,
      candidates: ['pod1'],
    });
    expect(await run(runtime, 'exit 3')).toEqual({ code: 3, out: 'exit\n' });
    expect(runtime.shellNetns()).toBe('');
    expect((await run(runtime, 'ip -br link show eth0')).out).toMatch(/^eth0 +UP/);
    // nsenter reaches the same place; a wrong path fails as util-linux does.
    expect(await run(runtime, 'nsenter --net=/var/run/netns/pod1')).toEqual({ code: 0, out: '' });
    expect(runtime.shellNetns()).toBe('pod1');
    await run(runtime, 'exit');
    expect(await run(runtime, 'nsenter --net=/var/run/netns/nope')).toEqual({
      code: 1,
      out: 'nsenter: cannot open /var/run/netns/nope: No such file or directory\n',
    });
  });

  it('passes `download` files to the caller', async () => {
    const { runtime } = await withPod();
    const files: [string, string][] = [];
    const code = await runtime.run(
      'echo hello > /tmp/a.txt && download /tmp/a.txt',
      () => {},
      (name, bytes) => files.push([name, new TextDecoder().decode(bytes)]),
    );
    expect(code).toBe(0);
    expect(files).toEqual([['a.txt', 'hello\n']]);
  });

  it('captures in the background and counts packets per link', async () => {
    const { runtime } = await withPod();
    const before = await runtime.snapshot();
    expect(before.pods).toEqual([{ name: 'pod1', ip: '10.244.9.2', rxPackets: 0, txPackets: 0 }]);
    expect(await runtime.startCapture({ netns: 'pod1', ifname: 'eth0' })).toBe(
      '/tmp/pod1-eth0.pcap',
    );
    expect(runtime.runningCaptures()).toEqual(['pod1/eth0']);
    expect((await run(runtime, 'ip netns exec pod1 ping -c 1 10.244.9.1')).code).toBe(0);
    const file = await runtime.stopCapture({ netns: 'pod1', ifname: 'eth0' });
    expect(file?.name).toBe('pod1-eth0.pcap');
    // pcap header, then the ARP exchange and the echo request/reply: 4 records.
    const bytes = file!.bytes;
    expect([...bytes.slice(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    let records = 0;
    for (let at = 24; at < bytes.length; records++) {
      at += 16 + new DataView(bytes.buffer, bytes.byteOffset + at + 8, 4).getUint32(0, true);
    }
    expect(records).toBe(4);
    const after = await runtime.snapshot();
    expect(after.pods[0]).toMatchObject({ rxPackets: 2, txPackets: 2 });
    const veth = after.links.find((l) => l.name === 'veth1');
    expect(veth).toMatchObject({ rxPackets: 2, txPackets: 2 });
    expect(runtime.runningCaptures()).toEqual([]);
    await expect(runtime.startCapture({ ifname: 'nope0' })).rejects.toThrow(
      'tcpdump: nope0: No such device exists',
    );
  });
});
