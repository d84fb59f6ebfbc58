// One host, as its worker runs it: the lab clock, the wire port, the kernel and the shell.
// Kept free of Comlink and of `self` so Node tests can drive it directly.

import { SUBNET_ENV_PATH } from '../engine/cni/cni.ts';
import { parseEnvFile } from '../engine/flannel/subnet-env.ts';
import { Kernel } from '../engine/kernel/kernel.ts';
import { cidrContains, parseCidr, parseIpv4 } from '../engine/packet/ipaddr.ts';
import { ROOT_NS, IFF, type QdiscInfo } from '../engine/kernel/types.ts';
import type { KvClient } from '../engine/kv/types.ts';
import { Host } from '../engine/lab/host.ts';
import {
  FrameWatches,
  hostFacts,
  runScript,
  type HostFacts,
  type ScriptResult,
  type WatchTarget,
} from '../engine/lab/lesson-probe.ts';
import { bootNode, ensureNetworkConfig, FLANNELD_UNIT } from '../engine/lab/node-setup.ts';
import { createHostRegistry, type BigPrograms } from '../engine/lab/programs.ts';
import {
  bootScenarioHost,
  ensureScenarioConfig,
  scenarioHost,
} from '../engine/lab/scenario-boot.ts';
import { scenarioEnv } from '../engine/lab/scenario-env.ts';
import { findScenario } from '../engine/lab/scenarios/index.ts';
import { RealtimeClock, type ClockParams, type Scheduler } from '../engine/os/realtime-clock.ts';
import { WirePort, type PortTransport } from '../engine/lab/wire.ts';
import type { JourneyControl, ProgramIO } from '../engine/programs/types.ts';
import type { HostJourney } from '../engine/kernel/journey.ts';
import type { Shell } from '../engine/shell/index.ts';
import type { QuietReport } from './clock-steps.ts';
import type { KvPortTraffic } from './kv-remote.ts';
import type {
  CaptureTarget,
  Completion,
  DownloadSink,
  HostSnapshot,
  HostStartConfig,
  LinkView,
  OutputStream,
  PodView,
} from './host-api.ts';
import { TERMINAL_INPUT } from '../engine/os/pipe.ts';

export interface HostRuntimeDeps {
  /** Absolute real time in ms (performance.timeOrigin + performance.now() in a worker). */
  source: () => number;
  schedule: Scheduler;
  transport: (labId: string, hostId: string) => PortTransport;
  /** The compiled kernel (fetched once per worker in the browser, read from disk in Node). */
  loadKernel: () => Promise<WebAssembly.Module>;
  random?: () => number;
  /** ip, tcpdump, etcdctl...: loaded on first run in a worker, imported up front in Node. */
  programs: BigPrograms;
}

/** A capture started from the topology view, running in the background. */
interface BackgroundCapture {
  path: string;
  stop: AbortController;
  done: Promise<number>;
  stderr: string[];
}

/** Whether `dst` lies inside `cidr` ('10.244.0.0/16'). */
function inNetwork(dst: string, cidr: string): boolean {
  const net = parseCidr(cidr);
  const addr = parseIpv4(dst);
  return net !== null && addr !== null && cidrContains(net, addr);
}

/** The host's own subnet route (`10.244.1.0/24 dev cni0`) is not a route to a peer. */
function sameSubnet(r: { dst: string; dstLen: number }, subnet: string | null): boolean {
  if (!subnet) return false;
  const [ip, len] = subnet.split('/');
  return Number(len) === r.dstLen && inNetwork(r.dst, `${ip}/${len}`);
}

function captureKey(t: CaptureTarget): string {
  return `${t.netns ?? ''}/${t.ifname}`;
}

export class HostRuntime {
  private config: HostStartConfig | null = null;
  private clock: RealtimeClock | null = null;
  private wire: WirePort | null = null;
  private host: Host | null = null;
  private bootError: string | null = null;
  /** The node's boot (NIC, flanneld's lease, pods); settles once it is done or has failed. */
  private booting: Promise<void> | null = null;
  /** The line each terminal's session runs (Ctrl-C aborts it), by session. */
  private readonly running = new Map<number, AbortController>();
  /**
   * The host's terminals: session 0 is the console's login shell; `openSession` logs in
   * another (a second terminal: its own jobs and cwd, the same kernel and history).
   */
  private readonly sessions = new Map<number, Shell>();
  private nextSession = 1;
  private readonly captures = new Map<string, BackgroundCapture>();
  private kvTraffic: (() => KvPortTraffic) | null = null;
  private watches: FrameWatches | null = null;

  constructor(private readonly deps: HostRuntimeDeps) {}

  /** Boots the host: kernel, NIC on the wire, flanneld, pods. Resolves once the shell answers. */
  async start(
    config: HostStartConfig,
    kv?: KvClient & { traffic?(): KvPortTraffic },
  ): Promise<HostSnapshot> {
    if (this.config) throw new Error(`host ${this.config.host.hostname} is already started`);
    this.config = config;
    this.kvTraffic = kv?.traffic ?? null;
    const clock = new RealtimeClock(config.clock, this.deps.source, this.deps.schedule);
    this.clock = clock;
    const random = this.deps.random ?? Math.random;
    const hostname = config.host.hostname;
    const scenario = config.scenario ? findScenario(config.scenario) : undefined;
    const kernel = await Kernel.create({
      module: config.kernelModule ?? (await this.deps.loadKernel()),
      clock,
      random,
      hostname,
    });
    const host = new Host({
      hostname,
      kernel,
      clock,
      random,
      kv,
      registry: createHostRegistry(this.deps.programs),
      history: config.history,
      env: scenario ? scenarioEnv(scenario) : undefined,
    });
    this.host = host;
    const wire = new WirePort(this.deps.transport(config.labId, hostname), {
      now: () => clock.now(),
      realNow: this.deps.source,
    });
    this.wire = wire;
    kernel.onWireTransmit = (_ifindex, frame) => wire.transmit(frame);
    let eth0 = 0; // the NIC's ifindex, looked up once (not per frame)
    const nicName = config.host.nic ?? 'eth0';
    const nic = () => {
      // Until the node's boot plugs the NIC in, frames find no port to arrive on.
      if (!eth0 && kernel.linkDump(ROOT_NS).some((l) => l.name === nicName))
        eth0 = kernel.linkGet(ROOT_NS, nicName).ifindex;
      return eth0;
    };
    wire.onReceiveFrames = (frames) => {
      if (nic()) kernel.wireReceiveFrames(eth0, frames);
    };
    wire.onRxDropped = (frames) => {
      if (nic()) kernel.wireDropped(eth0, frames);
    };
    // The node boots in the background: the shell answers at once, flanneld takes its time.
    this.booting = this.boot(host, config, kv);
    return this.snapshot();
  }

  /** Resolves once the node has booted (or failed to), with the snapshot that says which. */
  async booted(): Promise<HostSnapshot> {
    if (!this.booting) throw new Error('host not started');
    await this.booting;
    return this.snapshot();
  }

  private async boot(host: Host, config: HostStartConfig, kv?: KvClient): Promise<void> {
    const scenario = config.scenario ? findScenario(config.scenario) : undefined;
    try {
      if (scenario) {
        if (kv) await ensureScenarioConfig(kv, scenario);
        await bootScenarioHost(host, scenario);
        return;
      }
      if (kv) {
        await ensureNetworkConfig(kv, {
          network: config.network,
          subnetLen: config.subnetLen,
          backend: config.backend,
        });
      }
      await bootNode(host, { eth0: config.host.eth0, pods: config.podsPerHost });
    } catch (err) {
      this.bootError = err instanceof Error ? err.message : String(err);
    }
  }

  setClock(params: ClockParams): void {
    this.clock?.setParams(params);
  }

  /** A fast-forward's view of this host (see clock-steps.ts); a host not started has no clock. */
  clockDeadline(): number {
    return this.clock?.nextDeadline() ?? Infinity;
  }

  async clockStepTo(t: number): Promise<void> {
    await this.clock?.stepTo(t);
  }

  clockQuiet(): QuietReport {
    const kv = this.kvTraffic?.() ?? { inFlight: 0, received: 0 };
    const wire = this.wire?.stats.rxMessages ?? 0;
    return { busy: (this.clock?.due() ?? false) || kv.inFlight > 0, activity: kv.received + wire };
  }

  async run(
    line: string,
    output: (stream: OutputStream, text: string) => void,
    download?: DownloadSink,
    stdoutReady?: () => Promise<void>,
    session = 0,
    journey?: JourneyControl,
  ): Promise<number> {
    const shell = this.shell(session);
    if (this.running.has(session)) throw new Error('a command is already running');
    const ctl = new AbortController();
    this.running.set(session, ctl);
    const io: ProgramIO = {
      stdin: TERMINAL_INPUT,
      stdout: (text) => output('stdout', text),
      stderr: (text) => output('stderr', text),
      signal: ctl.signal,
      isTTY: true,
      stdoutReady,
      download,
      journey,
    };
    try {
      const status = await shell.run(line, io);
      // `exit` in the login shell: the console logs in again, as getty would; another
      // terminal's session ends (the terminal closes).
      if (shell.state.exited && session !== 0) this.sessions.delete(session);
      shell.state.exited = false;
      return status;
    } catch (err) {
      // A bug in a program must not take the host down: report it as bash would a crash.
      output('stderr', `bash: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    } finally {
      this.running.delete(session);
    }
  }

  /** Logs in another session (a new terminal); resolves to its number. */
  openSession(): number {
    const id = this.nextSession++;
    this.sessions.set(id, this.requireHost().openShell());
    return id;
  }

  journeyStart(): void {
    this.requireHost().kernel.journeyStart();
  }

  journeyStop(): HostJourney {
    return this.requireHost().kernel.journeyStop();
  }

  /** Whether a session is still logged in (`exit` ends any but the console's). */
  hasSession(session: number): boolean {
    return session === 0 || this.sessions.has(session);
  }

  private shell(session: number): Shell {
    const host = this.requireHost();
    if (session === 0) return host.shell;
    const shell = this.sessions.get(session);
    if (!shell) throw new Error(`session ${session} has ended`);
    return shell;
  }

  interrupt(session = 0): void {
    this.running.get(session)?.abort();
  }

  suspend(session = 0): void {
    if (this.hasSession(session) && this.host) this.shell(session).suspend();
  }

  isIncomplete(source: string, session = 0): boolean {
    return this.shell(session).isIncomplete(source);
  }

  shellNetns(session = 0): string {
    return this.shell(session).netns;
  }

  /** The shell's history, oldest first: what `history` lists and arrow-up walks. */
  history(session = 0): string[] {
    return [...this.shell(session).history];
  }

  /** Starts `tcpdump -i IF -w /tmp/IF.pcap` (in the pod's namespace for a pod's interface). */
  async startCapture(target: CaptureTarget): Promise<string> {
    const host = this.requireHost();
    const key = captureKey(target);
    const running = this.captures.get(key);
    if (running) return running.path;
    const path = `/tmp/${target.netns ? `${target.netns}-` : ''}${target.ifname}.pcap`;
    const stop = new AbortController();
    const stderr: string[] = [];
    let listening = () => {};
    const started = new Promise<void>((resolve) => (listening = resolve));
    const io: ProgramIO = {
      stdin: TERMINAL_INPUT,
      stdout: () => {},
      stderr: (text) => {
        stderr.push(text);
        if (text.includes('listening on')) listening();
      },
      signal: stop.signal,
      isTTY: false,
    };
    const argv = ['tcpdump', '-i', target.ifname, '-w', path];
    const done = host.exec(argv, io, target.netns ?? ROOT_NS).catch(() => 1);
    // tcpdump says "listening on" before it waits for frames; exiting first means it failed.
    if ((await Promise.race([started.then(() => 'started'), done])) !== 'started') {
      throw new Error(stderr.join('').trim() || `tcpdump -i ${target.ifname} did not start`);
    }
    this.captures.set(key, { path, stop, done, stderr });
    return path;
  }

  /** Stops a background capture and returns its pcap file. */
  async stopCapture(target: CaptureTarget): Promise<{ name: string; bytes: Uint8Array } | null> {
    const key = captureKey(target);
    const capture = this.captures.get(key);
    if (!capture) return null;
    this.captures.delete(key);
    capture.stop.abort();
    await capture.done;
    const { fs } = this.requireHost();
    if (!fs.exists(capture.path)) return null;
    return { name: capture.path.slice('/tmp/'.length), bytes: fs.readFile(capture.path).slice() };
  }

  runningCaptures(): string[] {
    return [...this.captures.keys()];
  }

  async complete(line: string, cursor: number, session = 0): Promise<Completion> {
    const shell = this.shell(session);
    const c = shell.complete(line, Math.max(0, Math.min(cursor, line.length)));
    return { start: c.from, candidates: c.candidates };
  }

  async snapshot(): Promise<HostSnapshot> {
    const config = this.config;
    const host = this.host;
    if (!config || !this.clock || !this.wire || !host) throw new Error('host not started');
    const { kernel, fs } = host;
    const env = fs.exists(SUBNET_ENV_PATH) ? parseEnvFile(fs.readText(SUBNET_ENV_PATH)) : null;
    const unit = host.services.status(FLANNELD_UNIT);
    const addrs = kernel.addrDump(ROOT_NS);
    const dump = kernel.linkDump(ROOT_NS);
    const qdiscs = new Map(kernel.qdiscDump(ROOT_NS).map((q) => [q.ifindex, q]));
    const links: LinkView[] = dump.map((l) => ({
      name: l.name,
      kind: l.kind,
      up: (l.flags & IFF.UP) !== 0,
      carrier: (l.flags & IFF.LOWER_UP) !== 0,
      qdisc: qdiscSummary(qdiscs.get(l.ifindex)),
      address: addrs
        .filter((a) => a.ifindex === l.ifindex)
        .map((a) => `${a.local}/${a.prefixlen}`)[0],
      rxPackets: l.stats.rxPackets,
      txPackets: l.stats.txPackets,
    }));
    const pods: PodView[] = kernel
      .netnsList()
      .filter((ns) => ns !== ROOT_NS)
      .map((ns) => {
        const addr = kernel.addrDump(ns).find((a) => a.label === 'eth0');
        const eth0 = kernel.linkDump(ns).find((l) => l.name === 'eth0');
        return {
          name: ns,
          ip: addr ? addr.local : '',
          rxPackets: eth0?.stats.rxPackets ?? 0,
          txPackets: eth0?.stats.txPackets ?? 0,
        };
      });
    const names = new Map(dump.map((l) => [l.ifindex, l.name]));
    const network = env?.get('FLANNEL_NETWORK') ?? config.network;
    const subnet = env?.get('FLANNEL_SUBNET') ?? null;
    const peerRoutes = kernel
      .routeDump(ROOT_NS, 'main')
      .filter((r) => inNetwork(r.dst, network) && !sameSubnet(r, subnet))
      .map(
        (r) =>
          `${r.dst}/${r.dstLen}` +
          (r.gateway ? ` via ${r.gateway}` : '') +
          (r.oif !== undefined ? ` dev ${names.get(r.oif) ?? r.oif}` : ''),
      );
    return {
      hostname: config.host.hostname,
      eth0: config.host.eth0,
      backend: config.backend,
      up: true,
      ready: env !== null || !this.runsFlanneld(),
      flanneld: !this.runsFlanneld()
        ? 'absent' // a host without flanneld (a scenario's etcd host)
        : unit?.state === 'active'
          ? 'running'
          : unit?.state === 'failed' || unit?.subState === 'auto-restart' || this.bootError
            ? 'failed' // waiting for systemd's restart counts: it just failed
            : unit?.state === 'inactive'
              ? 'stopped'
              : 'starting',
      subnet,
      pods,
      links,
      peerRoutes,
      wire: { ...this.wire.stats, macs: this.wire.macEntries().length },
      at: this.clock.now(),
    };
  }

  setCable(plugged: boolean): void {
    const { kernel } = this.requireHost();
    const nic = kernel.linkDump(ROOT_NS).find((l) => l.kind === 'ether');
    if (nic) kernel.carrierSet(nic.ifindex, plugged);
  }

  /** A lesson's check script, in a fresh bash (see lesson-probe.ts). */
  runScript(script: string): Promise<ScriptResult> {
    return runScript(this.requireHost(), script);
  }

  async watchFrames(target: WatchTarget): Promise<number> {
    const host = this.requireHost();
    // tcpdump's filter, as tcpdump itself, is loaded on first use.
    const { compileFilter } = await import('../engine/programs/tcpdump/filter.ts');
    this.watches ??= new FrameWatches(host);
    return this.watches.watch(target, compileFilter(target.filter));
  }

  framesSeen(id: number): number {
    return this.watches?.seen(id) ?? 0;
  }

  unwatchFrames(id: number): void {
    this.watches?.unwatch(id);
  }

  facts(): HostFacts {
    return hostFacts(this.requireHost());
  }

  /** Every node runs flanneld, but a scenario's host without the role (its etcd host). */
  private runsFlanneld(): boolean {
    const scenario = this.config?.scenario ? findScenario(this.config.scenario) : undefined;
    if (!scenario || !this.config) return true;
    return scenarioHost(scenario, this.config.host.hostname).roles.includes('flanneld');
  }

  stop(): void {
    this.watches?.closeAll();
    this.interrupt();
    for (const ctl of this.running.values()) ctl.abort();
    for (const c of this.captures.values()) c.stop.abort();
    this.clock?.dispose();
    this.wire?.close();
  }

  private requireHost(): Host {
    if (!this.host) throw new Error('host not started');
    return this.host;
  }
}

/** What the topology says of a tc qdisc: its kind and the options it has. */
function qdiscSummary(q: QdiscInfo | undefined): string | undefined {
  if (!q?.kind || !q.options) return undefined;
  const o = q.options;
  const parts: string[] = [q.kind];
  if (o.latency)
    parts.push(`delay ${o.latency / 1000}ms` + (o.jitter ? ` ±${o.jitter / 1000}ms` : ''));
  for (const k of ['loss', 'duplicate', 'corrupt', 'reorder'] as const) {
    if (o[k]) parts.push(`${k} ${Math.round(o[k] * 1000) / 10}%`);
  }
  if (o.rate && q.kind === 'netem') parts.push(`rate ${Math.round(o.rate * 8) / 1000}kbit`);
  return parts.join(' ');
}
