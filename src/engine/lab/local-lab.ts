// A lab in one process: hosts (each its own instance of the real kernel) joined by an
// in-memory wire, one in-process etcd, all on one ManualClock. Node tests and benchmarks
// build every lab with it; the browser runs the same Host in workers instead.

import { Kernel } from '../kernel/kernel.ts';
import { createKvClient } from '../kv/client.ts';
import { KvServer } from '../kv/server.ts';
import type { KvClient } from '../kv/types.ts';
import type { JourneyControl, ProgramIO } from '../programs/types.ts';
import type { ProgramRegistry } from '../shell/index.ts';
import { ManualClock, settle } from '../os/clock.ts';
import { yieldToHost } from '../os/yield.ts';
import { Host } from './host.ts';
import { buildJourney, journeyLines, type Journey } from './journey.ts';
import { createStaticHostRegistry } from './programs-static.ts';
import { MemoryHub, WirePort, type PortTransport } from './wire.ts';
import { TERMINAL_INPUT, textInput } from '../os/pipe.ts';

/** Lab time a frame takes across the wire; gives pings realistic, non-zero RTTs. */
export const WIRE_LATENCY_MS = 0.05;

export interface LocalHostSpec {
  hostname: string;
  /** The NIC the wire plugs into ('eth0' unless a scenario names it). */
  nic?: string;
  /** The login shell's environment (a scenario's ETCDCTL_API=2). */
  env?: Record<string, string>;
}

export interface LocalLabOptions {
  /** The compiled kernel.wasm (`loadKernelModule()`), instantiated once per host. */
  module: WebAssembly.Module;
  clock?: ManualClock;
  /** Each host's programs; by default all of them, loaded up front. */
  makeRegistry?: () => ProgramRegistry;
  /** A seeded generator, so every run picks the same MACs and subnets. */
  random?: () => number;
  /** The lab's store when not its own in-process etcd (a real etcd cluster, say). */
  kv?: KvClient;
}

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as a terminal shows them. */
  output: string;
}

/** Macrotasks a line with no lab timer left may take before `run` calls it stuck. */
const STUCK_AFTER_YIELDS = 500;

export interface RunningCommand {
  interrupt(): void;
  done: Promise<CommandResult>;
}

function captureIO(
  out: { stdout: string; stderr: string; output: string },
  signal: AbortSignal,
  stdin: string,
  journey: JourneyControl,
): ProgramIO {
  return {
    stdin: stdin === '' ? TERMINAL_INPUT : textInput(stdin),
    stdout: (t) => ((out.stdout += t), (out.output += t)),
    stderr: (t) => ((out.stderr += t), (out.output += t)),
    signal,
    isTTY: false,
    journey,
  };
}

/** mulberry32: a small seeded PRNG for repeatable labs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class LocalLab {
  readonly hosts = new Map<string, Host>();
  readonly ports = new Map<string, WirePort>();
  /** The lab's etcd, served in process on the lab clock (none when the lab was given a kv). */
  readonly server: KvServer | undefined;
  readonly kv: KvClient;
  private readonly hub = new MemoryHub();

  private constructor(
    readonly clock: ManualClock,
    private readonly opts: LocalLabOptions,
    private readonly random: () => number,
  ) {
    this.server = opts.kv ? undefined : new KvServer({ clock });
    this.kv = opts.kv ?? createKvClient(this.server!);
  }

  static create(opts: LocalLabOptions): LocalLab {
    return new LocalLab(opts.clock ?? new ManualClock(), opts, opts.random ?? seededRandom(1));
  }

  async addHost(spec: LocalHostSpec): Promise<Host> {
    const { clock, random } = this;
    const { hostname } = spec;
    const kernel = await Kernel.create({ module: this.opts.module, clock, random, hostname });
    const host = new Host({
      hostname,
      kernel,
      clock,
      registry: (this.opts.makeRegistry ?? createStaticHostRegistry)(),
      random,
      kv: this.kv,
      env: spec.env,
    });
    const port = new WirePort(this.hub.connect(spec.hostname), {
      now: () => clock.now(),
      schedule: (fn) => void clock.setTimer(WIRE_LATENCY_MS, fn),
    });
    kernel.onWireTransmit = (_ifindex, frame) => port.transmit(frame);
    port.onReceive = (frame) => {
      const eth0 = kernel.linkGet('', spec.nic ?? 'eth0');
      kernel.wireReceive(eth0.ifindex, frame);
    };
    this.hosts.set(spec.hostname, host);
    this.ports.set(spec.hostname, port);
    return host;
  }

  host(name: string): Host {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name}`);
    return host;
  }

  /**
   * Starts a shell line on a host without moving the clock (a capture left running while
   * another command drives the lab). `interrupt()` is Ctrl-C.
   */
  start(hostname: string, line: string): RunningCommand {
    const host = this.host(hostname);
    const ctl = new AbortController();
    const out = { stdout: '', stderr: '', output: '' };
    const io = captureIO(out, ctl.signal, '', this.journeyControl);
    const done = host.shell.run(line, io).then((status) => ({ status, ...out }));
    return { interrupt: () => ctl.abort(), done };
  }

  /**
   * Runs one shell line on a host and lets lab time pass until it finishes (ping sleeps on the
   * lab clock). `interruptAfterMs` sends Ctrl-C after that much lab time.
   */
  async run(
    hostname: string,
    line: string,
    opts: { maxMs?: number; interruptAfterMs?: number; stdin?: string } = {},
  ): Promise<CommandResult> {
    const host = this.host(hostname);
    const ctl = new AbortController();
    const out = { stdout: '', stderr: '', output: '' };
    const io = captureIO(out, ctl.signal, opts.stdin ?? '', this.journeyControl);
    let status: number | undefined;
    const running = host.shell.run(line, io).then((s) => (status = s));
    const start = this.clock.now();
    const deadline = start + (opts.maxMs ?? 120_000);
    if (opts.interruptAfterMs !== undefined)
      this.clock.setTimer(opts.interruptAfterMs, () => ctl.abort());
    await settle();
    while (status === undefined) {
      let next = this.clock.nextTimer();
      // A long line may still be between two commands: let its queued jobs run first (a
      // shell loop that yielded to the host also needs the macrotask, and grep's first run
      // loads its matcher, a module import that takes a few of them).
      if (next > deadline) await settle(200);
      for (let i = 0; i < STUCK_AFTER_YIELDS && next > deadline && status === undefined; i++) {
        await yieldToHost();
        next = this.clock.nextTimer();
      }
      if (status !== undefined) break;
      next = this.clock.nextTimer();
      if (next > deadline) throw new Error(`"${line}" on ${hostname} did not finish in lab time`);
      await this.clock.advance(Math.max(0, next - this.clock.now()));
    }
    await running;
    return { status, ...out };
  }

  /** Runs a shell line and fails loudly unless it exits 0; returns its stdout. */
  async sh(hostname: string, line: string): Promise<string> {
    const r = await this.run(hostname, line);
    if (r.status !== 0) throw new Error(`${hostname}: ${line}: exit ${r.status}: ${r.output}`);
    return r.stdout;
  }

  /** Lets lab time pass until `promise` settles (flanneld and the pods wait on the lab clock). */
  async drive<T>(promise: Promise<T>, maxMs = 60_000): Promise<T> {
    let done = false;
    const result = promise.finally(() => (done = true));
    const deadline = this.clock.now() + maxMs;
    await this.clock.advance(0);
    for (let turn = 1; !done; turn++) {
      if (this.clock.now() >= deadline) throw new Error('did not finish in lab time');
      await this.clock.advance(10);
      // Now and then a macrotask too: a module a program loads on first use (grep's matcher)
      // arrives on one, and no lab time passing brings it sooner.
      if (turn % 8 === 0) await yieldToHost();
    }
    return result;
  }

  /** A port on the lab's wire with no host behind it (a stranger plugged into the switch). */
  connectWire(portId: string): PortTransport {
    return this.hub.connect(portId);
  }

  /** The journey `trace` recorded last. */
  lastJourney: Journey | null = null;

  /** What `trace` uses: the recorders of every host of this lab. */
  private readonly journeyControl: JourneyControl = {
    start: async () => this.journeyStart(),
    stop: async () => {
      this.lastJourney = this.journeyStop();
      return journeyLines(this.lastJourney.events);
    },
  };

  /** Starts every host's packet journey recorder. */
  journeyStart(): void {
    for (const h of this.hosts.values()) h.kernel.journeyStart();
  }

  /** Stops the recorders and merges what they saw into one journey. */
  journeyStop(): Journey {
    return buildJourney(
      [...this.hosts].map(([host, h]) => ({ host, journey: h.kernel.journeyStop() })),
    );
  }

  /** Lets lab time pass (timers fire, frames cross the wire). */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }
}
