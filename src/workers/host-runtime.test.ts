import { describe, expect, it } from 'vitest';
import { MemoryHub } from '../engine/lab/wire.ts';
import { parseLabParams } from '../engine/lab/params.ts';
import type { HostStartConfig } from './host-api.ts';
import { HostRuntime } from './host-runtime.ts';
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
    for (const t of timers.splice(0).filter((t) => t.at <= real)) t.fn();
  };
  return { runtime, config, pass };
}

async function run(runtime: HostRuntime, line: string) {
  let out = '';
  const code = await runtime.run(line, (_s, text) => (out += text));
  return { code, out };
}

describe('HostRuntime', () => {
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

  it('interrupts a running command', async () => {
    const { runtime, config, pass } = setup();
    await runtime.start(config);
    const p = run(runtime, 'sleep 100');
    pass(1000);
    runtime.interrupt();
    expect((await p).code).toBe(130);
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
