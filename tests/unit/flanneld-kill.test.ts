// `kill PID` of flanneld from a node's shell, as systemd sees it: SIGTERM ends the daemon
// cleanly (the unit is dead, Restart=on-failure leaves it), SIGKILL is a failure it restarts.
import { describe, expect, it } from 'vitest';
import { FLANNELD_UNIT } from '../../src/engine/lab/node-setup.ts';
import { journal, threeNodeLab } from './flannel-lab.ts';

describe('kill of flanneld', () => {
  it('SIGTERM leaves it dead; SIGKILL fails it and systemd restarts it', async () => {
    const fl = await threeNodeLab('vxlan');
    const host = fl.hosts[0];
    const pid = () => host.services.status(FLANNELD_UNIT)!.pid;
    const first = pid();
    expect((await fl.lab.run('node1', `kill ${first}`)).status).toBe(0);
    await fl.lab.advance(10_000);
    expect((await fl.lab.run('node1', 'systemctl is-active flanneld')).stdout).toBe('inactive\n');
    expect(await journal(fl, 'node1')).toContain('flanneld.service: Deactivated successfully.');

    await fl.lab.run('node1', 'systemctl start flanneld');
    const second = pid();
    expect(second).not.toBe(first);
    expect((await fl.lab.run('node1', `kill -9 ${second}`)).status).toBe(0);
    await fl.lab.advance(0);
    expect((await fl.lab.run('node1', 'systemctl is-active flanneld')).stdout).toBe('activating\n');
    await fl.lab.advance(10_000);
    expect((await fl.lab.run('node1', 'systemctl is-active flanneld')).stdout).toBe('active\n');
    expect(pid()).not.toBe(second);
    expect(await journal(fl, 'node1')).toContain(
      'flanneld.service: Main process exited, code=killed, status=9/KILL',
    );
    expect((await fl.lab.run('node1', 'kill 99999')).stderr).toBe(
      'bash: kill: (99999) - No such process\n',
    );
  }, 60_000);
});
