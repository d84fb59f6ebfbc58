// Watchers: each one replays history from its start revision, then gets every later commit
// that touches its range, one response per revision. Delivery happens on a microtask after
// the commit, so a callback never runs inside a write.

import type { StoredKv } from './key-index.ts';
import { inRange } from './key-range.ts';
import type { MvccStore } from './mvcc.ts';

export interface WatchEventData {
  type: 'PUT' | 'DELETE';
  kv: StoredKv;
  prevKv?: StoredKv;
}

export interface WatchDelivery {
  /** Revision of the store when the batch was built (replay) or of the batch's commit. */
  revision: number;
  events: WatchEventData[];
  canceled?: { compactRevision: number; reason: string };
}

interface WatchEntry {
  key: string;
  rangeEnd?: string;
  prevKv: boolean;
  /** First revision not delivered yet. */
  nextRev: number;
  replayed: boolean;
  deliver: (batch: WatchDelivery) => void;
}

export class WatchHub {
  private watchers = new Set<WatchEntry>();
  private scheduled = false;

  constructor(private readonly store: MvccStore) {
    store.onCommit(() => this.schedule());
  }

  /** Starts a watcher; startRevision 0 = from the next commit. Returns its cancel function. */
  watch(
    req: { key: string; rangeEnd?: string; startRevision?: number; prevKv?: boolean },
    deliver: (batch: WatchDelivery) => void,
  ): () => void {
    const start = req.startRevision && req.startRevision > 0 ? req.startRevision : 0;
    const entry: WatchEntry = {
      key: req.key,
      rangeEnd: req.rangeEnd,
      prevKv: !!req.prevKv,
      nextRev: start || this.store.currentRev + 1,
      replayed: start === 0,
      deliver,
    };
    this.watchers.add(entry);
    this.schedule();
    return () => this.watchers.delete(entry);
  }

  /** Whether some watcher would hear of a change to `key`. */
  watched(key: string): boolean {
    for (const w of this.watchers) if (inRange(key, w.key, w.rangeEnd)) return true;
    return false;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const w of [...this.watchers]) this.pump(w);
    });
  }

  private pump(w: WatchEntry): void {
    if (!this.watchers.has(w)) return;
    const current = this.store.currentRev;
    if (w.nextRev < this.store.compactRev) {
      // etcd cancels a watcher whose start revision was compacted away.
      this.watchers.delete(w);
      w.deliver({
        revision: current,
        events: [],
        canceled: {
          compactRevision: this.store.compactRev,
          reason: 'etcdserver: mvcc: required revision has been compacted',
        },
      });
      return;
    }
    const events = this.store
      .historySince(w.nextRev)
      .filter((kv) => kv.modRevision <= current && inRange(kv.key, w.key, w.rangeEnd))
      .map((kv) => this.toEvent(kv, w.prevKv));
    w.nextRev = current + 1;
    if (!w.replayed) {
      // The history replay arrives as one batch, as etcd's unsynced-watcher catch-up does.
      w.replayed = true;
      if (events.length > 0) w.deliver({ revision: current, events });
      return;
    }
    let batch: WatchEventData[] = [];
    for (let i = 0; i < events.length; i++) {
      batch.push(events[i]);
      const rev = events[i].kv.modRevision;
      if (i + 1 === events.length || events[i + 1].kv.modRevision !== rev) {
        w.deliver({ revision: rev, events: batch });
        batch = [];
      }
    }
  }

  private toEvent(kv: StoredKv, withPrev: boolean): WatchEventData {
    const event: WatchEventData = { type: kv.tombstone ? 'DELETE' : 'PUT', kv };
    if (withPrev) {
      const prev = this.store.get(kv.key, kv.modRevision - 1);
      if (prev) event.prevKv = prev;
    }
    return event;
  }
}
