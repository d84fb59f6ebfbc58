// The hosts' snapshots, polled: fast while someone watches (frames flash along links), slowly
// otherwise, and slowly while the lab boots (each host reports its own boot, and a snapshot of
// a cold host costs milliseconds of the boot's CPU).

import type * as Comlink from 'comlink';
import type { HostWorkerApi } from '../workers/host-api.ts';
import type { HostState } from './host-state.svelte.ts';
import { linkTraffic } from './traffic.ts';

const SNAPSHOT_INTERVAL_MS = 250;
const SNAPSHOT_IDLE_MS = 1000;
const SNAPSHOT_BOOTING_MS = 3000;
/** Above this many hosts, fast polling costs more than the flashes are worth. */
const FAST_POLL_MAX_HOSTS = 24;

export interface SnapshotPollDeps {
  hosts: () => HostState[];
  api: (hostname: string) => Comlink.Remote<HostWorkerApi> | undefined;
}

export class SnapshotPoll {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(private readonly deps: SnapshotPollDeps) {}

  /** Some node has not finished booting. */
  booting(): boolean {
    return this.deps.hosts().some((h) => !h.booted && h.status !== 'failed' && h.status !== 'off');
  }

  /** Plans the next poll: in `delayMs` when told (instead of the one already planned). */
  schedule(delayMs?: number): void {
    if (this.disposed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    const booting = this.booting();
    const fast =
      !booting &&
      (typeof document === 'undefined' || document.visibilityState === 'visible') &&
      this.deps.hosts().length <= FAST_POLL_MAX_HOSTS;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        // A poll planned meanwhile (schedule(0)) carries on instead of this one.
        void this.refresh().finally(() => {
          if (this.timer === null) this.schedule();
        });
      },
      delayMs ?? (fast ? SNAPSHOT_INTERVAL_MS : booting ? SNAPSHOT_BOOTING_MS : SNAPSHOT_IDLE_MS),
    );
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      this.deps.hosts().map(async (h) => {
        const api = this.deps.api(h.config.hostname);
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
}
