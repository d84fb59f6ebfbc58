// A stranger on the lab's switch: mutated and random frames, and garbage wire messages, thrown
// at the seeds' vxlan lab through its real wire code (WirePort over the MemoryHub). Shared by
// the bounded CI test (wire-fuzz.test.ts) and the million-frame bench (bench/fuzz.ts).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ROOT_NS, type KernelApi } from '../../src/engine/kernel/types.ts';
import type { WireMessage } from '../../src/engine/lab/wire.ts';
import { readPcap } from '../../src/engine/packet/pcap.ts';
import { HOSTS, buildSeedLab } from './seed-lab.ts';

export interface FuzzReport {
  frames: number;
  messages: number;
  /** Exceptions that escaped (thrown out of a message handler or a timer). */
  uncaught: string[];
  /** Packet buffers not given back, summed over the hosts. */
  leakedBuffers: number;
  /** What the hosts' wire ports counted as malformed. */
  rxMalformed: number;
  ms: number;
  /** Whether node2's pod still pings node3's pod afterwards. */
  podsPing: boolean;
}

const FRAMES_PER_MESSAGE = 64;

/**
 * The golden VXLAN frames that host3 sent to host2, readdressed to our node2 (its eth0 MAC
 * outside, its flannel.1 MAC inside), so mutations reach every layer, not just the MAC check.
 */
export function seedFrames(kernel: KernelApi): Uint8Array[] {
  const pcap = readPcap(
    new Uint8Array(readFileSync(new URL('../golden/linux/vxlan-eth0.pcap', import.meta.url))),
  );
  const mac = (name: string) =>
    kernel
      .linkGet(ROOT_NS, name)
      .address!.split(':')
      .map((h) => parseInt(h, 16));
  return pcap.records.map((r) => {
    const frame = Uint8Array.from(r.data);
    frame.set(mac('eth0'), 0);
    if (frame.length > 14 + 20 + 8 + 8 + 6) frame.set(mac('flannel.1'), 14 + 20 + 8 + 8);
    return frame;
  });
}

/** A hostile frame: random bytes, or a seed frame with a few bytes changed and maybe cut. */
export function hostileFrame(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const random = fc.uint8Array({ minLength: 0, maxLength: 1600 });
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([seed, edits, cut]) => {
      const frame = Uint8Array.from(seed);
      for (const [at, byte] of edits) frame[at % frame.length] = byte;
      return cut === undefined ? frame : frame.subarray(0, cut % (frame.length + 1));
    });
  return fc.oneof(random, mutated);
}

/** Messages that are not well-formed wire messages, some of them nearly. */
function garbageMessage(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.anything(),
    fc.record({
      from: fc.oneof(fc.string(), fc.constantFrom(...HOSTS), fc.anything()),
      bytes: fc.oneof(
        fc.uint8Array({ maxLength: 3000 }).map((b) => b.buffer as ArrayBuffer),
        fc.anything(),
      ),
      lengths: fc.oneof(
        fc.array(fc.oneof(fc.integer(), fc.double(), fc.anything()), { maxLength: 80 }),
        fc.anything(),
      ),
      sentAt: fc.oneof(fc.double(), fc.anything()),
    }),
  );
}

function batch(frames: Uint8Array[]): WireMessage {
  const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    bytes.set(f, at);
    at += f.length;
  }
  return { from: 'stranger', bytes: bytes.buffer, lengths: frames.map((f) => f.length) };
}

/** Throws `frames` frames (in messages of 64) and `messages` garbage messages at the lab. */
export async function runWireFuzz(frames: number, messages: number, seed = 20261204) {
  const lab = await buildSeedLab('vxlan');
  const free = HOSTS.map((h) => lab.host(h).kernel.freeBuffers());
  const stranger = lab.connectWire('stranger');
  const frame = hostileFrame(seedFrames(lab.host('node2').kernel));
  const garbage = garbageMessage();
  const uncaught: string[] = [];
  const onError = (err: unknown) => uncaught.push(String(err));
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  const started = performance.now();
  try {
    const rounds = Math.ceil(frames / FRAMES_PER_MESSAGE);
    const garbagePerRound = messages / rounds;
    let garbageSent = 0;
    const samples = fc.sample(frame, { numRuns: Math.min(frames, 20_000), seed });
    const junk = fc.sample(garbage, { numRuns: Math.max(1, messages), seed: seed + 1 });
    for (let r = 0; r < rounds; r++) {
      const n = Math.min(FRAMES_PER_MESSAGE, frames - r * FRAMES_PER_MESSAGE);
      const picked = Array.from({ length: n }, (_, i) => samples[(r * 64 + i) % samples.length]);
      // Unicast to node2 mostly; some flood, so every port hears them.
      stranger.send(r % 8 === 0 ? 'flood' : 'node2', batch(picked));
      for (; garbageSent < (r + 1) * garbagePerRound && garbageSent < messages; garbageSent++) {
        try {
          stranger.send(r % 2 ? 'flood' : 'node2', junk[garbageSent] as WireMessage);
        } catch {
          // Not cloneable (a function, a symbol): the stranger's own problem, nothing sent.
        }
      }
      if (r % 16 === 15) await lab.advance(1);
    }
    await lab.advance(5_000); // let whatever the storm provoked drain off the wire
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
  const ms = performance.now() - started;
  const ping = await lab.run('node2', 'ip netns exec flp2 ping -c 3 -i 0.2 10.244.2.2');
  const leakedBuffers = HOSTS.reduce(
    (n, h, i) => n + free[i] - lab.host(h).kernel.freeBuffers(),
    0,
  );
  const rxMalformed = HOSTS.reduce((n, h) => n + lab.ports.get(h)!.stats.rxMalformed, 0);
  const report: FuzzReport = {
    frames,
    messages,
    uncaught,
    leakedBuffers,
    rxMalformed,
    ms,
    podsPing: ping.stdout.includes('3 packets transmitted, 3 received, 0% packet loss'),
  };
  return report;
}
