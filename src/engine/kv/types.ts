// The KV's client API: the shape of etcd v3's (Range, Put, DeleteRange, Txn, Lease*, Watch,
// Compact), so one day the same client can talk to a real etcd through its JSON gateway.
// Keys and values are strings (etcd's are bytes; the lab only stores UTF-8).

export interface ResponseHeader {
  clusterId: string;
  memberId: string;
  /** The store's revision when the request was served. */
  revision: number;
  raftTerm: number;
}

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
  /** 0 when the key has no lease. */
  lease: number;
}

export interface RangeRequest {
  key: string;
  /** etcd's range_end: '' for a single key, '\0' for "all keys >= key", prefixEnd(key) for a prefix. */
  rangeEnd?: string;
  limit?: number;
  /** Read at this revision (0 = current). Fails with ErrCompacted / ErrFutureRev. */
  revision?: number;
  keysOnly?: boolean;
  countOnly?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: string;
  value: string;
  lease?: number;
  prevKv?: boolean;
}

export interface PutResponse {
  header: ResponseHeader;
  prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: string;
  rangeEnd?: string;
  prevKv?: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: number;
  prevKvs: KeyValue[];
}

export type CompareTarget = 'version' | 'create' | 'mod' | 'value' | 'lease';
export type CompareResult = '=' | '!=' | '>' | '<';

export interface Compare {
  key: string;
  rangeEnd?: string;
  target: CompareTarget;
  result: CompareResult;
  /** A number for version/create/mod/lease, a string for value. */
  operand: number | string;
}

export type RequestOp =
  | { range: RangeRequest }
  | { put: PutRequest }
  | { deleteRange: DeleteRangeRequest }
  | { txn: TxnRequest };

export type ResponseOp =
  | { range: RangeResponse }
  | { put: PutResponse }
  | { deleteRange: DeleteRangeResponse }
  | { txn: TxnResponse };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface LeaseGrantResponse {
  header: ResponseHeader;
  id: number;
  /** Seconds. */
  ttl: number;
}

export interface LeaseTimeToLiveResponse {
  header: ResponseHeader;
  id: number;
  /** Remaining seconds; -1 when the lease does not exist (expired or revoked). */
  ttl: number;
  grantedTtl: number;
  keys: string[];
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface WatchEvent {
  type: WatchEventType;
  kv: KeyValue;
  prevKv?: KeyValue;
}

export interface WatchRequest {
  key: string;
  rangeEnd?: string;
  /** Start revision (0 = from now on). */
  startRevision?: number;
  prevKv?: boolean;
  /** Ask for etcd's periodic progress notices (a response with no events, as clientv3's WithProgressNotify). */
  progressNotify?: boolean;
}

export interface WatchResponse {
  header: ResponseHeader;
  events: WatchEvent[];
  /** Set when the watch was cancelled, e.g. its start revision was compacted. */
  canceled?: boolean;
  compactRevision?: number;
  cancelReason?: string;
}

export interface Watcher {
  cancel(): void;
}

/** Errors carry etcd's own text, e.g. 'etcdserver: mvcc: required revision has been compacted'. */
export class KvError extends Error {
  constructor(
    /** gRPC-ish code name: 'OutOfRange', 'NotFound', 'InvalidArgument', 'FailedPrecondition'... */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'KvError';
  }
}

export interface KvClient {
  range(req: RangeRequest): Promise<RangeResponse>;
  put(req: PutRequest): Promise<PutResponse>;
  deleteRange(req: DeleteRangeRequest): Promise<DeleteRangeResponse>;
  txn(req: TxnRequest): Promise<TxnResponse>;
  compact(revision: number): Promise<{ header: ResponseHeader }>;

  leaseGrant(ttlSeconds: number, id?: number): Promise<LeaseGrantResponse>;
  leaseRevoke(id: number): Promise<{ header: ResponseHeader }>;
  /** One keep-alive round; returns the refreshed TTL (like LeaseKeepAliveOnce). */
  leaseKeepAlive(id: number): Promise<{ header: ResponseHeader; id: number; ttl: number }>;
  leaseTimeToLive(id: number, keys?: boolean): Promise<LeaseTimeToLiveResponse>;
  leaseList(): Promise<{ header: ResponseHeader; leases: number[] }>;

  /** Calls `onResponse` for every batch of events until cancelled. */
  watch(req: WatchRequest, onResponse: (res: WatchResponse) => void): Watcher;

  /** For `etcdctl endpoint status` / `member list`. */
  status(): Promise<{
    header: ResponseHeader;
    version: string;
    dbSize: number;
    leader: string;
    raftIndex: number;
    /** Optional extras etcd's StatusResponse has (etcdctl shows them when present). */
    raftAppliedIndex?: number;
    raftTerm?: number;
    dbSizeInUse?: number;
    isLearner?: boolean;
    /** The member's active alarms, as etcd words them ("memberID:N alarm:NOSPACE "). */
    errors?: string[];
  }>;

  /** Active alarms (`etcdctl alarm list`), and disarming them all (`etcdctl alarm disarm`). */
  alarmList(): Promise<AlarmResponse>;
  alarmDisarm(): Promise<AlarmResponse>;

  /** The cluster's members, for `etcdctl member list` (optional: simple fakes may omit it). */
  memberList?(): Promise<{ header: ResponseHeader; members: KvMember[] }>;
}

export interface AlarmMember {
  /** Decimal uint64, the member the alarm is raised on. */
  memberId: string;
  alarm: 'NOSPACE' | 'CORRUPT';
}

export interface AlarmResponse {
  header: ResponseHeader;
  alarms: AlarmMember[];
}

export interface KvMember {
  /** Decimal uint64, like ResponseHeader.memberId. */
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}
