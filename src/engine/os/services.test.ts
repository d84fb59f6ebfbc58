import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { Journal, ServiceManager } from './services.ts';
import type { Daemon, DaemonIO, UnitSpec } from './services.ts';

/** A daemon the test drives by hand: `ready()` sends READY=1, `exit(code)` ends it. */
interface FakeRun {
  io: DaemonIO;
  exit(code: number): void;
  ready(): void;
}

function setup(spec: Partial<UnitSpec> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 10, 0));
  const journal = new Journal();
  const services = new ServiceManager(clock, 'node1', journal, 1234);
  const runs: FakeRun[] = [];
  services.define({
    name: 'demo',
    description: 'Demo daemon',
    execStart: ['/usr/bin/demo'],
    type: 'notify',
    run(io): Daemon {
      let exit: (code: number) => void = () => {};
      const exited = new Promise<number>((resolve) => (exit = resolve));
      runs.push({ io, exit, ready: () => io.notify('READY=1') });
      return { stop: () => exit(0), exited };
    },
    ...spec,
  });
  const messages = () => journal.entries.map((e) => `${e.ident}[${e.pid}]: ${e.message}`);
  const state = () => {
    const st = services.status('demo')!;
    return `${st.state} (${st.subState})`;
  };
  /** Records how whenActive settled: 'true', 'false', an error name, or 'pending'. */
  const watch = (p: Promise<boolean>) => {
    let outcome = 'pending';
    p.then(
      (v) => (outcome = String(v)),
      (e: Error) => (outcome = e.name),
    );
    return () => outcome;
  };
  return { clock, services, runs, messages, state, watch };
}

describe('ServiceManager: Type=notify', () => {
  it('kill: SIGTERM is a clean end (no restart), SIGKILL a failure Restart= restarts', async () => {
    const { clock, services, runs, messages, state } = setup({ restartOnFailureMs: 5000 });
    services.start('demo');
    runs[0].ready();
    expect(services.unitByPid(1234)).toBe('demo.service');
    expect(services.kill('demo', 'TERM')).toBe(true);
    await clock.advance(0);
    expect(state()).toBe('inactive (dead)');
    await clock.advance(10_000);
    expect(runs).toHaveLength(1);
    expect(services.unitByPid(1234)).toBeUndefined();

    services.start('demo');
    runs[1].ready();
    services.kill('demo', 'KILL');
    await clock.advance(0);
    expect(state()).toBe('activating (auto-restart)');
    expect(messages()).toContain(
      'systemd[1]: demo.service: Main process exited, code=killed, status=9/KILL',
    );
    expect(messages()).toContain("systemd[1]: demo.service: Failed with result 'signal'.");
    await clock.advance(5000);
    expect(runs).toHaveLength(3);
    expect(services.kill('nosuch', 'TERM')).toBe(false);
  });

  it('is activating until READY=1, then logs Started and is active', async () => {
    const { clock, services, runs, messages, state, watch } = setup();
    services.start('demo');
    expect(state()).toBe('activating (start)');
    expect(messages()).toEqual(['systemd[1]: Starting demo.service - Demo daemon...']);
    const ready = watch(services.whenActive('demo'));
    await clock.advance(1000);
    expect(ready()).toBe('pending');
    runs[0].io.notify('STATUS=almost\nREADY=1');
    await clock.advance(0);
    expect(state()).toBe('active (running)');
    expect(ready()).toBe('true');
    expect(messages().at(-1)).toBe('systemd[1]: Started demo.service - Demo daemon.');
    expect(services.status('demo')!.since).toBe(Date.UTC(2026, 10, 23, 8, 10, 1));
  });

  it('ignores other notifications and READY=1 from a process that is gone', async () => {
    const { clock, services, runs, state } = setup({ restartOnFailureMs: 5000 });
    services.start('demo');
    runs[0].io.notify('STATUS=working');
    expect(state()).toBe('activating (start)');
    runs[0].exit(1);
    await clock.advance(5000);
    expect(runs).toHaveLength(2);
    runs[0].ready(); // the old pid
    expect(state()).toBe('activating (start)');
  });

  it('keeps waiting across a failure and the automatic restart', async () => {
    const { clock, services, runs, messages, state, watch } = setup({ restartOnFailureMs: 5000 });
    services.start('demo');
    const ready = watch(services.whenActive('demo'));
    const firstTry = watch(services.whenActive('demo', undefined, { throughRestarts: false }));
    runs[0].exit(1);
    await clock.advance(0);
    expect(state()).toBe('activating (auto-restart)');
    expect(services.status('demo')!.result).toBe('exit-code');
    expect(firstTry()).toBe('false');
    expect(ready()).toBe('pending');
    await clock.advance(4999);
    expect(runs).toHaveLength(1);
    await clock.advance(1);
    expect(runs).toHaveLength(2);
    expect(state()).toBe('activating (start)');
    runs[1].ready();
    await clock.advance(0);
    expect(ready()).toBe('true');
    expect(messages()).toEqual([
      'systemd[1]: Starting demo.service - Demo daemon...',
      'systemd[1]: demo.service: Main process exited, code=exited, status=1/FAILURE',
      "systemd[1]: demo.service: Failed with result 'exit-code'.",
      'systemd[1]: demo.service: Scheduled restart job, restart counter is at 1.',
      'systemd[1]: Stopped demo.service - Demo daemon.',
      'systemd[1]: Starting demo.service - Demo daemon...',
      'systemd[1]: Started demo.service - Demo daemon.',
    ]);
  });

  it('gives up when the unit fails with no Restart=, or exits 0 before READY=1', async () => {
    const failing = setup();
    failing.services.start('demo');
    const a = failing.watch(failing.services.whenActive('demo'));
    failing.runs[0].exit(2);
    await failing.clock.advance(0);
    expect(failing.state()).toBe('failed (failed)');
    expect(a()).toBe('false');

    const quitter = setup({ restartOnFailureMs: 5000 });
    quitter.services.start('demo');
    quitter.runs[0].exit(0);
    await quitter.clock.advance(0);
    expect(quitter.services.status('demo')!.result).toBe('protocol');
    expect(quitter.messages().at(-1)).toBe(
      "systemd[1]: demo.service: Failed with result 'protocol'.",
    );
    expect(quitter.state()).toBe('activating (auto-restart)');
  });

  it('gives up when stopped by hand, also during the restart wait; not during a restart', async () => {
    const { clock, services, runs, messages, watch } = setup({ restartOnFailureMs: 5000 });
    services.start('demo');
    const across = watch(services.whenActive('demo'));
    await services.restart('demo');
    expect(across()).toBe('pending');
    expect(runs).toHaveLength(2);

    runs[1].exit(1);
    await clock.advance(0);
    await services.stop('demo');
    expect(across()).toBe('false');
    expect(messages().at(-1)).toBe('systemd[1]: Stopped demo.service - Demo daemon.');
    await clock.advance(10_000);
    expect(runs).toHaveLength(2); // the pending restart was cancelled
    expect(await services.whenActive('demo')).toBe(false);
    expect(await services.whenActive('nope')).toBe(false);
  });

  it('rejects with an AbortError when aborted while waiting', async () => {
    const { clock, services, watch } = setup();
    services.start('demo');
    const ctl = new AbortController();
    const waiting = watch(services.whenActive('demo', ctl.signal));
    await clock.advance(100);
    ctl.abort();
    await clock.advance(0);
    expect(waiting()).toBe('AbortError');
  });
});

describe('ServiceManager: Type=simple', () => {
  it('is active as soon as it is started', async () => {
    const { services, messages, state } = setup({ type: 'simple' });
    services.start('demo');
    expect(state()).toBe('active (running)');
    expect(messages()).toEqual(['systemd[1]: Started demo.service - Demo daemon.']);
    expect(await services.whenActive('demo')).toBe(true);
  });
});
