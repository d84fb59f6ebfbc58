// The shell language on a real lab (the vxlan seed: three hosts, a pod on each): the lines the
// flannel tutorials type, and a busy loop that must not take the host down.

import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalLab } from '../../src/engine/lab/local-lab.ts';
import { buildSeedLab } from './seed-lab.ts';

let lab: LocalLab;

beforeAll(async () => {
  lab = await buildSeedLab('vxlan');
}, 60_000);

describe('the shell on a vxlan lab', () => {
  it('runs a command substitution as an argument of ip netns exec', async () => {
    const first = (await lab.run('node1', 'ip netns list')).stdout.split('\n')[0].split(' ')[0];
    const direct = await lab.run('node1', `ip netns exec ${first} ip addr`);
    const r = await lab.run(
      'node1',
      "ip netns exec $(ip netns list | head -1 | cut -d' ' -f1) ip addr",
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(direct.stdout);
    expect(r.stdout).toContain('inet 10.244.');
  });

  it('pings in a loop, quiet into /dev/null, and says which answered', async () => {
    const r = await lab.run(
      'node1',
      'for i in {0..3}; do ping -c 1 -W 1 10.244.$i.2 > /dev/null && echo ok $i; done',
    );
    expect(r.output).toBe('ok 0\nok 1\nok 2\nping: connect: Network is unreachable\n');
    expect(r.status).toBe(2);
  });

  it('tests a pipeline with if', async () => {
    expect(
      (await lab.run('node1', 'if ip route | grep -q flannel.1; then echo vxlan; fi')).output,
    ).toBe('vxlan\n');
    expect(
      (await lab.run('node1', 'if ip route | grep -q nope0; then echo x; else echo none; fi'))
        .output,
    ).toBe('none\n');
  });

  it('keeps the host answering while `while true; do :; done` runs, and Ctrl-C stops it', async () => {
    const loop = lab.start('node1', 'while true; do :; done; echo never');
    // A timer of the worker's own event loop fires only if the loop yields macrotasks.
    await new Promise((resolve) => setTimeout(resolve, 20));
    // node2 pings node1's pod: node1's kernel, wire and timers must keep running meanwhile.
    const ping = await lab.run('node2', 'ping -c 2 10.244.0.2');
    expect(ping.stdout).toContain('2 packets transmitted, 2 received');
    loop.interrupt();
    const r = await loop.done;
    expect(r).toMatchObject({ status: 130, output: '' });
    expect((await lab.run('node1', 'echo $?')).stdout).toBe('130\n');
  });
});
