// Where the store persists itself. After each turn in which something was committed the server
// saves what changed since its last save (the records written, the records compaction removed,
// the leases granted, renewed or gone, and its counters), so a save costs what changed, not the
// size of the store, and nothing committed is lost on reload.

import type { StoredKv } from './key-index.ts';
import type { Lease } from './lessor.ts';

/** The store's counters, saved with every change. */
export interface KvMeta {
  currentRev: number;
  compactRev: number;
  raftIndex: number;
  /** The lease-id generator's position, so ids never repeat after a reload. */
  leaseSeq: number;
  /** Alarms raised and not disarmed (etcd keeps them in its backend too). */
  alarms?: KvAlarm[];
}

export type KvAlarm = 'NOSPACE';

/** What a load returns: the whole store. */
export interface KvSnapshot extends KvMeta {
  format: 1;
  /** Every stored record (history kept since the last compaction), in revision order. */
  records: StoredKv[];
  /** Leases with their expiry on the lab clock. */
  leases: Lease[];
}

/** A record's place in the history: its main and sub revision, unique per record. */
export interface RecordId {
  modRevision: number;
  sub: number;
}

/** What one save writes: the changes since the previous save. */
export interface KvChanges extends KvMeta {
  /** Records committed since, in revision order. */
  records: StoredKv[];
  /** Records compaction dropped since (some may be among `records`). */
  removed: RecordId[];
  /** Leases granted or renewed since, as they are now. */
  leases: Lease[];
  /** Leases revoked or expired since. */
  revokedLeases: number[];
}

export interface KvStorage {
  load(): Promise<KvSnapshot | null>;
  save(changes: KvChanges): Promise<void>;
}

export const recordKey = (r: RecordId) => `${r.modRevision}/${r.sub}`;

/** Applies one save's changes to a store's records and leases (what every storage does). */
export function applyChanges(
  records: Map<string, StoredKv>,
  leases: Map<number, Lease>,
  changes: KvChanges,
): void {
  for (const r of changes.records) records.set(recordKey(r), r);
  for (const r of changes.removed) records.delete(recordKey(r));
  for (const l of changes.leases) leases.set(l.id, l);
  for (const id of changes.revokedLeases) leases.delete(id);
}

/** Records in revision order, as a snapshot lists them. */
export function inRevisionOrder(records: Iterable<StoredKv>): StoredKv[] {
  return [...records].sort((a, b) => a.modRevision - b.modRevision || a.sub - b.sub);
}

/**
 * For Node tests: keeps deep copies, so later changes to the store cannot leak into it, and
 * the size of each save (as JSON), so tests can see a save cost what changed.
 */
export class MemoryKvStorage implements KvStorage {
  private meta: KvMeta | null = null;
  private readonly records = new Map<string, StoredKv>();
  private readonly leases = new Map<number, Lease>();
  saves = 0;
  /** JSON bytes of each save so far. */
  readonly saveBytes: number[] = [];

  load(): Promise<KvSnapshot | null> {
    if (this.meta === null) return Promise.resolve(null);
    return Promise.resolve(
      structuredClone({
        format: 1,
        ...this.meta,
        records: inRevisionOrder(this.records.values()),
        leases: [...this.leases.values()],
      }),
    );
  }

  save(changes: KvChanges): Promise<void> {
    const json = JSON.stringify(changes);
    const copy = JSON.parse(json) as KvChanges;
    const { records: _r, removed: _d, leases: _l, revokedLeases: _v, ...meta } = copy;
    this.meta = meta;
    applyChanges(this.records, this.leases, copy);
    this.saves++;
    this.saveBytes.push(json.length);
    return Promise.resolve();
  }
}
