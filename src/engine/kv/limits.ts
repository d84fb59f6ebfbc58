// etcd 3.4's limits on what a client may write, with the sizes etcd measures them in:
// - --max-request-bytes (1.5 MiB): a write's raft entry (the protobuf InternalRaftRequest) may
//   not be larger, or it fails with `etcdserver: request is too large`;
// - --max-txn-ops (128): operations per txn branch;
// - --quota-backend-bytes: a write that would grow the database past the quota raises the
//   NOSPACE alarm and fails with `etcdserver: mvcc: database space exceeded`, as does every
//   write but a delete until the alarm is disarmed (etcd's quota.go and applierV3Capped).
// Sizes follow protobuf's encoding of etcd's messages (tag, length varint, bytes), checked on
// the oracle: a put of /big with a 1,572,837-byte value passes when the member's request ids
// take 9 bytes, and is refused (1,572,836 passes) when they take 10.

import type {
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RequestOp,
  TxnRequest,
} from './types.ts';

export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
export const MAX_TXN_OPS = 128;
/**
 * The lab's --quota-backend-bytes. etcd defaults to 2 GiB on a disk; the lab's store lives in
 * a tab's memory (and IndexedDB), so it stops at 64 MiB, still 1,000 times what a lab needs.
 */
export const LAB_QUOTA_BYTES = 64 * 1024 * 1024;
/** quota.go's estimates of what a key's and a lease's metadata cost in the backend. */
const KV_OVERHEAD = 256;
export const LEASE_OVERHEAD = 64;

/** A varint's length in bytes (protobuf). */
function varintLen(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** UTF-8 bytes of a string (etcd's keys and values are bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** A length-delimited field (string, bytes or message); proto3 leaves an empty one out. */
const field = (len: number, tagLen = 1) => (len === 0 ? 0 : tagLen + varintLen(len) + len);
const str = (s: string | undefined, tagLen = 1) => field(utf8Length(s ?? ''), tagLen);
const message = (len: number) => 1 + varintLen(len) + len;
const num = (n: number | undefined) => (n ? 1 + varintLen(n < 0 ? 2 ** 64 + n : n) : 0);
const flag = (b: boolean | undefined) => (b ? 2 : 0);

const rangeSize = (r: RangeRequest) =>
  str(r.key) +
  str(r.rangeEnd) +
  num(r.limit) +
  num(r.revision) +
  flag(r.keysOnly) +
  flag(r.countOnly);
export const putSize = (p: PutRequest) => str(p.key) + str(p.value) + num(p.lease) + flag(p.prevKv);
const deleteSize = (d: DeleteRangeRequest) => str(d.key) + str(d.rangeEnd) + flag(d.prevKv);

function txnSize(t: TxnRequest): number {
  let size = 0;
  for (const c of t.compare) {
    const operand = c.target === 'value' ? str(String(c.operand)) : num(Number(c.operand));
    size += message(2 + str(c.key) + operand + str(c.rangeEnd, 2));
  }
  for (const op of [...t.success, ...t.failure]) size += message(opSize(op));
  return size;
}

function opSize(op: RequestOp): number {
  if ('range' in op) return message(rangeSize(op.range));
  if ('put' in op) return message(putSize(op.put));
  if ('deleteRange' in op) return message(deleteSize(op.deleteRange));
  return message(txnSize(op.txn));
}

/**
 * The raft entry's header: field 100 holding a RequestHeader with the request's ID. etcd's ids
 * (idutil) start with the member id's low 16 bits, so the varint takes 10 bytes when their top
 * bit is set, 9 otherwise.
 */
function raftHeaderSize(memberId: string): number {
  const top = Number(BigInt(memberId) & 0xffffn);
  return 2 + 1 + 1 + (top >= 0x8000 ? 10 : 9);
}

/** The size of the raft entry a write becomes (InternalRaftRequest) on member `memberId`. */
export function raftRequestSize(
  req: { put: PutRequest } | { deleteRange: DeleteRangeRequest } | { txn: TxnRequest },
  memberId: string,
): number {
  const inner =
    'put' in req ? putSize(req.put) : 'txn' in req ? txnSize(req.txn) : deleteSize(req.deleteRange);
  return raftHeaderSize(memberId) + message(inner);
}

/** What quota.go charges a write against the backend quota: its puts' keys and values. */
export function quotaCost(ops: { put: PutRequest } | { txn: TxnRequest }): number {
  if ('put' in ops) return KV_OVERHEAD + utf8Length(ops.put.key) + utf8Length(ops.put.value);
  const branch = (list: RequestOp[]): number =>
    list.reduce((sum, op) => sum + ('put' in op || 'txn' in op ? quotaCost(op) : 0), 0);
  return Math.max(branch(ops.txn.success), branch(ops.txn.failure));
}
