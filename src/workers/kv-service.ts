// The lab's etcd, as the KV worker runs it: one KvServer for one lab, on the lab clock (so
// lease expiry follows the UI's speed and fast-forward), persisted in the lab's storage, and
// served to each host over its own MessagePort.
// Kept free of `self` so Node tests can drive it directly.

import { createKvClient } from '../engine/kv/client.ts';
import { KvServer } from '../engine/kv/server.ts';
import type { KvStorage } from '../engine/kv/storage.ts';
import { RealtimeClock, type ClockParams, type Scheduler } from '../engine/lab/realtime-clock.ts';
import { serveKvPort } from './kv-remote.ts';

export interface KvServiceDeps {
  /** Absolute real time in ms (performance.timeOrigin + performance.now() in a worker). */
  source: () => number;
  schedule: Scheduler;
  storage: (labId: string) => KvStorage;
  /** Told when the stored KV cannot be read and the lab runs on an unsaved store instead. */
  warn?: (message: string) => void;
}

export class KvService {
  private labId: string | null = null;
  private clock: RealtimeClock | null = null;
  private server: Promise<KvServer> | null = null;

  constructor(private readonly deps: KvServiceDeps) {}

  /** Opens lab `labId`'s store on the lab clock `clock`; opening it again is a no-op. */
  async open(labId: string, clock: ClockParams): Promise<void> {
    if (this.server) {
      this.checkLab(labId);
      await this.server;
      return;
    }
    this.labId = labId;
    this.server = this.openServer(labId, clock);
    await this.server;
  }

  /** Serves the store on `port` (one port per host worker). */
  async connect(labId: string, port: MessagePort): Promise<void> {
    if (!this.server) throw new Error('the KV store is not open');
    this.checkLab(labId);
    serveKvPort(createKvClient(await this.server), port);
  }

  /** Adopts the UI's new clock params: leases due by the new lab time expire now. */
  setClock(params: ClockParams): void {
    this.clock?.setParams(params);
  }

  /** Resolves once everything committed so far is in storage. */
  async flush(): Promise<void> {
    await (await this.server)?.flush();
  }

  private async openServer(labId: string, params: ClockParams): Promise<KvServer> {
    this.clock = new RealtimeClock(params, this.deps.source, this.deps.schedule);
    try {
      return await KvServer.open({ clock: this.clock, storage: this.deps.storage(labId) });
    } catch (err) {
      // Without storage the lab still works, and what is stored is left untouched for later.
      // A fresh clock drops any lease timer a half-done restore left behind.
      const reason = err instanceof Error ? err.message : String(err);
      this.deps.warn?.(`etcd: cannot read the stored data (${reason}); changes will not be saved`);
      const latest = this.clock.getParams();
      this.clock.dispose();
      this.clock = new RealtimeClock(latest, this.deps.source, this.deps.schedule);
      return KvServer.open({ clock: this.clock });
    }
  }

  private checkLab(labId: string): void {
    if (labId !== this.labId) {
      throw new Error(`this KV worker serves lab ${this.labId}, not ${labId}`);
    }
  }
}
