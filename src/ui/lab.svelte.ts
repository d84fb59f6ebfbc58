// The running lab, as the UI sees it: one host worker per host, the KV worker, the lab clock
// (the UI owns its params and sends every change to every worker) and the hosts' snapshots.

import * as Comlink from 'comlink';
import { networkConfigJson } from '../engine/lab/node-setup.ts';
import type { Backend, HostConfig, LabConfig } from '../engine/lab/params.ts';
import {
  labTimeAt,
  withAdvance,
  withSpeed,
  type ClockParams,
} from '../engine/lab/realtime-clock.ts';
import type { CaptureTarget, HostSnapshot, HostWorkerApi } from '../workers/host-api.ts';
import { hostNamed } from '../workers/kv-host-claims.ts';
import type { KvWorkerApi } from '../workers/kv.worker.ts';
import kernelUrl from '../engine/kernel/build/kernel.wasm?url';
import { saveFile } from './save-file.ts';
import { spawnWorker, WORKER_URLS } from './spawn-worker.ts';
import { linkTraffic, type LinkTraffic } from './traffic.ts';

export type HostStatus = 'starting' | 'up' | 'failed';

export interface HostState {
  config: HostConfig;
  status: HostStatus;
  error: string | null;
  snapshot: HostSnapshot | null;
  /** Links whose packet counters moved since the previous snapshot (frames crossing them). */
  traffic: LinkTraffic;
  /** The namespace the host's terminal is in: '' for the host's own, 'pod1' in a pod shell. */
  shellNetns: string;
  /** Background captures started from the topology ('/eth0', 'pod1/eth0'). */
  captures: string[];
}

/** Snapshots come fast while someone watches (frames flash along links), slowly otherwise. */
const SNAPSHOT_INTERVAL_MS = 250;
const SNAPSHOT_IDLE_MS = 1000;
/** While the lab boots: a snapshot of a cold host costs milliseconds of the boot's CPU. */
const SNAPSHOT_BOOTING_MS = 3000;
/** Above this many hosts, fast polling costs more than the flashes are worth. */
const FAST_POLL_MAX_HOSTS = 24;
/** How long `exec` waits for a host's terminal to appear before running without it. */
const CONSOLE_WAIT_MS = 1000;

/** A host's terminal, when it exists: runs a line visibly, as if typed, and returns its output. */
export interface ScriptedConsole {
  runVisibly(line: string): Promise<string>;
}

/** Absolute real time, the same frame of reference in the page and in every worker. */
export function realNow(): number {
  return performance.timeOrigin + performance.now();
}

export class Lab {
  hosts = $state<HostState[]>([]);
  clock = $state<ClockParams>({ labAtAnchor: 0, sourceAtAnchor: 0, speed: 1 });
  /** Lab time, refreshed a few times a second for the header. */
  labTime = $state(0);
  /** Every host is up and (once flanneld exists) has written subnet.env. */
  ready = $derived(
    this.hosts.length > 0 && this.hosts.every((h) => h.status === 'up' && h.snapshot?.ready),
  );
  /** The backend in force: the config's, until an operator switches it. */
  backend = $state<Backend>('vxlan');
  /** A control's operation in progress (switching backend), shown in the header. */
  busy = $state<string | null>(null);

  /** Comlink proxies: outside $state, they must not be deep-proxied. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- deliberately not reactive
  private readonly apis = new Map<string, Comlink.Remote<HostWorkerApi>>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- handles, not state
  private readonly workers = new Map<string, Worker>();
  private kv: Comlink.Remote<KvWorkerApi> | null = null;
  /** The kernel, compiled once for every host of the tab (undefined: each worker compiles). */
  private kernel: Promise<WebAssembly.Module | undefined> = Promise.resolve(undefined);
  private timers: ReturnType<typeof setInterval>[] = [];
  private poll: ReturnType<typeof setTimeout> | null = null;
  private kvOpened: Promise<void> = Promise.resolve();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- handles, not state
  private readonly consoles = new Map<string, ScriptedConsole>();
  private startPromise: Promise<void> | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  private terminalHosts = new Set<string>();
  /** Pairs of this tab's hosts joined by a direct MessagePort ('node1|node2'). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  private readonly joined = new Set<string>();
  private disposed = false;

  constructor(readonly config: LabConfig & { labId: string }) {
    this.hosts = config.hosts.map((h) => newHostState(h));
    this.backend = config.backend;
    // Lab time starts at the wall clock (the UI may read it; the engine may not).
    this.clock = { labAtAnchor: Date.now(), sourceAtAnchor: realNow(), speed: 1 };
    this.labTime = labTimeAt(this.clock, realNow());
  }

  api(hostname: string): Comlink.Remote<HostWorkerApi> | undefined {
    return this.apis.get(hostname);
  }

  /** Boots the lab once; later calls return the same promise. */
  start(): Promise<void> {
    this.startPromise ??= this.boot();
    return this.startPromise;
  }

  /** Hosts whose terminal exists or is being created (the view creates one on first show). */
  setTerminalHosts(hostnames: string[]): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
    this.terminalHosts = new Set(hostnames);
  }

  /** Called by a host's terminal when it opens (and with null when it closes). */
  attachConsole(hostname: string, console: ScriptedConsole | null): void {
    if (console) this.consoles.set(hostname, console);
    else this.consoles.delete(hostname);
  }

  /**
   * Runs one shell line on a host and resolves to what it printed (stdout and stderr, in
   * order). When the host's terminal is open the line shows there as if typed.
   */
  async exec(hostname: string, line: string): Promise<string> {
    await this.start();
    const host = this.hosts.find((h) => h.config.hostname === hostname);
    if (!host) throw new Error(`no host named ${hostname}`);
    if (host.status !== 'up') throw new Error(`${hostname} is not running: ${host.error ?? ''}`);
    // A terminal that is opening is waited for; a host never shown runs the line headless.
    const expected = () => this.terminalHosts.has(hostname) && !this.consoles.has(hostname);
    for (let waited = 0; expected() && waited < CONSOLE_WAIT_MS; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const console = this.consoles.get(hostname);
    if (console) return console.runVisibly(line);
    let out = '';
    await this.apis.get(hostname)!.run(
      line,
      Comlink.proxy((_stream: string, text: string) => (out += text)),
      Comlink.proxy(saveFile),
    );
    host.shellNetns = await this.apis.get(hostname)!.shellNetns();
    return out;
  }

  /** A host's terminal reports the namespace its shell is in after each line. */
  setShellNetns(hostname: string, netns: string): void {
    const host = this.hosts.find((h) => h.config.hostname === hostname);
    if (host) host.shellNetns = netns;
  }

  /** Opens a shell in a pod's namespace in its host's terminal (`ip netns exec POD bash`). */
  async enterPod(hostname: string, pod: string): Promise<void> {
    const host = this.hosts.find((h) => h.config.hostname === hostname);
    if (!host || host.shellNetns === pod) return;
    // Leave another pod's shell first, as a person would.
    if (host.shellNetns !== '') await this.exec(hostname, 'exit');
    await this.exec(hostname, `ip netns exec ${pod} bash`);
  }

  /**
   * Starts a background `tcpdump -w` on an interface; a second call stops it and saves the
   * pcap on the user's machine. Resolves to the capture's state: true while running.
   */
  async toggleCapture(hostname: string, target: CaptureTarget): Promise<boolean> {
    const api = this.apis.get(hostname);
    const host = this.hosts.find((h) => h.config.hostname === hostname);
    if (!api || !host) return false;
    const key = `${target.netns ?? ''}/${target.ifname}`;
    if (host.captures.includes(key)) {
      host.captures = host.captures.filter((k) => k !== key);
      const file = await api.stopCapture(target);
      if (file) saveFile(`${hostname}-${file.name}`, file.bytes);
      return false;
    }
    await api.startCapture(target);
    host.captures = [...host.captures, key];
    return true;
  }

  /** Adds a host with the next name and underlay address; it boots and leases a subnet. */
  async addHost(): Promise<string> {
    await this.start();
    // The lab's etcd hands out the name: other tabs of the lab may run hosts too.
    const [name] = await this.kv!.claimHosts(this.config.labId, 1);
    const config = hostNamed(name);
    this.hosts.push(newHostState(config));
    await this.launch(config);
    return config.hostname;
  }

  /**
   * Removes a host: its worker ends (the VM is switched off). Its lease stays in etcd until it
   * expires, as with real flannel.
   */
  removeHost(hostname: string): void {
    const i = this.hosts.findIndex((h) => h.config.hostname === hostname);
    if (i < 0) return;
    this.workers.get(hostname)?.terminate();
    this.workers.delete(hostname);
    this.apis.delete(hostname);
    this.consoles.delete(hostname);
    this.hosts.splice(i, 1);
    for (const pair of [...this.joined]) {
      const [a, b] = pair.split('|');
      if (a !== hostname && b !== hostname) continue;
      this.joined.delete(pair);
      void this.apis.get(a === hostname ? b : a)?.disconnectPeer(hostname);
    }
  }

  /**
   * Joins two hosts of this tab with a MessagePort, asked for by the first frame one sends the
   * other. Hosts in another tab of the lab stay on the BroadcastChannels.
   */
  private joinPeers(from: string, to: string): void {
    const pair = [from, to].sort().join('|');
    const a = this.apis.get(from);
    const b = this.apis.get(to);
    if (!a || !b || this.joined.has(pair)) return;
    this.joined.add(pair);
    const { port1, port2 } = new MessageChannel();
    void a.connectPeer(to, Comlink.transfer(port1, [port1]));
    void b.connectPeer(from, Comlink.transfer(port2, [port2]));
  }

  /**
   * Switches the backend as an operator does: the new network config into etcd, then
   * `systemctl restart flanneld` on every host. flanneld keeps its lease and reprograms routes;
   * the old backend's devices stay behind, as they do on real hosts.
   */
  async switchBackend(backend: Backend): Promise<void> {
    const up = this.hosts.filter((h) => h.status === 'up').map((h) => h.config.hostname);
    if (up.length === 0 || backend === this.backend) return;
    this.busy = `switching to ${backend}`;
    try {
      const json = networkConfigJson({
        network: this.config.network,
        subnetLen: this.config.subnetLen,
        backend,
      });
      await this.exec(up[0], `etcdctl put /coreos.com/network/config '${json}'`);
      this.backend = backend;
      await Promise.all(up.map((h) => this.exec(h, 'systemctl restart flanneld')));
    } finally {
      this.busy = null;
    }
  }

  private async boot(): Promise<void> {
    const kvWorker = spawnWorker(WORKER_URLS.kv, 'etcd');
    this.workers.set('', kvWorker);
    const kv = Comlink.wrap<KvWorkerApi>(kvWorker);
    this.kv = kv;
    // The store restores itself from IndexedDB; lease expiry runs on the lab clock. A real
    // etcd (?etcd=) is used instead when given.
    this.kvOpened = this.config.etcd.length
      ? kv.openEtcd(
          this.config.labId,
          $state.snapshot(this.clock),
          this.config.etcd,
          location.origin,
        )
      : kv.open(this.config.labId, $state.snapshot(this.clock));
    // The kernel compiles and the workers load their script while etcd hands out the names.
    this.kernel = WebAssembly.compileStreaming(fetch(kernelUrl)).catch(() => undefined);
    const early = this.hosts.map(() => spawnWorker(WORKER_URLS.host, 'host'));
    if (!(await this.claimHostNames())) {
      for (const w of early) w.terminate();
      return;
    }
    // Snapshots: a $state proxy cannot be posted to a worker.
    await Promise.all(this.hosts.map((h, i) => this.launch($state.snapshot(h.config), early[i])));
    this.schedulePoll();
    this.timers.push(setInterval(() => (this.labTime = labTimeAt(this.clock, realNow())), 250));
  }

  /**
   * Takes this tab's host names from the lab's etcd, so a tab that joins a lab already open in
   * another tab adds hosts (node4.. after node1..3) instead of duplicating them.
   */
  private async claimHostNames(): Promise<boolean> {
    try {
      await this.kvOpened;
      const names = await this.kv!.claimHosts(this.config.labId, this.hosts.length);
      if (names.join() !== this.hosts.map((h) => h.config.hostname).join()) {
        const hosts = names.map(hostNamed);
        this.config.hosts.splice(0, this.config.hosts.length, ...hosts);
        this.hosts = hosts.map((h) => newHostState(h));
      }
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      for (const h of this.hosts) this.fail(h.config.hostname, message);
      return false;
    }
  }

  /** Starts one host's worker, connects it to etcd and boots it. */
  private async launch(host: HostConfig, spawned?: Worker): Promise<void> {
    const { labId } = this.config;
    const kv = this.kv!;
    try {
      const worker = spawned ?? spawnWorker(WORKER_URLS.host, host.hostname);
      this.workers.set(host.hostname, worker);
      if (this.disposed) worker.terminate();
      worker.addEventListener('error', (e) =>
        this.fail(host.hostname, e.message || 'worker error'),
      );
      const api = Comlink.wrap<HostWorkerApi>(worker);
      this.apis.set(host.hostname, api);
      const channel = new MessageChannel();
      await this.kvOpened;
      await kv.connect(labId, Comlink.transfer(channel.port1, [channel.port1]));
      const snapshot = await api.start(
        {
          labId,
          host,
          backend: this.backend,
          network: this.config.network,
          subnetLen: this.config.subnetLen,
          podsPerHost: this.config.podsPerHost,
          clock: $state.snapshot(this.clock),
          kernelModule: await this.kernel,
        },
        Comlink.transfer(channel.port2, [channel.port2]),
        Comlink.proxy((peer: string) => this.joinPeers(host.hostname, peer)),
      );
      const state = this.hosts.find((h) => h.config.hostname === host.hostname);
      if (!state) return; // removed while booting
      state.snapshot = snapshot;
      state.status = 'up';
      // The host says when its node has booted (no waiting for the next poll), so lab-ready
      // shows the moment the last subnet is leased.
      void api.booted().then(
        (booted) => {
          const current = this.hosts.find((h) => h.config.hostname === host.hostname);
          if (current && this.apis.get(host.hostname) === api) current.snapshot = booted;
        },
        () => {}, // a host removed while booting: its worker is gone
      );
    } catch (err) {
      this.fail(host.hostname, err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * Why the lab clock cannot be changed, or null: a real etcd expires leases on real time, so
   * a slower or stopped lab clock would let flanneld's leases lapse there, and a jump would
   * leave the lab and the cluster disagreeing about every lease's expiry.
   */
  get clockFixed(): string | null {
    return this.config.etcd.length
      ? 'The lab runs on a real etcd, whose leases expire on real time: the lab clock stays at 1×'
      : null;
  }

  setSpeed(speed: number): void {
    if (this.clockFixed) return;
    this.applyClock(withSpeed($state.snapshot(this.clock), speed, realNow()));
  }

  advance(ms: number): void {
    if (this.clockFixed) return;
    this.applyClock(withAdvance($state.snapshot(this.clock), ms, realNow()));
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.poll !== null) clearTimeout(this.poll);
    for (const w of this.workers.values()) w.terminate();
  }

  private applyClock(params: ClockParams): void {
    this.clock = params;
    this.labTime = labTimeAt(params, realNow());
    for (const api of this.apis.values()) void api.setClock(params);
    void this.kv?.setClock(params);
  }

  /** Polls the hosts' snapshots: every 250 ms while the page is visible, slower otherwise. */
  private schedulePoll(): void {
    if (this.disposed) return;
    // While the lab boots, hosts report their own boot (booted()): polling them fast would only
    // take CPU from the boot.
    const fast =
      this.ready &&
      (typeof document === 'undefined' || document.visibilityState === 'visible') &&
      this.hosts.length <= FAST_POLL_MAX_HOSTS;
    this.poll = setTimeout(
      () => void this.refresh().finally(() => this.schedulePoll()),
      fast ? SNAPSHOT_INTERVAL_MS : this.ready ? SNAPSHOT_IDLE_MS : SNAPSHOT_BOOTING_MS,
    );
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      this.hosts.map(async (h) => {
        const api = this.apis.get(h.config.hostname);
        if (h.status !== 'up' || !api) return;
        try {
          const next = await api.snapshot();
          h.traffic = linkTraffic(h.snapshot, next);
          h.snapshot = next;
        } catch {
          // A host busy starting or gone: keep its last snapshot.
        }
      }),
    );
  }

  private fail(hostname: string, message: string): void {
    const host = this.hosts.find((h) => h.config.hostname === hostname);
    if (!host) return;
    host.status = 'failed';
    host.error = message;
  }
}

function newHostState(config: HostConfig): HostState {
  return {
    config,
    status: 'starting',
    error: null,
    snapshot: null,
    traffic: {},
    shellNetns: '',
    captures: [],
  };
}
