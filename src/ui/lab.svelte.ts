// The running lab, as the UI sees it: one host worker per host, the KV worker, the lab clock
// (the UI owns its params and sends every change to every worker) and the hosts' snapshots.

import * as Comlink from 'comlink';
import type { HostConfig, LabConfig } from '../engine/lab/params.ts';
import {
  labTimeAt,
  withAdvance,
  withSpeed,
  type ClockParams,
} from '../engine/lab/realtime-clock.ts';
import type { HostSnapshot, HostWorkerApi } from '../workers/host-api.ts';
import type { KvWorkerApi } from '../workers/kv.worker.ts';
import { spawnWorker, WORKER_URLS } from './spawn-worker.ts';

export type HostStatus = 'starting' | 'up' | 'failed';

export interface HostState {
  config: HostConfig;
  status: HostStatus;
  error: string | null;
  snapshot: HostSnapshot | null;
}

const SNAPSHOT_INTERVAL_MS = 1000;
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

  /** Comlink proxies: outside $state, they must not be deep-proxied. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- deliberately not reactive
  private readonly apis = new Map<string, Comlink.Remote<HostWorkerApi>>();
  private readonly workers: Worker[] = [];
  private kv: Comlink.Remote<KvWorkerApi> | null = null;
  private timers: ReturnType<typeof setInterval>[] = [];
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- handles, not state
  private readonly consoles = new Map<string, ScriptedConsole>();
  private startPromise: Promise<void> | null = null;
  private disposed = false;

  constructor(readonly config: LabConfig & { labId: string }) {
    this.hosts = config.hosts.map((h) => ({
      config: h,
      status: 'starting',
      error: null,
      snapshot: null,
    }));
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
    const i = this.hosts.findIndex((h) => h.config.hostname === hostname);
    if (i < 0) throw new Error(`no host named ${hostname}`);
    await this.start();
    const host = this.hosts[i];
    if (host.status !== 'up') throw new Error(`${hostname} is not running: ${host.error ?? ''}`);
    for (let waited = 0; !this.consoles.has(hostname) && waited < CONSOLE_WAIT_MS; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const console = this.consoles.get(hostname);
    if (console) return console.runVisibly(line);
    let out = '';
    await this.apis.get(hostname)!.run(
      line,
      Comlink.proxy((_stream: string, text: string) => (out += text)),
    );
    return out;
  }

  private async boot(): Promise<void> {
    const kvWorker = spawnWorker(WORKER_URLS.kv, 'etcd');
    this.workers.push(kvWorker);
    const kv = Comlink.wrap<KvWorkerApi>(kvWorker);
    this.kv = kv;
    const { labId } = this.config;
    // The store restores itself from IndexedDB; lease expiry runs on the lab clock.
    const kvOpened = kv.open(labId, $state.snapshot(this.clock));
    await Promise.all(
      this.config.hosts.map(async (host, i) => {
        try {
          const worker = spawnWorker(WORKER_URLS.host, host.hostname);
          this.workers.push(worker);
          if (this.disposed) worker.terminate();
          worker.addEventListener('error', (e) => this.fail(i, e.message || 'worker error'));
          const api = Comlink.wrap<HostWorkerApi>(worker);
          this.apis.set(host.hostname, api);
          const channel = new MessageChannel();
          await kvOpened;
          await kv.connect(labId, Comlink.transfer(channel.port1, [channel.port1]));
          const snapshot = await api.start(
            {
              labId,
              host,
              backend: this.config.backend,
              network: this.config.network,
              subnetLen: this.config.subnetLen,
              podsPerHost: this.config.podsPerHost,
              clock: $state.snapshot(this.clock),
            },
            Comlink.transfer(channel.port2, [channel.port2]),
          );
          this.hosts[i].snapshot = snapshot;
          this.hosts[i].status = 'up';
        } catch (err) {
          this.fail(i, err instanceof Error ? err.message : String(err));
        }
      }),
    );
    this.timers.push(setInterval(() => void this.refresh(), SNAPSHOT_INTERVAL_MS));
    this.timers.push(setInterval(() => (this.labTime = labTimeAt(this.clock, realNow())), 250));
  }

  setSpeed(speed: number): void {
    this.applyClock(withSpeed($state.snapshot(this.clock), speed, realNow()));
  }

  advance(ms: number): void {
    this.applyClock(withAdvance($state.snapshot(this.clock), ms, realNow()));
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const w of this.workers) w.terminate();
  }

  private applyClock(params: ClockParams): void {
    this.clock = params;
    this.labTime = labTimeAt(params, realNow());
    for (const api of this.apis.values()) void api.setClock(params);
    void this.kv?.setClock(params);
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      this.hosts.map(async (h) => {
        if (h.status !== 'up') return;
        try {
          h.snapshot = await this.apis.get(h.config.hostname)!.snapshot();
        } catch {
          // A host busy starting or gone: keep its last snapshot.
        }
      }),
    );
  }

  private fail(i: number, message: string): void {
    this.hosts[i].status = 'failed';
    this.hosts[i].error = message;
  }
}
