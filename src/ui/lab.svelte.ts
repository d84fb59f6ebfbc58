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

export type HostStatus = 'starting' | 'up' | 'failed';

export interface HostState {
  config: HostConfig;
  status: HostStatus;
  error: string | null;
  snapshot: HostSnapshot | null;
}

const SNAPSHOT_INTERVAL_MS = 1000;

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
  private timers: ReturnType<typeof setInterval>[] = [];

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

  async start(): Promise<void> {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- Vite's worker URL, not state
    const kvWorker = new Worker(new URL('../workers/kv.worker.ts', import.meta.url), {
      type: 'module',
      name: 'etcd',
    });
    this.workers.push(kvWorker);
    const kv = Comlink.wrap<KvWorkerApi>(kvWorker);
    const { labId } = this.config;
    await Promise.all(
      this.config.hosts.map(async (host, i) => {
        try {
          // eslint-disable-next-line svelte/prefer-svelte-reactivity -- Vite's worker URL
          const worker = new Worker(new URL('../workers/host.worker.ts', import.meta.url), {
            type: 'module',
            name: host.hostname,
          });
          this.workers.push(worker);
          worker.addEventListener('error', (e) => this.fail(i, e.message || 'worker error'));
          const api = Comlink.wrap<HostWorkerApi>(worker);
          this.apis.set(host.hostname, api);
          const channel = new MessageChannel();
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
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const w of this.workers) w.terminate();
  }

  private applyClock(params: ClockParams): void {
    this.clock = params;
    this.labTime = labTimeAt(params, realNow());
    for (const api of this.apis.values()) void api.setClock(params);
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
