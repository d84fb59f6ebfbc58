import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../os/clock.ts';
import { MemoryFileSystem } from '../../os/fs.ts';
import { Journal, ServiceManager } from '../../os/services.ts';
import { startFlanneld } from '../../flannel/flanneld.ts';
import { addUplink, testKernel } from '../../testing/kernel.ts';
import { testKv } from '../../testing/kv.ts';
import type { HostContext, ProgramIO } from '../types.ts';
import { journalctl } from '../journalctl/journalctl.ts';
import { systemctl } from './systemctl.ts';
import { TERMINAL_INPUT } from '../../os/pipe.ts';

async function node() {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 10, 0));
  const { kv } = testKv(clock);
  await kv.put({
    key: '/coreos.com/network/config',
    value: '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}',
  });
  const kernel = await testKernel(clock);
  addUplink(kernel, 'eth0', '172.16.112.133/24', '172.16.112.2');
  const fs = new MemoryFileSystem(clock);
  const journal = new Journal();
  const services = new ServiceManager(clock, 'node2', journal, 1234);
  const execStart = [
    '/usr/local/bin/flanneld',
    '--etcd-endpoints=http://172.16.112.10:2379',
    '--iface=eth0',
  ];
  services.define({
    name: 'flanneld',
    description: 'Flannel',
    execStart,
    run: (io) =>
      startFlanneld(
        {
          kernel,
          kv,
          fs,
          clock,
          hostname: 'node2',
          log: io.log,
          stdout: io.stdout,
          random: () => 0.5,
          pid: io.pid,
        },
        execStart,
      ),
  });
  const host = {
    hostname: 'node2',
    kernel,
    clock,
    fs,
    kv,
    services,
    journal,
  } as unknown as HostContext;
  const run = async (argv: string[], signal = new AbortController().signal) => {
    let out = '';
    let err = '';
    const io: ProgramIO = {
      stdin: TERMINAL_INPUT,
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      signal,
    };
    const code = await (argv[0] === 'systemctl' ? systemctl : journalctl)(argv, io, host);
    return { code, out, err };
  };
  return { clock, run, kv };
}

describe('systemctl and journalctl', () => {
  it('is-active, is-enabled, list-units, daemon-reload as systemd 252 prints them', async () => {
    const { clock, run } = await node();
    expect(await run(['systemctl', 'is-active', 'flanneld'])).toEqual({
      code: 3,
      out: 'inactive\n',
      err: '',
    });
    expect(await run(['systemctl', 'is-active', 'nosuch'])).toMatchObject({
      code: 3,
      out: 'inactive\n',
    });
    expect(await run(['systemctl', 'is-enabled', 'flanneld'])).toEqual({
      code: 0,
      out: 'enabled\n',
      err: '',
    });
    expect(await run(['systemctl', 'is-enabled', 'nosuch'])).toEqual({
      code: 1,
      out: '',
      err: 'Failed to get unit file state for nosuch.service: No such file or directory\n',
    });
    expect((await run(['systemctl', 'list-units'])).out).toBe(
      '  UNIT LOAD ACTIVE SUB DESCRIPTION\n' +
        '0 loaded units listed. Pass --all to see loaded but inactive units, too.\n' +
        "To show all installed unit files use 'systemctl list-unit-files'.\n",
    );
    await run(['systemctl', 'start', 'flanneld']);
    await clock.advance(5_000);
    expect(await run(['systemctl', 'is-active', '-q', 'flanneld'])).toEqual({
      code: 0,
      out: '',
      err: '',
    });
    expect((await run(['systemctl', 'list-units'])).out).toBe(
      '  UNIT             LOAD   ACTIVE SUB     DESCRIPTION\n' +
        '  flanneld.service loaded active running Flannel\n' +
        '\n' +
        'LOAD   = Reflects whether the unit definition was properly loaded.\n' +
        'ACTIVE = The high-level unit activation state, i.e. generalization of SUB.\n' +
        'SUB    = The low-level unit activation state, values depend on unit type.\n' +
        '1 loaded units listed. Pass --all to see loaded but inactive units, too.\n' +
        "To show all installed unit files use 'systemctl list-unit-files'.\n",
    );
    expect(await run(['systemctl', 'daemon-reload'])).toEqual({ code: 0, out: '', err: '' });
    expect((await run(['systemctl', 'frob'])).err).toBe('Unknown command verb frob.\n');
  });

  it('kill: SIGTERM leaves the unit dead, SIGKILL fails it (result signal)', async () => {
    const { clock, run } = await node();
    await run(['systemctl', 'start', 'flanneld']);
    await clock.advance(5_000);
    expect(await run(['systemctl', 'kill', 'flanneld'])).toEqual({ code: 0, out: '', err: '' });
    await clock.advance(0);
    expect((await run(['systemctl', 'is-active', 'flanneld'])).out).toBe('inactive\n');
    const log = (await run(['journalctl', '-u', 'flanneld'])).out;
    expect(log).toContain('systemd[1]: flanneld.service: Deactivated successfully.');
    expect(log).not.toContain('Stopping flanneld.service');

    await run(['systemctl', 'start', 'flanneld']);
    await clock.advance(5_000);
    await run(['systemctl', 'kill', '-s', 'KILL', 'flanneld']);
    await clock.advance(0);
    const failed = await run(['systemctl', 'status', 'flanneld']);
    // This unit has no Restart= (the lab's flanneld unit has; its restart is tested in os/).
    expect(failed.out).toContain('Active: failed (Result: signal)');
    const log2 = (await run(['journalctl', '-u', 'flanneld'])).out;
    expect(log2).toContain('flanneld.service: Main process exited, code=killed, status=9/KILL');
    expect(log2).toContain("flanneld.service: Failed with result 'signal'.");
  });

  it('starts flanneld, shows its status and journal, stops it', async () => {
    const { clock, run } = await node();
    expect((await run(['systemctl', 'status', 'flanneld'])).code).toBe(3);
    expect(await run(['systemctl', 'start', 'flanneld'])).toEqual({ code: 0, out: '', err: '' });
    await clock.advance(65_000);
    const status = await run(['systemctl', 'status', 'flanneld']);
    expect(status.code).toBe(0);
    const lines = status.out.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '● flanneld.service - Flannel',
      '     Loaded: loaded (/etc/systemd/system/flanneld.service; enabled; preset: enabled)',
      '     Active: active (running) since Mon 2026-11-23 08:10:00 UTC; 1min 5s ago',
      '   Main PID: 1234 (flanneld)',
      '     CGroup: /system.slice/flanneld.service',
      '             └─1234 /usr/local/bin/flanneld --etcd-endpoints=http://172.16.112.10:2379 --iface=eth0',
    ]);
    expect(lines[7]).toMatch(
      /^Nov 23 08:10:00 node2 flanneld\[1234\]: I1123 08:10:00.000000 {4}1234 /,
    );

    const journal = await run(['journalctl', '-u', 'flanneld', '-n', '2']);
    expect(journal.out.trimEnd().split('\n')).toHaveLength(2);
    const all = await run(['journalctl', '-u', 'flanneld.service']);
    expect(all.out.split('\n')[0]).toBe(
      'Nov 23 08:10:00 node2 systemd[1]: Started flanneld.service - Flannel.',
    );
    expect(all.out).toContain('Using interface with name eth0 and address 172.16.112.133');

    await run(['systemctl', 'stop', 'flanneld']);
    const stopped = await run(['systemctl', 'status', 'flanneld']);
    expect(stopped.code).toBe(3);
    expect(stopped.out).toContain('○ flanneld.service - Flannel');
    expect(stopped.out).toContain(
      '     Active: inactive (dead) since Mon 2026-11-23 08:11:05 UTC; 0ms ago',
    );
    expect(stopped.out).toContain('   Main PID: 1234 (code=exited, status=0/SUCCESS)');
    expect(stopped.out).toContain('systemd[1]: Stopped flanneld.service - Flannel.');
  });

  it('reports failures and unknown units like systemd', async () => {
    const { clock, run, kv } = await node();
    await kv.put({
      key: '/coreos.com/network/config',
      value: '{"Network":"10.244.0.0/16","Backend":{}}',
    });
    await run(['systemctl', 'start', 'flanneld']);
    await clock.advance(10);
    const st = await run(['systemctl', 'status', 'flanneld']);
    expect(st.out).toContain('× flanneld.service - Flannel');
    expect(st.out).toContain('Active: failed (Result: exit-code)');
    expect(st.out).toContain("systemd[1]: flanneld.service: Failed with result 'exit-code'.");
    expect(await run(['systemctl', 'status', 'nope'])).toEqual({
      code: 4,
      out: '',
      err: 'Unit nope.service could not be found.\n',
    });
    expect(await run(['systemctl', 'start', 'nope'])).toEqual({
      code: 5,
      out: '',
      err: 'Failed to start nope.service: Unit nope.service not found.\n',
    });
  });

  it('follows the journal until Ctrl-C', async () => {
    const { clock, run } = await node();
    const ac = new AbortController();
    const pending = run(['journalctl', '-u', 'flanneld', '-f'], ac.signal);
    await run(['systemctl', 'start', 'flanneld']);
    await clock.advance(10);
    ac.abort();
    const res = await pending;
    expect(res.out).toContain('Started flanneld.service - Flannel.');
    expect(res.out).toContain('Wrote subnet file to /run/flannel/subnet.env');
  });
});

/** A Type=notify unit driven by hand: `runs[i].ready()` sends READY=1, `.exit(code)` ends it. */
function notifyHost(restartOnFailureMs?: number) {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 10, 0));
  const journal = new Journal();
  const services = new ServiceManager(clock, 'node2', journal, 1234);
  const runs: { ready: () => void; exit: (code: number) => void }[] = [];
  services.define({
    name: 'flanneld',
    description: 'Flannel',
    execStart: ['/opt/bin/flanneld', '--iface=eth0'],
    type: 'notify',
    restartOnFailureMs,
    run(io) {
      let exit: (code: number) => void = () => {};
      const exited = new Promise<number>((resolve) => (exit = resolve));
      runs.push({ ready: () => io.notify('READY=1'), exit });
      return { stop: () => exit(0), exited };
    },
  });
  const host = { hostname: 'node2', clock, services, journal } as unknown as HostContext;
  const run = (argv: string[], signal = new AbortController().signal) => {
    const res = { code: -1, out: '', err: '' };
    const io: ProgramIO = {
      stdin: TERMINAL_INPUT,
      stdout: (t) => (res.out += t),
      stderr: (t) => (res.err += t),
      signal,
    };
    const done = systemctl(argv, io, host).then((code) => ((res.code = code), res));
    return { res, done };
  };
  return { clock, runs, run };
}

describe('systemctl with a Type=notify unit', () => {
  it('shows activating (start) until READY=1; start waits for it', async () => {
    const { clock, runs, run } = notifyHost();
    const start = run(['systemctl', 'start', 'flanneld']);
    await clock.advance(3000);
    expect(start.res.code).toBe(-1); // still waiting for the start job
    const st = await run(['systemctl', 'status', 'flanneld']).done;
    expect(st.code).toBe(3);
    expect(st.out.split('\n').slice(0, 8)).toEqual([
      '● flanneld.service - Flannel',
      '     Loaded: loaded (/etc/systemd/system/flanneld.service; enabled; preset: enabled)',
      '     Active: activating (start) since Mon 2026-11-23 08:10:00 UTC; 3s ago',
      '   Main PID: 1234 (flanneld)',
      '     CGroup: /system.slice/flanneld.service',
      '             └─1234 /opt/bin/flanneld --iface=eth0',
      '',
      'Nov 23 08:10:00 node2 systemd[1]: Starting flanneld.service - Flannel...',
    ]);
    runs[0].ready();
    expect(await start.done).toEqual({ code: 0, out: '', err: '' });
    const active = await run(['systemctl', 'status', 'flanneld']).done;
    expect(active.out).toContain(
      '     Active: active (running) since Mon 2026-11-23 08:10:03 UTC; 0ms ago\n',
    );
    expect(active.out).toContain(
      'Nov 23 08:10:03 node2 systemd[1]: Started flanneld.service - Flannel.\n',
    );
  });

  it('start fails like systemd when the unit fails before READY=1 and is not restarted', async () => {
    const { clock, runs, run } = notifyHost();
    const start = run(['systemctl', 'start', 'flanneld']);
    await clock.advance(10);
    runs[0].exit(1);
    expect(await start.done).toEqual({
      code: 1,
      out: '',
      err:
        'Job for flanneld.service failed because the control process exited with error code.\n' +
        'See "systemctl status flanneld.service" and "journalctl -xeu flanneld.service" for details.\n',
    });
    const st = await run(['systemctl', 'status', 'flanneld']).done;
    expect(st.out).toContain('× flanneld.service - Flannel\n');
    expect(st.out).toContain(
      '     Active: failed (Result: exit-code) since Mon 2026-11-23 08:10:00 UTC; 0ms ago\n',
    );
    expect(st.out).not.toContain('Duration:'); // it never became active
  });

  it('waits across an automatic restart; status shows activating (auto-restart)', async () => {
    const { clock, runs, run } = notifyHost(5000);
    const start = run(['systemctl', 'start', 'flanneld']);
    await clock.advance(10);
    runs[0].exit(1);
    await clock.advance(2000);
    const st = await run(['systemctl', 'status', 'flanneld']).done;
    expect(st.out.split('\n').slice(0, 5)).toEqual([
      '● flanneld.service - Flannel',
      '     Loaded: loaded (/etc/systemd/system/flanneld.service; enabled; preset: enabled)',
      '     Active: activating (auto-restart) (Result: exit-code) since Mon 2026-11-23 08:10:00 UTC; 2s ago',
      '    Process: 1234 ExecStart=/opt/bin/flanneld --iface=eth0 (code=exited, status=1/FAILURE)',
      '   Main PID: 1234 (code=exited, status=1/FAILURE)',
    ]);
    await clock.advance(3000);
    runs[1].ready();
    expect((await start.done).code).toBe(0);
  });

  it('--no-block returns at once; Ctrl-C stops waiting', async () => {
    const { clock, run } = notifyHost();
    expect(await run(['systemctl', '--no-block', 'start', 'flanneld']).done).toEqual({
      code: 0,
      out: '',
      err: '',
    });
    const ctl = new AbortController();
    const restart = run(['systemctl', 'restart', 'flanneld'], ctl.signal);
    await clock.advance(100);
    ctl.abort();
    expect((await restart.done).code).toBe(130);
  });
});
