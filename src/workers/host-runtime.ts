// One host, as its worker runs it: the lab clock, the wire port and the shell.
// Kept free of Comlink and of `self` so Node tests can drive it directly.

import { RealtimeClock, type ClockParams, type Scheduler } from '../engine/lab/realtime-clock.ts';
import { WirePort, type PortTransport } from '../engine/lab/wire.ts';
import type { ProgramIO } from '../engine/programs/types.ts';
import type { Completion, HostSnapshot, HostStartConfig, OutputStream } from './host-api.ts';
import { createPlaceholderShell, type WorkerShell } from './placeholder-shell.ts';

export interface HostRuntimeDeps {
  /** Absolute real time in ms (performance.timeOrigin + performance.now() in a worker). */
  source: () => number;
  schedule: Scheduler;
  transport: (labId: string, hostId: string) => PortTransport;
}

export class HostRuntime {
  private config: HostStartConfig | null = null;
  private clock: RealtimeClock | null = null;
  private wire: WirePort | null = null;
  private shell: WorkerShell | null = null;
  private running: AbortController | null = null;

  constructor(private readonly deps: HostRuntimeDeps) {}

  async start(config: HostStartConfig): Promise<HostSnapshot> {
    if (this.config) throw new Error(`host ${this.config.host.hostname} is already started`);
    this.config = config;
    const clock = new RealtimeClock(config.clock, this.deps.source, this.deps.schedule);
    this.clock = clock;
    this.wire = new WirePort(this.deps.transport(config.labId, config.host.hostname), {
      now: () => clock.now(),
    });
    // TODO(lead): swap in the real host here, once src/engine/lab/host.ts lands:
    //   const host = new Host({ ...config.host, backend: config.backend, network: config.network,
    //     subnetLen: config.subnetLen, pods: config.podsPerHost, clock, kv: wrapKv(kvPort) });
    //   host.kernel.onWireTransmit = (_ifindex, frame) => wire.transmit(frame);
    //   wire.onReceive = (frame) => host.kernel.wireReceive(host.eth0Index, frame);
    //   this.shell = createShell(host, registry, { ... });  // replaces the placeholder below
    // and fill `snapshot()` from host.kernel (links, addresses) and host.fs (subnet.env).
    this.shell = createPlaceholderShell(config.host.hostname, clock);
    return this.snapshot();
  }

  setClock(params: ClockParams): void {
    this.clock?.setParams(params);
  }

  async run(line: string, output: (stream: OutputStream, text: string) => void): Promise<number> {
    const shell = this.requireShell();
    if (this.running) throw new Error('a command is already running');
    const ctl = new AbortController();
    this.running = ctl;
    const io: ProgramIO = {
      stdin: '',
      stdout: (text) => output('stdout', text),
      stderr: (text) => output('stderr', text),
      signal: ctl.signal,
    };
    try {
      return await shell.run(line, io);
    } catch (err) {
      // A bug in a program must not take the host down: report it as bash would a crash.
      output('stderr', `bash: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    } finally {
      this.running = null;
    }
  }

  interrupt(): void {
    this.running?.abort();
  }

  async complete(line: string, cursor: number): Promise<Completion> {
    return this.requireShell().complete(line, Math.max(0, Math.min(cursor, line.length)));
  }

  async snapshot(): Promise<HostSnapshot> {
    const config = this.config;
    if (!config || !this.clock || !this.wire) throw new Error('host not started');
    return {
      hostname: config.host.hostname,
      eth0: config.host.eth0,
      backend: config.backend,
      up: this.shell !== null,
      ready: this.shell !== null,
      flanneld: 'absent',
      subnet: null,
      pods: [],
      links: [{ name: 'eth0', kind: 'ether', up: true, address: config.host.eth0 }],
      wire: { ...this.wire.stats, macs: this.wire.macEntries().length },
      at: this.clock.now(),
    };
  }

  stop(): void {
    this.interrupt();
    this.clock?.dispose();
    this.wire?.close();
  }

  private requireShell(): WorkerShell {
    if (!this.shell) throw new Error('host not started');
    return this.shell;
  }
}
