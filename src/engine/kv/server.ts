// The etcd server of the lab: applies requests to the MVCC store and the lessor, answers with
// etcd's response headers, serves watchers and persists every committed change.
// Requests are validated before anything is written, so a failed request changes nothing, and
// held to etcd's limits (limits.ts): request size, txn ops, the backend quota with its NOSPACE
// alarm. History is compacted on the lab clock as kube-apiserver has etcd do it.

import type { LabClock } from '../os/clock.ts';
import {
  errDuplicateKey,
  errEmptyKey,
  errLeaseNotFound,
  errNoSpace,
  errRequestTooLarge,
  errTooManyOps,
} from './errors.ts';
import type { StoredKv } from './key-index.ts';
import {
  LAB_QUOTA_BYTES,
  LEASE_OVERHEAD,
  MAX_REQUEST_BYTES,
  MAX_TXN_OPS,
  quotaCost,
  raftRequestSize,
  utf8Length,
} from './limits.ts';
import { Lessor } from './lessor.ts';
import { MvccStore, type WriteTxn } from './mvcc.ts';
import type { KvAlarm, KvChanges, KvSnapshot, KvStorage, RecordId } from './storage.ts';
import type {
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseHeader,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from './types.ts';
import { WatchHub, type WatchDelivery } from './watch.ts';

export interface MemberInfo {
  name: string;
  peerUrls: string[];
  clientUrls: string[];
}

export interface KvServerOptions {
  clock: LabClock;
  storage?: KvStorage;
  /** Decimal strings (etcd's ids are uint64). Defaults: the ids a fresh single-member etcd had. */
  clusterId?: string;
  memberId?: string;
  member?: Partial<MemberInfo>;
  /** --quota-backend-bytes (default LAB_QUOTA_BYTES). */
  quotaBackendBytes?: number;
  /**
   * Compacts history every this many ms of lab time, to the revision the previous round saw
   * (kube-apiserver's --etcd-compaction-interval, 5 min by default); 0 turns it off.
   */
  compactionIntervalMs?: number;
}

/** kube-apiserver's default --etcd-compaction-interval. */
export const COMPACTION_INTERVAL_MS = 5 * 60_000;

/** What a bbolt page holds per record beyond its key and value (approximately). */
const RECORD_OVERHEAD = 40;
const PAGE = 4096;

const RAFT_TERM = 2;
/** Raft entries a fresh single-member etcd has applied before serving: conf change, leader's
 * empty entry, member attributes, cluster version. */
const INITIAL_RAFT_INDEX = 4;
export const ETCD_VERSION = '3.4.23';

export class KvServer {
  readonly mvcc = new MvccStore();
  readonly lessor: Lessor;
  readonly watches: WatchHub;
  readonly clusterId: string;
  readonly memberId: string;
  readonly member: MemberInfo;
  raftIndex = INITIAL_RAFT_INDEX;
  private leaseSeq = 0;
  /** Something was committed since the snapshot being saved (or no save runs). */
  private dirty = false;
  /** The save loop, while one runs. */
  private saving: Promise<void> | null = null;
  /** What changed since the last save: written into the next one. */
  private unsaved = {
    records: [] as StoredKv[],
    removed: [] as RecordId[],
    leases: new Set<number>(),
  };
  /** Bytes the stored records take (key, value, per-record overhead). */
  private recordBytes = 0;
  /** Active alarms (etcdctl alarm list). */
  private alarms = new Set<KvAlarm>();
  /** The revision the last compaction round saw: the next round compacts to it. */
  private compactionMark = 0;

  constructor(private readonly opts: KvServerOptions) {
    this.clusterId = opts.clusterId ?? '324952591200643719';
    this.memberId = opts.memberId ?? '3319814642761637952';
    this.member = {
      name: opts.member?.name ?? 'default',
      peerUrls: opts.member?.peerUrls ?? ['http://localhost:2380'],
      clientUrls: opts.member?.clientUrls ?? ['http://localhost:2379'],
    };
    this.watches = new WatchHub(this.mvcc);
    this.mvcc.onCommit((changes) => {
      this.unsaved.records.push(...changes);
      for (const kv of changes) this.recordBytes += recordSize(kv);
    });
    this.lessor = new Lessor(
      opts.clock,
      (id) => this.expireLease(id),
      (id) => this.leaseKeys(id).some((key) => this.watches.watched(key)),
    );
    const interval = opts.compactionIntervalMs ?? COMPACTION_INTERVAL_MS;
    if (interval > 0) this.scheduleCompaction(interval);
  }

  /** Opens a server, restoring what `storage` holds. */
  static async open(opts: KvServerOptions): Promise<KvServer> {
    const server = new KvServer(opts);
    const snapshot = await opts.storage?.load();
    if (snapshot) server.restore(snapshot);
    return server;
  }

  header(revision = this.mvcc.currentRev): ResponseHeader {
    return { clusterId: this.clusterId, memberId: this.memberId, revision, raftTerm: RAFT_TERM };
  }

  range(req: RangeRequest): RangeResponse {
    const res = this.mvcc.range(req.key, req.rangeEnd, { rev: req.revision, limit: req.limit });
    return this.rangeResponse(req, res.kvs, res.count, this.header());
  }

  put(req: PutRequest): PutResponse {
    this.checkSize({ put: req });
    this.checkQuota(quotaCost({ put: req }));
    this.checkPut(req);
    return this.write((txn) => this.applyPut(txn, req));
  }

  deleteRange(req: DeleteRangeRequest): DeleteRangeResponse {
    this.checkSize({ deleteRange: req });
    if (!req.key) throw errEmptyKey();
    return this.write((txn) => this.applyDelete(txn, req));
  }

  txn(req: TxnRequest): TxnResponse {
    this.checkSize({ txn: req });
    if (!isReadOnly(req)) this.checkQuota(quotaCost({ txn: req }));
    this.checkTxn(req);
    return this.write((txn) => this.applyTxn(txn, req));
  }

  compact(revision: number): ResponseHeader {
    for (const kv of this.mvcc.compact(revision)) {
      this.unsaved.removed.push({ modRevision: kv.modRevision, sub: kv.sub });
      this.recordBytes -= recordSize(kv);
    }
    this.raftIndex++;
    this.persist();
    return this.header();
  }

  leaseGrant(ttl: number, id?: number): { id: number; ttl: number } {
    this.checkQuota(LEASE_OVERHEAD);
    const lease = this.lessor.grant(id && id > 0 ? id : this.nextLeaseId(), ttl);
    this.raftIndex++;
    this.unsaved.leases.add(lease.id);
    this.persist();
    return { id: lease.id, ttl: lease.ttl };
  }

  /** The alarms raised and not disarmed, as etcd's Alarm(GET) lists them. */
  alarmList(): KvAlarm[] {
    return [...this.alarms];
  }

  /** Disarms every alarm (etcdctl alarm disarm); returns those it disarmed. */
  alarmDisarm(): KvAlarm[] {
    const disarmed = this.alarmList();
    this.alarms.clear();
    if (disarmed.length > 0) {
      this.raftIndex++;
      this.persist();
    }
    return disarmed;
  }

  leaseRevoke(id: number): void {
    if (!this.lessor.get(id)) throw errLeaseNotFound();
    this.revokeLease(id);
  }

  leaseKeepAlive(id: number): number {
    const ttl = this.lessor.renew(id);
    this.unsaved.leases.add(id);
    this.persist();
    return ttl;
  }

  leaseTimeToLive(id: number): { ttl: number; grantedTtl: number; keys: string[] } {
    const lease = this.lessor.get(id);
    if (!lease) return { ttl: -1, grantedTtl: 0, keys: [] };
    return { ttl: this.lessor.remaining(lease), grantedTtl: lease.ttl, keys: this.leaseKeys(id) };
  }

  watch(
    req: { key: string; rangeEnd?: string; startRevision?: number; prevKv?: boolean },
    deliver: (batch: WatchDelivery) => void,
  ): () => void {
    return this.watches.watch(req, deliver);
  }

  /** Approximates bbolt's file: 4 KiB pages, 5 of them for an empty database. */
  dbSize(): number {
    return PAGE * (5 + Math.ceil(this.recordBytes / PAGE));
  }

  /** Resolves once everything committed so far is in storage. */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    while (this.saving) await this.saving;
  }

  private restore(s: KvSnapshot): void {
    this.mvcc.restore(s.records, s.currentRev, s.compactRev);
    this.raftIndex = s.raftIndex;
    this.leaseSeq = s.leaseSeq;
    this.alarms = new Set(s.alarms ?? []);
    this.recordBytes = s.records.reduce((sum, kv) => sum + recordSize(kv), 0);
    for (const lease of s.leases) this.lessor.install({ ...lease });
  }

  /** Takes what changed since the last save (the next save writes it). */
  private takeChanges(): KvChanges {
    const { records, removed, leases } = this.unsaved;
    this.unsaved = { records: [], removed: [], leases: new Set() };
    const live = [...leases].map((id) => this.lessor.get(id));
    return {
      currentRev: this.mvcc.currentRev,
      compactRev: this.mvcc.compactRev,
      raftIndex: this.raftIndex,
      leaseSeq: this.leaseSeq,
      alarms: this.alarmList(),
      records: records.map((kv) => ({ ...kv })),
      removed,
      leases: live.flatMap((l) => (l ? [{ ...l }] : [])),
      revokedLeases: [...leases].filter((id) => !this.lessor.get(id)),
    };
  }

  /** A failed save's changes go back in front of what came since. */
  private putBack(c: KvChanges): void {
    this.unsaved.records.unshift(...c.records);
    this.unsaved.removed.unshift(...c.removed);
    for (const l of c.leases) this.unsaved.leases.add(l.id);
    for (const id of c.revokedLeases) this.unsaved.leases.add(id);
  }

  /** etcd's request size check, on the raft entry the write would become. */
  private checkSize(
    req: { put: PutRequest } | { deleteRange: DeleteRangeRequest } | { txn: TxnRequest },
  ): void {
    if (raftRequestSize(req, this.memberId) > MAX_REQUEST_BYTES) throw errRequestTooLarge();
  }

  /**
   * quota.go: a write that would take the backend past its quota raises NOSPACE; while the
   * alarm is on, every write but a delete is refused (applierV3Capped).
   */
  private checkQuota(cost: number): void {
    const quota = this.opts.quotaBackendBytes ?? LAB_QUOTA_BYTES;
    if (this.alarms.has('NOSPACE')) throw errNoSpace();
    if (this.dbSize() + cost <= quota) return;
    this.alarms.add('NOSPACE');
    this.raftIndex++;
    this.persist();
    throw errNoSpace();
  }

  /**
   * kube-apiserver's compactor: every interval it compacts to the revision it saw on its
   * previous round, so one interval of history stays readable and watchable. Local to the
   * store's worker: nobody outside waits for it (see TimerOptions.local).
   */
  private scheduleCompaction(interval: number): void {
    this.opts.clock.setTimer(
      interval,
      () => {
        const target = this.compactionMark;
        this.compactionMark = this.mvcc.currentRev;
        if (target > 1 && target > this.mvcc.compactRev) this.compact(target);
        this.scheduleCompaction(interval);
      },
      { local: () => true },
    );
  }

  /** Runs one write transaction as one raft entry and persists it. */
  private write<T>(fn: (txn: WriteTxn) => T): T {
    const txn = this.mvcc.beginWrite();
    const result = fn(txn);
    txn.end();
    this.raftIndex++;
    this.persist();
    return result;
  }

  /**
   * Saves the store after the turn that committed something. While a save is being written,
   * later commits only mark the store dirty and the next save takes them all: one snapshot per
   * storage write, not one per commit (64 nodes booting commit hundreds of times a second, and
   * a snapshot holds the whole history).
   */
  private persist(): void {
    const storage = this.opts.storage;
    if (!storage) return;
    this.dirty = true;
    if (this.saving) return;
    this.saving = (async () => {
      await new Promise<void>((resolve) => queueMicrotask(resolve)); // the rest of this turn
      while (this.dirty) {
        this.dirty = false;
        const changes = this.takeChanges();
        try {
          await storage.save(changes);
        } catch {
          this.putBack(changes);
          this.dirty = true; // the next commit tries again
          break;
        }
      }
      this.saving = null;
    })();
  }
  private checkPut(req: PutRequest): void {
    if (!req.key) throw errEmptyKey();
    if (req.lease && !this.lessor.get(req.lease)) throw errLeaseNotFound();
  }

  private checkTxn(req: TxnRequest): void {
    if (req.success.length > MAX_TXN_OPS || req.failure.length > MAX_TXN_OPS) throw errTooManyOps();
    for (const ops of [req.success, req.failure]) {
      const putKeys = new Set<string>();
      for (const op of ops) {
        if ('put' in op) {
          this.checkPut(op.put);
          if (putKeys.has(op.put.key)) throw errDuplicateKey();
          putKeys.add(op.put.key);
        } else if ('deleteRange' in op) {
          if (!op.deleteRange.key) throw errEmptyKey();
        } else if ('range' in op) {
          this.mvcc.range(op.range.key, op.range.rangeEnd, { rev: op.range.revision });
        } else this.checkTxn(op.txn);
      }
    }
  }

  private applyPut(txn: WriteTxn, req: PutRequest): PutResponse {
    const prev = txn.put(req.key, req.value, req.lease ?? 0);
    const res: PutResponse = { header: this.header(txn.main) };
    if (req.prevKv && prev) res.prevKv = toKeyValue(prev);
    return res;
  }

  private applyDelete(txn: WriteTxn, req: DeleteRangeRequest): DeleteRangeResponse {
    const deleted = txn.deleteRange(req.key, req.rangeEnd);
    return {
      header: this.header(txn.rev),
      deleted: deleted.length,
      prevKvs: req.prevKv ? deleted.map(toKeyValue) : [],
    };
  }

  private applyTxn(txn: WriteTxn, req: TxnRequest): TxnResponse {
    const succeeded = req.compare.every((c) => this.compare(txn, c));
    const responses = (succeeded ? req.success : req.failure).map((op) => this.applyOp(txn, op));
    return { header: this.header(txn.rev), succeeded, responses };
  }

  private applyOp(txn: WriteTxn, op: RequestOp): ResponseOp {
    if ('put' in op) return { put: { ...this.applyPut(txn, op.put), header: nested(txn.main) } };
    if ('deleteRange' in op) {
      const res = this.applyDelete(txn, op.deleteRange);
      return { deleteRange: { ...res, header: nested(txn.rev) } };
    }
    if ('range' in op) {
      const r = op.range;
      const res =
        r.revision && r.revision > 0
          ? this.mvcc.range(r.key, r.rangeEnd, { rev: r.revision })
          : txn.range(r.key, r.rangeEnd);
      return { range: this.rangeResponse(r, res.kvs, res.count, nested(res.rev)) };
    }
    const res = this.applyTxn(txn, op.txn);
    return { txn: { ...res, header: nested(txn.rev) } };
  }

  /** etcd's applyCompare: every key in the range must satisfy it; a value compare on a
   * missing key fails, other targets compare against zero. */
  private compare(txn: WriteTxn, c: Compare): boolean {
    const { kvs } = txn.range(c.key, c.rangeEnd);
    if (kvs.length === 0) return c.target === 'value' ? false : compareKv(c, undefined);
    return kvs.every((kv) => compareKv(c, kv));
  }

  private rangeResponse(
    req: RangeRequest,
    all: StoredKv[],
    count: number,
    header: ResponseHeader,
  ): RangeResponse {
    const limit = req.limit ?? 0;
    const kvs = req.countOnly ? [] : all.map(toKeyValue);
    if (req.keysOnly) for (const kv of kvs) kv.value = '';
    return { header, kvs, more: limit > 0 && count > limit, count };
  }

  private leaseKeys(id: number): string[] {
    return this.mvcc
      .range('\0', '\0')
      .kvs.filter((kv) => kv.lease === id)
      .map((kv) => kv.key);
  }

  private revokeLease(id: number): void {
    const keys = this.leaseKeys(id);
    this.write((txn) => {
      for (const key of keys) txn.deleteRange(key, undefined);
    });
    this.lessor.revoke(id);
    this.unsaved.leases.add(id);
  }

  private expireLease(id: number): void {
    if (this.lessor.get(id)) this.revokeLease(id);
  }

  /** Lease ids look like etcd's (member-id prefix, time-based suffix) but stay safe integers. */
  private nextLeaseId(): number {
    const prefix = Number(BigInt(this.memberId) >> 51n) & 0x1fff; // 13 bits
    const base = Math.floor(this.opts.clock.now() / 1000) % 0x10000000; // 28 bits
    for (;;) {
      this.leaseSeq = (this.leaseSeq + 1) % 0x1000;
      const id = prefix * 2 ** 40 + base * 2 ** 12 + this.leaseSeq;
      if (!this.lessor.get(id)) return id;
    }
  }
}

function recordSize(kv: StoredKv): number {
  return utf8Length(kv.key) + utf8Length(kv.value) + RECORD_OVERHEAD;
}

/** A txn that only reads (etcd's isTxnReadonly): the quota lets it through. */
function isReadOnly(req: TxnRequest): boolean {
  return [...req.success, ...req.failure].every(
    (op) => 'range' in op || ('txn' in op && isReadOnly(op.txn)),
  );
}

function nested(revision: number): ResponseHeader {
  return { clusterId: '0', memberId: '0', revision, raftTerm: 0 };
}

export function toKeyValue(kv: StoredKv): KeyValue {
  return {
    key: kv.key,
    value: kv.value,
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: kv.lease,
  };
}

function compareKv(c: Compare, kv: StoredKv | undefined): boolean {
  let diff: number;
  if (c.target === 'value') {
    const a = kv?.value ?? '';
    const b = String(c.operand);
    diff = a < b ? -1 : a > b ? 1 : 0;
  } else {
    const field = {
      version: kv?.version ?? 0,
      create: kv?.createRevision ?? 0,
      mod: kv?.modRevision ?? 0,
      lease: kv?.lease ?? 0,
    }[c.target];
    diff = field - Number(c.operand);
  }
  switch (c.result) {
    case '=':
      return diff === 0;
    case '!=':
      return diff !== 0;
    case '>':
      return diff > 0;
    case '<':
      return diff < 0;
  }
}
