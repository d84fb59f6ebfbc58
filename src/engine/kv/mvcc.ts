// The multi-version store: every committed write transaction gets the next main revision and
// each change inside it the next sub revision (etcd's {main, sub}). Old versions stay readable
// until compaction; deletions are tombstone records.

import { errCompacted, errFutureRev } from './errors.ts';
import { KeyIndex, type StoredKv } from './key-index.ts';
import { inRange } from './key-range.ts';

export interface RangeOptions {
  /** Main revision to read at; 0 or absent = the current one. */
  rev?: number;
  limit?: number;
}

export interface RangeResult {
  kvs: StoredKv[];
  /** Number of keys in the range, before the limit. */
  count: number;
  /** The revision the range was read at. */
  rev: number;
}

export class MvccStore {
  /** etcd starts at revision 1 with nothing written. */
  currentRev = 1;
  /** -1 until the first compaction, as in etcd. */
  compactRev = -1;
  private index = new Map<string, KeyIndex>();
  private sortedKeys: string[] = [];
  /** Every stored record in revision order: the watch history. */
  private log: StoredKv[] = [];
  private listeners: ((changes: StoredKv[]) => void)[] = [];

  /** Called after each commit with the transaction's changes. */
  onCommit(listener: (changes: StoredKv[]) => void): void {
    this.listeners.push(listener);
  }

  range(key: string, rangeEnd: string | undefined, opts: RangeOptions = {}): RangeResult {
    const rev = opts.rev && opts.rev > 0 ? opts.rev : this.currentRev;
    if (rev > this.currentRev) throw errFutureRev();
    if (rev < this.compactRev) throw errCompacted();
    return this.rangeAt(key, rangeEnd, rev, opts.limit ?? 0);
  }

  rangeAt(key: string, rangeEnd: string | undefined, rev: number, limit: number): RangeResult {
    const kvs: StoredKv[] = [];
    let count = 0;
    for (const k of this.keysInRange(key, rangeEnd)) {
      const kv = this.index.get(k)?.at(rev);
      if (!kv) continue;
      count++;
      if (limit <= 0 || kvs.length < limit) kvs.push(kv);
    }
    return { kvs, count, rev };
  }

  /** The record of `key` at `rev`, for watch events' prev_kv. */
  get(key: string, rev: number): StoredKv | undefined {
    return this.index.get(key)?.at(rev);
  }

  beginWrite(): WriteTxn {
    return new WriteTxn(this);
  }

  /** History from main revision `from` on (for watchers), in revision order. */
  historySince(from: number): StoredKv[] {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid].modRevision < from) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }

  /** Forgets the history before `rev`; returns the records it dropped. */
  compact(rev: number): StoredKv[] {
    if (rev <= this.compactRev) throw errCompacted();
    if (rev > this.currentRev) throw errFutureRev();
    this.compactRev = rev;
    const kept = new Set<StoredKv>();
    for (const [key, ki] of this.index) {
      ki.compact(rev);
      if (ki.isEmpty()) this.index.delete(key);
      else for (const kv of ki.records()) kept.add(kv);
    }
    this.sortedKeys = this.sortedKeys.filter((k) => this.index.has(k));
    const removed = this.log.filter((kv) => !kept.has(kv));
    this.log = this.log.filter((kv) => kept.has(kv));
    return removed;
  }

  /** Every stored record, for snapshots. */
  allRecords(): StoredKv[] {
    return this.log.slice();
  }

  /** Rebuilds the store from a snapshot's records (in revision order). */
  restore(records: StoredKv[], currentRev: number, compactRev: number): void {
    this.index.clear();
    this.sortedKeys = [];
    this.log = [];
    for (const kv of records) this.apply(kv);
    this.currentRev = currentRev;
    this.compactRev = compactRev;
  }

  /** Records one change; WriteTxn calls it. */
  apply(kv: StoredKv): void {
    let ki = this.index.get(kv.key);
    if (!ki) {
      ki = new KeyIndex();
      this.index.set(kv.key, ki);
      this.insertSorted(kv.key);
    }
    ki.append(kv);
    this.log.push(kv);
  }

  commit(main: number, changes: StoredKv[]): void {
    this.currentRev = main;
    for (const listener of this.listeners) listener(changes);
  }

  private *keysInRange(key: string, rangeEnd: string | undefined): Generator<string> {
    if (!rangeEnd) {
      if (this.index.has(key)) yield key;
      return;
    }
    for (let i = this.lowerBound(key); i < this.sortedKeys.length; i++) {
      const k = this.sortedKeys[i];
      if (!inRange(k, key, rangeEnd)) return;
      yield k;
    }
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.sortedKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortedKeys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertSorted(key: string): void {
    this.sortedKeys.splice(this.lowerBound(key), 0, key);
  }
}

/**
 * One write transaction: its changes share main revision currentRev + 1. Reads inside it see
 * its own earlier writes, as etcd's storeTxnWrite does. Nothing is visible outside until end().
 */
export class WriteTxn {
  readonly main: number;
  private sub = 0;
  readonly changes: StoredKv[] = [];

  constructor(private readonly store: MvccStore) {
    this.main = store.currentRev + 1;
  }

  /** The revision reads inside the transaction see. */
  get rev(): number {
    return this.changes.length > 0 ? this.main : this.store.currentRev;
  }

  range(key: string, rangeEnd: string | undefined, limit = 0): RangeResult {
    return this.store.rangeAt(key, rangeEnd, this.rev, limit);
  }

  put(key: string, value: string, lease: number): StoredKv | undefined {
    const prev = this.store.get(key, this.main);
    this.record({
      key,
      value,
      createRevision: prev ? prev.createRevision : this.main,
      modRevision: this.main,
      sub: this.sub++,
      version: prev ? prev.version + 1 : 1,
      lease,
      tombstone: false,
    });
    return prev;
  }

  /** Deletes every live key in the range; returns what was deleted. */
  deleteRange(key: string, rangeEnd: string | undefined): StoredKv[] {
    const { kvs } = this.store.rangeAt(key, rangeEnd, this.main, 0);
    for (const prev of kvs) {
      this.record({
        key: prev.key,
        value: '',
        createRevision: 0,
        modRevision: this.main,
        sub: this.sub++,
        version: 0,
        lease: 0,
        tombstone: true,
      });
    }
    return kvs;
  }

  /** Commits: bumps the store's revision if anything changed and notifies listeners. */
  end(): void {
    if (this.changes.length > 0) this.store.commit(this.main, this.changes);
  }

  private record(kv: StoredKv): void {
    this.store.apply(kv);
    this.changes.push(kv);
  }
}
