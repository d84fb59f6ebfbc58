// The lab's etcd, as the KV worker runs it: one KvServer for one lab, on the lab clock (so
// lease expiry follows the UI's speed and fast-forward), persisted in the lab's storage, and
// served to each host over its own MessagePort.
//
// Several tabs may open the same lab. Given a lock (Web Locks in the browser), the KV workers
// of those tabs compete for the lab's lock: the holder (the leader) opens the store and serves
// it on the lab's BroadcastChannel; every tab's hosts reach it through a ChannelKvClient (the
// leader's own hosts too, so a change of leader is handled in one place). When the leader's
// tab closes, its lock passes on and the next leader loads the store the old one saved.
// Kept free of `self` so Node tests can drive it directly.

import { createKvClient } from '../engine/kv/client.ts';
import { KvServer } from '../engine/kv/server.ts';
import type { KvStorage } from '../engine/kv/storage.ts';
import type { KvClient } from '../engine/kv/types.ts';
import { scopedClock } from '../engine/os/clock.ts';
import { RealtimeClock, type ClockParams, type Scheduler } from '../engine/os/realtime-clock.ts';
import type { QuietReport } from './clock-steps.ts';
import { ChannelKvClient, serveKvChannel, type BusChannel } from './kv-channel.ts';
import { HostClaims, hostNamed } from './kv-host-claims.ts';
import { revokeNodeLeases } from '../engine/lab/node-setup.ts';
import { serveKvPort } from './kv-remote.ts';
import { KvReach } from './kv-reach.ts';

/** Runs `hold` while holding the lock `name` (navigator.locks.request's shape). */
export type LockFn = (name: string, hold: () => Promise<void>) => Promise<unknown>;

export interface KvServiceDeps {
  /** Absolute real time in ms (performance.timeOrigin + performance.now() in a worker). */
  source: () => number;
  schedule: Scheduler;
  storage: (labId: string) => KvStorage;
  /** Told when the stored KV cannot be read and the lab runs on an unsaved store instead. */
  warn?: (message: string) => void;
  /** Shares the lab across tabs; absent, this worker's store is the lab's only one. */
  tabs?: {
    lock: LockFn;
    /** Names of the locks held right now (navigator.locks.query()'s `held`). */
    heldLocks: () => Promise<string[]>;
    channel: (name: string) => BusChannel;
    /** A fresh id for this worker (crypto.randomUUID()). */
    newId: () => string;
  };
}

export const labLockName = (labId: string) => `flannel-playground/${labId}/kv`;
export const labChannelName = (labId: string) => `flannel-playground/${labId}/kv`;
export const tabLockName = (labId: string, tabId: string) =>
  `flannel-playground/${labId}/tab/${tabId}`;

export class KvService {
  private labId: string | null = null;
  /** The tab's lab clock: lease expiry and the host claims' keep-alives. */
  private clock: RealtimeClock | null = null;
  /** KV calls from this tab's hosts and claims: answered so far, and still being answered. */
  private calls = { handled: 0, running: 0 };
  /** The lab's "etcd unreachable" fault, between this tab's hosts and the store. */
  private readonly reach = new KvReach();
  /** Messages from hosts and tabs that were not the KV protocol's (see engine/kv/wire-check.ts). */
  private droppedHere = 0;
  private readonly onDrop = () => void this.droppedHere++;
  private channelClient: ChannelKvClient | null = null;
  private server: Promise<KvServer> | null = null;
  private client: KvClient | null = null;
  /** The store itself, once this worker leads: its own tab's hosts skip the channel. */
  private direct: KvClient | null = null;
  private opened: Promise<void> | null = null;
  private tabId = 'local';
  private claims: HostClaims | null = null;
  private readonly closers: Array<() => void> = [];
  private closed = false;
  /** A real etcd (openRemote): no store here, no tabs to coordinate with. */
  private remote = false;

  constructor(private readonly deps: KvServiceDeps) {}

  /** Opens lab `labId`'s store on the lab clock `clock`; opening it again is a no-op. */
  async open(labId: string, clock: ClockParams): Promise<void> {
    if (this.opened) {
      this.checkLab(labId);
      return this.opened;
    }
    this.labId = labId;
    this.clock = new RealtimeClock(clock, this.deps.source, this.deps.schedule);
    this.opened = this.deps.tabs ? this.joinLab(labId) : this.openAlone(labId);
    return this.opened;
  }

  /**
   * Uses a real etcd cluster instead of a store of its own: every tab (on any machine) talks
   * to it directly, so there is no leader among tabs, and a claim from a tab elsewhere can
   * only lapse with its lease (its presence lock cannot be seen from here).
   */
  async openRemote(
    labId: string,
    clock: ClockParams,
    client: Promise<KvClient>,
    /** Names this tab in its host claims, unique across the classroom's browsers. */
    tabId: string,
  ): Promise<void> {
    if (this.opened) {
      this.checkLab(labId);
      return this.opened;
    }
    this.labId = labId;
    this.clock = new RealtimeClock(clock, this.deps.source, this.deps.schedule);
    this.remote = true;
    this.tabId = tabId;
    this.opened = client.then((c) => void (this.client = c));
    return this.opened;
  }

  /** Makes etcd unreachable from this tab's hosts (false) or reachable again (true). */
  setReachable(reachable: boolean): void {
    this.reach.set(reachable);
  }

  /** Serves the store on `port` (one port per host worker). */
  async connect(labId: string, port: MessagePort): Promise<void> {
    if (!this.opened) throw new Error('the KV store is not open');
    this.checkLab(labId);
    await this.opened;
    serveKvPort(this.hostClient(), port, this.onDrop);
  }

  /**
   * What a host of this tab talks to: the store directly while this worker leads (it leads
   * until its tab closes, and its hosts close with it), the lab's channel before that.
   */
  private hostClient(): KvClient {
    const pick = (): KvClient => this.direct ?? this.client!;
    // Counted, so a fast-forward knows when the calls its step set off have been answered.
    const counted = async <T>(call: () => Promise<T>): Promise<T> => {
      this.calls.running++;
      try {
        return await call();
      } finally {
        this.calls.running--;
        this.calls.handled++;
      }
    };
    return this.reach.through(pick, counted);
  }

  /**
   * Claims `count` host names for this tab (node1.. for the first tab of a lab, the next free
   * ones for a tab that joins it) and keeps them while the tab runs.
   */
  async claimHosts(labId: string, count: number): Promise<string[]> {
    if (!this.opened) throw new Error('the KV store is not open');
    this.checkLab(labId);
    await this.opened;
    const tabs = this.deps.tabs;
    this.claims ??= new HostClaims({
      kv: this.hostClient(),
      clock: this.clock!,
      tabId: this.tabId,
      tabAlive:
        tabs && !this.remote
          ? async (id) => (await tabs.heldLocks()).includes(tabLockName(labId, id))
          : undefined,
      warn: this.deps.warn,
    });
    return this.claims.claim(count);
  }

  /**
   * A host of this tab left the lab for good: its subnet leases are revoked (the other
   * hosts' flanneld then remove their routes to it). Its name stays claimed.
   */
  async removeHost(labId: string, name: string): Promise<string[]> {
    if (!this.opened) throw new Error('the KV store is not open');
    this.checkLab(labId);
    await this.opened;
    return revokeNodeLeases(this.hostClient(), hostNamed(name).eth0);
  }

  /** Adopts the UI's new clock params: leases due by the new lab time expire now. */
  setClock(params: ClockParams): void {
    this.clock?.setParams(params);
  }

  /** A fast-forward's view of the store (see clock-steps.ts). */
  clockDeadline(): number {
    return this.clock?.nextDeadline() ?? Infinity;
  }

  async clockStepTo(t: number): Promise<void> {
    await this.clock?.stepTo(t);
  }

  clockQuiet(): QuietReport {
    return {
      busy: (this.clock?.due() ?? false) || this.calls.running > 0,
      activity: this.calls.handled,
    };
  }

  /** Resolves once everything committed so far (by this worker as leader) is in storage. */
  async flush(): Promise<void> {
    await (await this.server)?.flush();
  }

  /** Malformed messages dropped so far: from this tab's hosts, and on the lab's channel. */
  get droppedMessages(): number {
    return this.droppedHere + (this.channelClient?.dropped ?? 0);
  }

  /** Whether this worker holds the lab's store (the leader). */
  get leading(): boolean {
    return this.server !== null;
  }

  /** Leaves the lab as a closing tab does: locks released, claims dropped, timers stopped. */
  close(): void {
    this.closed = true;
    this.claims?.dispose();
    for (const close of this.closers.splice(0).reverse()) close();
    this.clock?.dispose();
  }

  private async openAlone(labId: string): Promise<void> {
    this.server = this.openServer(labId);
    this.client = createKvClient(await this.server);
  }

  private async joinLab(labId: string): Promise<void> {
    const tabs = this.deps.tabs!;
    this.tabId = tabs.newId();
    const client = new ChannelKvClient(tabs.channel(labChannelName(labId)), tabs.newId());
    this.client = client;
    this.channelClient = client;
    this.closers.push(() => client.close());
    // Held for the worker's life: other tabs see this tab's claims as live.
    let releaseAll!: () => void;
    const closed = new Promise<void>((resolve) => (releaseAll = resolve));
    this.closers.push(releaseAll);
    await new Promise<void>((granted) => {
      void tabs.lock(tabLockName(labId, this.tabId), () => {
        granted();
        return closed;
      });
    });
    void tabs.lock(labLockName(labId), () => this.lead(labId, closed));
  }

  /** This worker won the lab's lock: open the store and serve it until the worker closes. */
  private async lead(labId: string, closed: Promise<void>): Promise<void> {
    const tabs = this.deps.tabs!;
    this.server = this.openServer(labId);
    const server = await this.server;
    if (this.closed) return; // the lock came as the tab was closing
    const channel = tabs.channel(labChannelName(labId));
    this.direct = createKvClient(server);
    const stop = serveKvChannel(
      this.direct,
      channel,
      tabs.newId(),
      () => server.header().revision,
      this.onDrop,
    );
    this.closers.push(() => {
      stop();
      channel.close();
    });
    await closed;
  }

  private async openServer(labId: string): Promise<KvServer> {
    const restoring = scopedClock(this.clock!);
    try {
      return await KvServer.open({ clock: restoring, storage: this.deps.storage(labId) });
    } catch (err) {
      // Without storage the lab still works, and what is stored is left untouched for later.
      // Any lease timer a half-done restore left behind is dropped.
      const reason = err instanceof Error ? err.message : String(err);
      this.deps.warn?.(`etcd: cannot read the stored data (${reason}); changes will not be saved`);
      restoring.dispose();
      return KvServer.open({ clock: scopedClock(this.clock!) });
    }
  }

  private checkLab(labId: string): void {
    if (labId !== this.labId) {
      throw new Error(`this KV worker serves lab ${this.labId}, not ${labId}`);
    }
  }
}
