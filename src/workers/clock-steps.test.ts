import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKernelModule } from '../engine/kernel/load-node.ts';
import { MemoryKvStorage } from '../engine/kv/storage.ts';
import { seededRandom } from '../engine/lab/local-lab.ts';
import { parseLabParams } from '../engine/lab/params.ts';
import type { ClockParams } from '../engine/os/realtime-clock.ts';
import { MemoryHub, type PortTransport } from '../engine/lab/wire.ts';
import { fastForward } from './clock-steps.ts';
import { HostRuntime } from './host-runtime.ts';
import { wrapKvPort } from './kv-remote.ts';
import { KvService } from './kv-service.ts';
import { PROGRAMS_ON_DEMAND } from './programs-on-demand.ts';

const HOUR = 3_600_000;
const LAB_START = Date.UTC(2026, 10, 23, 8, 10, 0);
/** The clocks stay paused: only the fast-forward moves them. */
const PAUSED: ClockParams = { labAtAnchor: LAB_START, sourceAtAnchor: 0, speed: 0 };

const realTimer = (fn: () => void, ms: number) => {
  const id = setTimeout(fn, ms);
  return () => clearTimeout(id);
};

/** The in-memory wire, but each message lands in a task of its own, as between workers. */
function asBetweenWorkers(inner: PortTransport): PortTransport {
  return {
    portId: inner.portId,
    send: (to, message) => void setTimeout(() => inner.send(to, message), 0),
    onMessage: (h) => inner.onMessage(h),
    close: () => inner.close(),
  };
}

/**
 * A three-host lab as the browser runs it: the KV service and each host with its own lab clock,
 * the hosts reaching etcd over MessagePorts and each other over the wire.
 */
async function workerLab() {
  const service = new KvService({
    source: () => 0,
    schedule: realTimer,
    storage: () => new MemoryKvStorage(),
  });
  await service.open('lab', PAUSED);
  const hub = new MemoryHub();
  const lab = parseLabParams('').config;
  const ports: MessagePort[] = [];
  const hosts = await Promise.all(
    lab.hosts.map(async (host, i) => {
      const runtime = new HostRuntime({
        source: () => 0,
        schedule: realTimer,
        transport: (_lab, id) => asBetweenWorkers(hub.connect(id)),
        loadKernel: loadKernelModule,
        random: seededRandom(i + 1),
        programs: PROGRAMS_ON_DEMAND,
      });
      const channel = new MessageChannel();
      ports.push(channel.port1, channel.port2);
      await service.connect('lab', channel.port1);
      const config = { ...lab, labId: 'lab', host, podsPerHost: 1, clock: PAUSED };
      await runtime.start(config, wrapKvPort(channel.port2));
      return runtime;
    }),
  );
  let now = LAB_START;
  const advance = async (ms: number) => {
    now += ms;
    return fastForward(() => [service, ...hosts], now);
  };
  const run = async (i: number, line: string) => {
    let out = '';
    const done = hosts[i].run(line, (_s, text) => (out += text));
    // Programs sleep on the lab clock: let it move until the line is done.
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) await advance(100);
    return { code: await done, out };
  };
  const close = () => {
    for (const h of hosts) h.stop();
    service.close();
    for (const p of ports) p.close();
  };
  return { service, hosts, advance, run, close };
}

/** klog's time of a flanneld line: 'I1124 07:10:00.000000' in 2026. */
function klogTime(line: string): number {
  const m = / [IEW](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})/.exec(line)!;
  const [, mo, d, h, mi, s, us] = m.map(Number);
  return Date.UTC(2026, mo - 1, d, h, mi, s) + us / 1000;
}

describe('fast-forward across workers', () => {
  let lab: Awaited<ReturnType<typeof workerLab>>;
  beforeAll(async () => {
    lab = await workerLab();
    const booted = Promise.all(lab.hosts.map((h) => h.booted()));
    let done = false;
    void booted.finally(() => (done = true));
    for (let i = 0; !done && i < 600; i++) await lab.advance(100);
    for (const snap of await booted) expect(snap.ready).toBe(true);
  }, 60_000);
  afterAll(() => lab?.close());

  it('+1 h, +24 h, +7 d: every node renews its lease every 23 h, none is revoked', async () => {
    const steps = [];
    for (const ms of [HOUR, 24 * HOUR, 7 * 24 * HOUR]) steps.push((await lab.advance(ms)).steps);
    // Local timers (flanneld's iptables check every 5 s) make no steps of their own.
    expect(steps[2]).toBeLessThan(200);
    for (let i = 0; i < lab.hosts.length; i++) {
      const { out } = await lab.run(i, 'journalctl -u flanneld --no-pager');
      expect(out).not.toContain('revoked');
      const allocated = out.split('\n').find((l) => l.includes('Allocated lease'))!;
      const renewed = out.split('\n').filter((l) => l.includes('Lease renewed'));
      // 8 d 1 h after boot: renewals at 23 h, 46 h, ... 184 h, each at its lab time.
      expect(renewed.map((l) => (klogTime(l) - klogTime(allocated)) / HOUR)).toEqual(
        [1, 2, 3, 4, 5, 6, 7, 8].map((k) => 23 * k),
      );
    }
  }, 120_000);

  it('the pods still reach each other afterwards', async () => {
    const env = await lab.run(1, 'ip netns exec pod1 ip -4 -br addr show eth0');
    const ip = env.out.split(/\s+/)[2].split('/')[0];
    const ping = await lab.run(0, `ip netns exec pod1 ping -c 1 -W 1 ${ip}`);
    expect(ping.out).toContain('1 received');
  }, 60_000);
});
