// tc against tests/golden/linux/faults.txt (linux-faults-lab.sh on real Linux), step by step on
// one real kernel built as the oracle's host, plus netem, which the oracle's kernel lacks
// (its `tc` parses netem and prints it from q_netem.c; the kernel answered "kind is unknown").
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../kernel/kernel.ts';
import { ROOT_NS } from '../../kernel/types.ts';
import { ManualClock } from '../../os/clock.ts';
import type { FileSystem } from '../../os/fs-types.ts';
import { echoRequest } from '../../kernel/testing/util.ts';
import { FAULTS, replay } from '../ip/testing/golden-host.ts';
import { readGolden, transcript } from '../ip/testing/run.ts';
import type { HostContext } from '../types.ts';
import { tc } from './tc.ts';
import { TERMINAL_INPUT } from '../../os/pipe.ts';

/** The oracle's host `flfa`: eth0 (a veth; its far end in `b`), cni0, flannel.1, flannel0, dummyv. */
async function oracleHost(): Promise<Kernel> {
  const k = await replay(FAULTS);
  const tun = k.tunOpen(ROOT_NS, 'flannel0', () => {});
  k.linkSet(ROOT_NS, tun.ifindex, { up: true });
  k.linkAdd(ROOT_NS, { name: 'dummyv', kind: 'veth', peer: { name: 'dummyp' } });
  return k;
}

async function runTc(kernel: Kernel, line: string) {
  let output = '';
  const io = {
    stdin: TERMINAL_INPUT,
    stdout: (t: string) => (output += t),
    stderr: (t: string) => (output += t),
    signal: new AbortController().signal,
  };
  const host: HostContext = {
    hostname: 'node1',
    kernel,
    netns: ROOT_NS,
    clock: new ManualClock(),
    fs: {} as FileSystem,
    exec: async () => 127,
  };
  const code = await tc(line.split(/\s+/), io, host);
  return { output, code };
}

/** The oracle's `ping -c 3 172.16.112.131`: an ARP request and three echo requests out of eth0. */
function ping3(k: Kernel) {
  const fd = k.icmpOpen(ROOT_NS, () => {});
  for (let i = 1; i <= 3; i++) k.icmpSend(fd, '172.16.112.131', echoRequest(1, i));
  k.close(fd);
}

describe('faults.txt: tc', () => {
  const steps = transcript(readGolden('faults.txt'));
  const tcSteps = steps.slice(
    0,
    steps.findIndex((s) => s.cmd.startsWith('ping -c 1')),
  );
  // What differs by design: the oracle's kernel has no sch_netem, and the handle counter is
  // the whole kernel's (the oracle's had given 8001: to 8005: to earlier runs).
  const NO_NETEM = 'tc qdisc add dev eth0 root netem delay 100ms 10ms';
  const kernel = oracleHost();
  it('has the steps', () => {
    expect(tcSteps.length).toBe(31);
  });
  for (const step of tcSteps) {
    if (step.cmd === NO_NETEM) continue;
    it(step.cmd, async () => {
      const k = await kernel;
      if (step.cmd.startsWith('ping')) {
        ping3(k);
        return;
      }
      const r = await runTc(k, step.cmd);
      expect(r.output).toBe(step.output.replaceAll('8006:', '8001:'));
      expect(r.code).toBe(step.code);
    });
  }
});

describe('tc netem', () => {
  it('adds, shows, changes and deletes netem as tc 6.1 prints it', async () => {
    const k = await oracleHost();
    const add = 'tc qdisc add dev eth0 root netem delay 100ms 10ms loss 20% duplicate 1%';
    expect(await runTc(k, add)).toEqual({ output: '', code: 0 });
    expect((await runTc(k, 'tc qdisc show dev eth0')).output).toBe(
      'qdisc netem 8001: root refcnt 3 limit 1000 delay 100ms  10ms loss 20% duplicate 1%\n',
    );
    const change = 'tc qdisc change dev eth0 root netem delay 1.5s reorder 25% gap 5 rate 1mbit';
    expect(await runTc(k, change)).toEqual({ output: '', code: 0 });
    expect((await runTc(k, 'tc -s qdisc show dev eth0')).output).toBe(
      'qdisc netem 8001: root refcnt 3 limit 1000 delay 1.5s reorder 25% rate 1Mbit gap 5\n' +
        ' Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n' +
        ' backlog 0b 0p requeues 0\n',
    );
    ping3(k);
    const stats = (await runTc(k, 'tc -s qdisc show dev eth0')).output.split('\n');
    // The ARP request and three echoes wait 1.5 s (or go ahead, one in five): backlog first.
    expect(stats[2]).toMatch(/^ backlog \d+b \dp requeues \d$/);
    expect((await runTc(k, 'tc qdisc del dev eth0 root')).code).toBe(0);
    expect((await runTc(k, 'tc qdisc show dev eth0')).output).toBe(
      'qdisc noqueue 0: root refcnt 2 \n',
    );
  });

  it('says what it does not model instead of ignoring it', async () => {
    const k = await oracleHost();
    expect(await runTc(k, 'tc qdisc add dev eth0 root netem loss 10% 25%')).toEqual({
      output: 'tc: a loss correlation is not modelled in this lab\n',
      code: 1,
    });
  });
});
