// ping -f (flood), -l (preload), -A and -i 0, against what iputils printed in
// tests/golden/linux/ping-flood.txt: the same command lines on a fake network, timings masked.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LabClock } from '../../os/clock.ts';
import { sleepOn } from '../../os/clock.ts';
import { fakeHost, recordingIO } from '../../testing/host.ts';
import { fakeKernel, runPing, type FakeNet } from './testing/fake-net.ts';
import { ping } from './ping.ts';

interface GoldenRun {
  command: string;
  output: string;
  status: number;
}

/** The golden's runs: `$ command`, what it printed (raw backspaces), `[exit N]`. */
function goldenRuns(): GoldenRun[] {
  const text = readFileSync(
    new URL('../../../../tests/golden/linux/ping-flood.txt', import.meta.url),
    'utf8',
  );
  const body = text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
  return body
    .split(/^\$ /m)
    .filter(Boolean)
    .map((block) => {
      const m = /^(.*)\n([\s\S]*?)\[exit (\d+)\]\n$/.exec(block);
      if (!m) throw new Error(`bad golden block: ${block}`);
      return { command: m[1], output: m[2], status: Number(m[3]) };
    });
}

/** Masks what depends on the machine's speed: times, rtt figures, ipg/ewma. */
const maskTimes = (text: string) =>
  text
    .replace(/time=[\d.]+ ms/g, 'time=T ms')
    .replace(/time \d+ms/g, 'time Tms')
    .replace(/= [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/g, '= R ms')
    .replace(/ipg\/ewma [\d.]+\/[\d.]+ ms/g, 'ipg/ewma I ms');

/** The recording host stopped answering (icmp_echo_ignore_all) for these runs. */
const SILENT = new Set([
  'ping -f -c 5 -W 1 10.244.1.3',
  'ping -f -l 3 -c 5 -W 1 10.244.1.3',
  'ping -q -f -w 1 10.244.1.3',
  'ping -l 3 -c 3 -W 1 10.244.1.3',
]);

/** The fake network that behaves as the recording's did for this command. */
function networkFor(command: string): Partial<FakeNet> {
  if (SILENT.has(command)) return { behaviour: 'silent' };
  // No one has 10.244.1.99: ARP gives up after 3 s and errors come back.
  if (command.includes('10.244.1.99')) return { behaviour: 'net-unreachable', rttMs: 3000 };
  if (command.includes('-M do')) return { behaviour: 'mtu', mtu: 1450 };
  return { ttl: 64, rttMs: 0.008 };
}

/** A host on a wall-clock lab clock whose network answers every probe at once (`sync`: inside
 * the send itself). */
function replyingHost(sync: boolean) {
  const clock = wallClock();
  const host = { ...fakeHost(), clock };
  const n: FakeNet = { behaviour: 'reply', rttMs: 0, sync, ttl: 64, src: '10.244.1.2', sent: [] };
  Object.assign(host, { kernel: fakeKernel(n, clock) });
  return { host, n };
}

/** A wall-clock lab clock: timers are macrotasks, so Ctrl-C can only get in if ping yields. */
function wallClock(): LabClock {
  let now = Date.UTC(2026, 0, 1);
  const clock: LabClock = {
    now: () => (now += 0.001),
    setTimer: (ms, fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    sleep: (ms, signal) => sleepOn(clock.setTimer, ms, signal),
  };
  return clock;
}

describe('ping -f / -l against the golden', () => {
  for (const run of goldenRuns()) {
    it(run.command, async () => {
      const r = await runPing(run.command.split(' ').slice(1), networkFor(run.command));
      let [ours, theirs] = [maskTimes(r.text), maskTimes(run.output)];
      if (run.command === 'ping -q -f -w 1 10.244.1.3') {
        // Real ping slips to ~16 ms per probe on a 250 Hz kernel; the lab keeps the 10 ms.
        expect(r.sent.length).toBe(100);
        [ours, theirs] = [ours, theirs].map((t) => t.replace(/^\d+ packets/m, 'N packets'));
      }
      expect(ours).toBe(theirs);
      expect(r.status).toBe(run.status);
    });
  }
});

describe('ping -f', () => {
  it('sends the next probe when the reply arrives, not on a timer', async () => {
    const r = await runPing(['-f', '-c', '1000', '10.244.1.3'], { rttMs: 0.1 });
    // 1000 round trips of 0.1 ms: 100 ms of lab time, where 10 ms pacing would take 10 s.
    expect(r.elapsed).toBeCloseTo(100, 0);
    expect(r.text).toContain('1000 packets transmitted, 1000 received, 0% packet loss');
    expect(r.text).toContain('.\b \b'.repeat(1000) + '\n---');
  });

  it('keeps `-l N` probes in flight and reports the pipe', async () => {
    const r = await runPing(['-q', '-f', '-l', '32', '-c', '3200', '10.244.1.3'], { rttMs: 1 });
    expect(r.text).toMatch(/3200 received.*\n.*, pipe 32, ipg\/ewma/);
    expect(r.elapsed).toBeCloseTo(100, 0);
  });

  it('prints ipg and ewma as iputils computes them', async () => {
    const r = await runPing(['-f', '-i', '0.2', '-c', '3', '10.244.1.3'], { rttMs: 0.264 });
    // Probes at 0, 200.264 and 400.528 ms (each slot counts whole ms from the reply's wake-up).
    expect(r.text).toContain('time 401ms\n');
    expect(r.text).toContain(
      'rtt min/avg/max/mdev = 0.264/0.264/0.264/0.000 ms, ipg/ewma 200.264/0.264 ms\n',
    );
  });

  it('stops at the -w deadline, sending every 10 ms when nothing answers', async () => {
    const r = await runPing(['-f', '-w', '1', '10.244.1.3'], { behaviour: 'silent' });
    expect(r.sent.length).toBe(100);
    expect(r.elapsed).toBe(1000);
    expect(r.text).toContain('.'.repeat(100) + '\n--- 10.244.1.3 ping statistics ---\n');
    expect(r.status).toBe(1);
  });

  it('prints the summary at once on Ctrl-C', async () => {
    const r = await runPing(['-f', '10.244.1.3'], { rttMs: 0.1 }, 50);
    expect(r.elapsed).toBe(50);
    // The last probe is still in flight when Ctrl-C comes, as with the real thing.
    expect(r.text).toContain(
      '\n--- 10.244.1.3 ping statistics ---\n500 packets transmitted, 499 received, 0.2% packet loss, time 50ms\n',
    );
    expect(r.status).toBe(0);
  });

  it('rubs out a corrupted reply with a C', async () => {
    const r = await runPing(['-f', '-c', '2', '10.244.1.3'], { rttMs: 0.1, corruptSeq: 2 });
    // The corrupted echo does not count as an answer; -c 2 sent its two, so ping lingers.
    expect(r.text).toContain('.\b \b.\bC\n--- 10.244.1.3 ping statistics ---\n');
    expect(r.text).toContain('2 packets transmitted, 1 received, +1 corrupted, 50% packet loss');
    expect(r.status).toBe(0);
  });

  it('stays responsive to Ctrl-C when replies come back inside the send', async () => {
    const { host, n } = replyingHost(true);
    const io = recordingIO();
    setTimeout(() => io.controller.abort(), 30);
    const status = await ping(['ping', '-q', '-f', '10.244.1.3'], io, host);
    expect(status).toBe(0);
    expect(n.sent.length).toBeGreaterThan(256);
    expect(io.all.join('')).toMatch(/(\d+) packets transmitted, \1 received, 0% packet loss/);
  });

  it('lets the event loop run after each burst, even with 65,536 probes allowed in flight', async () => {
    const { host, n } = replyingHost(false);
    const io = recordingIO();
    let sentWhenTheLoopRan = -1;
    setTimeout(() => {
      sentWhenTheLoopRan = n.sent.length;
      io.controller.abort();
    }, 0);
    await ping(['ping', '-q', '-f', '-l', '65536', '10.244.1.3'], io, host);
    expect(sentWhenTheLoopRan).toBeGreaterThan(0);
    expect(sentWhenTheLoopRan).toBeLessThanOrEqual(1024);
  });
});
