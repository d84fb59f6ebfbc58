// The running lab, as the UI sees it: one host worker per host and the KV worker, booted,
// added and removed here; the hosts' state and health. The clock (lab-clock.svelte.ts), the
// direct wires between hosts (peer-ports.ts), snapshot polling (snapshot-poll.ts) and
// captures (captures.ts) live in modules of their own.

import * as Comlink from 'comlink';
import { networkConfigJson } from '../engine/lab/node-setup.ts';
import type { Backend, HostConfig, LabConfig } from '../engine/lab/params.ts';
import type { ClockParams } from '../engine/os/realtime-clock.ts';
import type { SteppedWorker } from '../workers/clock-steps.ts';
import type { CaptureTarget, HostWorkerApi } from '../workers/host-api.ts';
import { hostNamed } from '../workers/kv-host-claims.ts';
import { randomHex } from '../workers/random-hex.ts';
import type { KvWorkerApi } from '../workers/kv.worker.ts';
import type { EtcdHealth } from '../workers/etcd-health.ts';
import kernelUrl from '../engine/kernel/build/kernel.wasm?url';
import { toggleCapture } from './captures.ts';
import { LabJourney } from './journey.svelte.ts';
import { HostState } from './host-state.svelte.ts';
import { LabClockControl } from './lab-clock.svelte.ts';
import { hostHealth, type Health } from './lab-health.ts';
import { loadShellHistory, saveShellHistory } from './lab-storage.ts';
import { PeerPorts } from './peer-ports.ts';
import type { RemoteHost, RemoteWire } from './remote-wire.ts';
import { saveFile } from './save-file.ts';
import { SnapshotPoll } from './snapshot-poll.ts';
import { spawnWorker, WORKER_URLS } from './spawn-worker.ts';

export { HostState } from './host-state.svelte.ts';

/** How long `exec` waits for a host's terminal to appear before running without it. */
const CONSOLE_WAIT_MS = 1000;
/** How often the header asks after a real etcd's members. */
const ETCD_HEALTH_EVERY_MS = 3000;

/** A host's terminal, when it exists: runs a line visibly, as if typed, and returns its output. */
export interface ScriptedConsole {
  runVisibly(line: string): Promise<string>;
}

export class Lab {
  /** An array of HostState objects: reactive per field, snapshots not deep-proxied. */
  hosts = $state<HostState[]>([]);
  /** Each host's health as its last snapshot shows it, in `hosts` order. */
  health = $derived(this.hosts.map((h) => hostHealth(h, this.hosts)));
  /**
   * Every host is up, has written subnet.env, runs flanneld and routes to every other host's
   * subnet (the DOM's lab-ready).
   */
  ready = $derived(
    this.hosts.length > 0 &&
      this.hosts.every((h) => h.status === 'up' && h.snapshot?.ready) &&
      this.health.every((h) => h.level === 'ok'),
  );
  /** What is wrong once the lab has booted, for the header ('node2: flanneld stopped'). */
  trouble = $derived.by(() => {
    const down = this.hosts
      .flatMap((h, i) =>
        this.health[i].level === 'down' ? [`${h.config.hostname}: ${this.health[i].text}`] : [],
      )
      // A host that lost its routes usually follows from another one's trouble: that first.
      .sort((a, b) => Number(a.includes('no route to')) - Number(b.includes('no route to')));
    if (down.length === 0) return null;
    return down.length === 1 ? down[0] : `${down[0]} (and ${down.length - 1} more)`;
  });
  /** How the real etcd is doing (a lab on ?etcd=; null otherwise), for the header. */
  etcd = $state<EtcdHealth | null>(null);
  /** Hosts other browsers run in this lab (a lab on a real etcd), reached over WebRTC. */
  remoteHosts = $state<RemoteHost[]>([]);
  /** The backend in force: the config's, until an operator switches it. */
  backend = $state<Backend>('vxlan');
  /** The "etcd unreachable" fault: false while this tab's hosts are cut off the store. */
  kvReachable = $state(true);
  /** A control's operation in progress (switching backend), shown in the header. */
  private operation = $state<string | null>(null);

  /** Comlink proxies: outside $state, they must not be deep-proxied. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- deliberately not reactive
  private readonly apis = new Map<string, Comlink.Remote<HostWorkerApi>>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- handles, not state
  private readonly workers = new Map<string, Worker>();
  private kv: Comlink.Remote<KvWorkerApi> | null = null;
  /** The kernel, compiled once for every host of the tab (undefined: each worker compiles). */
  private kernel: Promise<WebAssembly.Module | undefined> = Promise.resolve(undefined);
  private kvOpened: Promise<void> = Promise.resolve();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- handles, not state
  private readonly consoles = new Map<string, ScriptedConsole>();
  private startPromise: Promise<void> | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  private terminalHosts = new Set<string>();
  private disposed = false;
  private readonly peers = new PeerPorts((hostname) => this.apis.get(hostname));
  /** The wire to other browsers' hosts, on a real etcd. */
  private remote: Promise<RemoteWire | null> = Promise.resolve(null);
  private readonly poll = new SnapshotPoll({
    hosts: () => this.hosts,
    api: (hostname) => this.apis.get(hostname),
  });
  /** The lab clock: its params go to every worker; fast-forwards step them all together. */
  readonly time = new LabClockControl({
    workers: () => this.clockedWorkers(),
    broadcast: (params) => this.broadcastClock(params),
  });

  constructor(readonly config: LabConfig & { labId: string }) {
    this.hosts = config.hosts.map((h) => new HostState(h));
    this.backend = config.backend;
  }

  /** What the header says the lab is busy with, if anything. */
  get busy(): string | null {
    return this.time.advancing ? 'advancing the clock' : this.operation;
  }

  /** The clock params in force (the header's speed). */
  get clock(): ClockParams {
    return this.time.params;
  }

  /** Lab time for the header. */
  get labTime(): number {
    return this.time.labTime;
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
    this.time.setSpeed(speed);
  }

  /** Fast-forwards the lab clock by `ms` (see lab-clock.svelte.ts). */
  async advance(ms: number): Promise<void> {
    if (this.clockFixed) return;
    return this.time.advance(ms);
  }

  /** A host's health (see lab-health.ts). */
  healthOf(hostname: string): Health {
    const i = this.hosts.findIndex((h) => h.config.hostname === hostname);
    return i < 0 ? { level: 'booting', text: 'booting' } : this.health[i];
  }

  /** The packet journey recorder of every host (Trace, `trace`). */
  readonly journey = new LabJourney({
    running: () =>
      this.hosts
        .filter((h) => h.status === 'up' && this.apis.has(h.config.hostname))
        .map((h) => ({ hostname: h.config.hostname, api: this.apis.get(h.config.hostname)! })),
    backend: () => this.backend,
  });

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
      0,
      Comlink.proxy(this.journey.control),
    );
    host.shellNetns = await this.apis.get(hostname)!.shellNetns();
    const history = await this.apis.get(hostname)!.history();
    saveShellHistory(localStorage, this.config.labId, hostname, history);
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
    return toggleCapture(api, host, target);
  }

  /**
   * Powers a host off: its worker stops (kernel, flanneld, shell: all gone, as a VM switched
   * off). Nothing is revoked: its lease stays in etcd until its TTL, the other hosts keep their
   * routes and let their neighbour entries for it age. `powerOn` boots it again.
   */
  async powerOff(hostname: string): Promise<void> {
    if (this.time.advancing) {
      await this.time.idle();
      return this.powerOff(hostname);
    }
    const host = this.hosts.find((h) => h.config.hostname === hostname);
    if (!host || host.status !== 'up') return;
    this.workers.get(hostname)?.terminate();
    this.workers.delete(hostname);
    this.apis.delete(hostname);
    this.consoles.delete(hostname);
    this.peers.drop(hostname);
    Object.assign(host, { status: 'off', snapshot: null, booted: false, captures: [] });
    host.traffic = {};
    host.shellNetns = '';
  }

  /** Boots a powered-off host: a fresh worker, a node boot as on the first day (its flanneld
   * finds its lease by PublicIP in etcd if it has not expired, as real flannel does). */
  async powerOn(hostname: string): Promise<void> {
    const host = this.hosts.find((h) => h.config.hostname === hostname);
    if (!host || host.status !== 'off') return;
    host.status = 'starting';
    await this.launch($state.snapshot(host.config));
  }

  /** Makes etcd unreachable from the hosts, or reachable again (the lab API for the fault). */
  async setKvReachable(reachable: boolean): Promise<void> {
    await this.start();
    await this.kv?.setReachable(reachable);
    this.kvReachable = reachable;
  }

  /** Cuts or restores a host's cable: its NIC loses or regains carrier (NO-CARRIER). */
  async setCable(hostname: string, plugged: boolean): Promise<void> {
    const api = this.apis.get(hostname);
    if (!api) return;
    await api.setCable(plugged);
    this.poll.schedule(0);
  }

  /** Adds a host with the next name and underlay address; it boots and leases a subnet. */
  async addHost(): Promise<string> {
    await this.start();
    // The lab's etcd hands out the name: other tabs of the lab may run hosts too.
    const [name] = await this.kv!.claimHosts(this.config.labId, 1);
    const config = hostNamed(name);
    this.hosts.push(new HostState(config));
    await this.launch(config);
    return config.hostname;
  }

  /**
   * Removes a host: its worker ends (the VM is switched off), then its lease is revoked, as
   * when a node leaves the cluster; the other hosts' flanneld remove their routes to it.
   */
  async removeHost(hostname: string): Promise<void> {
    if (this.time.advancing) {
      // A fast-forward waits for every worker at each step: let it finish first.
      await this.time.idle();
      return this.removeHost(hostname);
    }
    const i = this.hosts.findIndex((h) => h.config.hostname === hostname);
    if (i < 0) return;
    this.workers.get(hostname)?.terminate();
    this.workers.delete(hostname);
    this.apis.delete(hostname);
    this.consoles.delete(hostname);
    this.hosts.splice(i, 1);
    this.peers.drop(hostname);
    (await this.remote)?.detach(hostname);
    await this.kv?.removeHost(this.config.labId, hostname);
  }

  /**
   * Switches the backend as an operator does: the new network config into etcd, then
   * `systemctl restart flanneld` on every host. flanneld keeps its lease and, on start, deletes
   * what the old backend left (flannel.1, host-gw's routes; real flannel leaves them), so each
   * host ends as a fresh host of the new backend; pods keep the MTU they were created with.
   */
  async switchBackend(backend: Backend): Promise<void> {
    const up = this.hosts.filter((h) => h.status === 'up').map((h) => h.config.hostname);
    if (up.length === 0 || backend === this.backend) return;
    this.operation = `switching to ${backend}`;
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
      this.operation = null;
    }
  }

  private async boot(): Promise<void> {
    const kvWorker = spawnWorker(WORKER_URLS.kv, 'etcd');
    this.workers.set('', kvWorker);
    const kv = Comlink.wrap<KvWorkerApi>(kvWorker);
    this.kv = kv;
    // The store restores itself from IndexedDB; lease expiry runs on the lab clock. A real
    // etcd (?etcd=) is used instead when given: other browsers may run hosts of the lab too.
    this.kvOpened = this.config.etcd.length
      ? this.openEtcd(kv)
      : kv.open(this.config.labId, this.time.params);
    // The kernel compiles and the workers load their script while etcd hands out the names.
    this.kernel = WebAssembly.compileStreaming(fetch(kernelUrl)).catch(() => undefined);
    const early = this.hosts.map(() => spawnWorker(WORKER_URLS.host, 'host'));
    // A scenario's hosts are the article's, by name: they are not handed out by the lab's etcd.
    if (!this.config.scenario && !(await this.claimHostNames())) {
      for (const w of early) w.terminate();
      return;
    }
    // Snapshots: a $state proxy cannot be posted to a worker.
    await Promise.all(this.hosts.map((h, i) => this.launch($state.snapshot(h.config), early[i])));
    this.poll.schedule();
    this.time.startTicking();
  }

  /**
   * Opens the lab on a real etcd under a tab id of its own, and starts the wire to the hosts
   * of other browsers' tabs.
   */
  private async openEtcd(kv: Comlink.Remote<KvWorkerApi>): Promise<void> {
    const { labId } = this.config;
    const tabId = randomHex(16);
    await kv.openEtcd(labId, this.time.params, this.config.etcd, location.origin, tabId);
    this.watchEtcd(kv);
    this.remote = (async () => {
      const { port1, port2 } = new MessageChannel();
      await kv.connect(labId, Comlink.transfer(port1, [port1]));
      const { browserRemoteWire } = await import('./remote-wire-browser.ts');
      const wire = browserRemoteWire({
        labId,
        tabId,
        kvPort: port2,
        connectHost: (hostname, port) =>
          void this.apis.get(hostname)?.connectRemote(Comlink.transfer(port, [port])),
        onChange: (hosts) => (this.remoteHosts = hosts),
      });
      if (this.disposed) wire.close();
      else void wire.open().catch((err: unknown) => console.warn(`WebRTC: ${String(err)}`));
      return wire;
    })();
  }

  /** Asks how the real etcd is doing every few seconds, for as long as the lab runs. */
  private watchEtcd(kv: Comlink.Remote<KvWorkerApi>): void {
    const ask = async () => {
      if (this.disposed) return;
      this.etcd = await kv.etcdHealth().catch(() => this.etcd);
      setTimeout(() => void ask(), ETCD_HEALTH_EVERY_MS);
    };
    void ask();
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
        this.hosts = hosts.map((h) => new HostState(h));
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
      // A host boots on the lab's clock as it runs, not in the middle of a fast-forward.
      await this.time.idle();
      await kv.connect(labId, Comlink.transfer(channel.port1, [channel.port1]));
      const snapshot = await api.start(
        {
          labId,
          host,
          backend: this.backend,
          network: this.config.network,
          subnetLen: this.config.subnetLen,
          podsPerHost: this.config.podsPerHost,
          scenario: this.config.scenario,
          clock: this.time.params,
          kernelModule: await this.kernel,
          history: loadShellHistory(localStorage, labId, host.hostname),
        },
        Comlink.transfer(channel.port2, [channel.port2]),
        Comlink.proxy((peer: string) => this.peers.join(host.hostname, peer)),
      );
      const state = this.hosts.find((h) => h.config.hostname === host.hostname);
      if (!state) return; // removed while booting
      state.snapshot = snapshot;
      state.status = 'up';
      (await this.remote)?.attach(host.hostname);
      // The host says when its node has booted (no waiting for the next poll), so lab-ready
      // shows the moment the last subnet is leased.
      void api.booted().then(
        (booted) => {
          const current = this.hosts.find((h) => h.config.hostname === host.hostname);
          if (!current || this.apis.get(host.hostname) !== api) return;
          current.snapshot = booted;
          current.booted = true;
          // The last node's lease reaches the others' routes now: look at once, then fast.
          if (!this.poll.booting()) this.poll.schedule(0);
        },
        () => {}, // a host removed while booting: its worker is gone
      );
    } catch (err) {
      this.fail(host.hostname, err instanceof Error ? err.message : String(err));
    }
  }

  dispose(): void {
    this.disposed = true;
    void this.remote.then((wire) => wire?.close());
    this.time.dispose();
    this.poll.dispose();
    for (const w of this.workers.values()) w.terminate();
  }

  /** Workers whose clock a fast-forward steps: the KV and the hosts that have started. */
  private clockedWorkers(): SteppedWorker[] {
    const hosts = this.hosts.filter((h) => h.status === 'up');
    return [
      ...(this.kv ? [this.kv] : []),
      ...hosts.flatMap((h) => this.apis.get(h.config.hostname) ?? []),
    ];
  }

  private broadcastClock(params: ClockParams): void {
    for (const api of this.apis.values()) void api.setClock(params);
    void this.kv?.setClock(params);
  }

  private fail(hostname: string, message: string): void {
    const host = this.hosts.find((h) => h.config.hostname === hostname);
    if (!host) return;
    host.status = 'failed';
    host.error = message;
  }
}
