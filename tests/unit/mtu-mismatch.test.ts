// An MTU mismatch between two hosts of one L2 segment, against tests/golden/linux/faults.txt:
// node a's eth0 at 1400, b's at 1500. What fits goes; a's own oversize DF ping fails locally;
// anything above 1400 towards a (its reply to a fragmented ping, b's 1500-byte pings) is
// dropped by a's NIC, silently: no ICMP tells anyone.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/os/clock.ts';
import { LocalLab, seededRandom } from '../../src/engine/lab/local-lab.ts';
import { setUpNic } from '../../src/engine/lab/node-setup.ts';
import { kernelModule } from '../../src/engine/testing/kernel.ts';
import { readGolden, transcript } from '../../src/engine/programs/ip/testing/run.ts';
import { LAB_START } from './flannel-lab.ts';

/** Times are the machine's; the oracle's hosts were .130 (a) and .131 (b), as here. */
const mask = (text: string) =>
  text
    .replace(/time=[\d.]+ ms/g, 'time=<t> ms')
    .replace(/, time \d+ms/g, ', time <t>ms')
    .replace(/rtt min\/avg\/max\/mdev = [\d./]+ ms/g, 'rtt <t>');

describe('faults.txt: MTU mismatch', () => {
  const all = transcript(readGolden('faults.txt'));
  const from = all.findIndex((s) => s.cmd === 'ip link set eth0 mtu 1400');
  const steps = all.slice(from, from + 9).filter((s) => s.cmd.startsWith('ping'));
  it('has the pings', () => expect(steps.length).toBe(7));

  it('prints what the oracle printed, ping by ping', async () => {
    const lab = LocalLab.create({
      module: await kernelModule(),
      clock: new ManualClock(LAB_START),
      random: seededRandom(3),
    });
    setUpNic(await lab.addHost({ hostname: 'a' }), '172.16.112.130/24');
    setUpNic(await lab.addHost({ hostname: 'b' }), '172.16.112.131/24');
    expect((await lab.run('a', 'ip link set eth0 mtu 1400')).status).toBe(0);
    // The oracle's a had pinged b before: its neighbour was known.
    await lab.run('a', 'ping -c 1 -W 1 -q 172.16.112.131');
    await lab.run('b', 'ping -c 1 -W 1 -q 172.16.112.130');
    // Which host each step ran on: the oracle's `$b ping ... 172.16.112.130` ran on b.
    for (const step of steps) {
      const host = step.cmd.endsWith('172.16.112.130') ? 'b' : 'a';
      const r = await lab.run(host, step.cmd);
      expect(mask(r.output), `${host}: ${step.cmd}`).toBe(mask(step.output));
      expect(r.status, step.cmd).toBe(step.code);
    }
    const stats = (await lab.run('a', 'ip -s link show eth0')).stdout;
    // a's NIC dropped its reply to the fragmented ping and b's two 1500-byte echoes.
    expect(stats.split('\n')[3].trim().split(/\s+/)[3]).toBe('3');
  }, 60_000);
});
