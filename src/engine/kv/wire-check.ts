// The shapes the KV's calls may take as they arrive over a transport. A message that crossed a
// port or the lab's channel is whatever its sender posted, so every request, answer and watch
// response is checked field by field against the KvClient types before anything reads it: a
// message that does not fit is dropped (and counted) instead of reaching the store or a caller.

import type { KvCall } from './protocol.ts';

type Check = (v: unknown) => boolean;

const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const int: Check = (v) => Number.isSafeInteger(v);
const opt =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);
/** An array whose every element passes (a hole is an element that does not: every() skips it). */
const list =
  (check: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (!check(v[i])) return false;
    return true;
  };

/** A plain object whose named fields pass their checks (fields not named are ignored). */
function record(fields: Record<string, Check>): Check {
  const entries = Object.entries(fields);
  return (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    entries.every(([name, check]) => check((v as Record<string, unknown>)[name]));
}

/** An object with exactly one of `fields`' keys, checked by its check (a protobuf oneof). */
function union(fields: Record<string, () => Check>): Check {
  return (v) => {
    if (typeof v !== 'object' || v === null) return false;
    const keys = Object.keys(v).filter((k) => Object.hasOwn(fields, k));
    return keys.length === 1 && fields[keys[0]]()((v as Record<string, unknown>)[keys[0]]);
  };
}

const rangeRequest = record({
  key: str,
  rangeEnd: opt(str),
  limit: opt(int),
  revision: opt(int),
  keysOnly: opt(bool),
  countOnly: opt(bool),
});
const putRequest = record({ key: str, value: str, lease: opt(int), prevKv: opt(bool) });
const deleteRangeRequest = record({ key: str, rangeEnd: opt(str), prevKv: opt(bool) });
const compare = record({
  key: str,
  rangeEnd: opt(str),
  target: oneOf('version', 'create', 'mod', 'value', 'lease'),
  result: oneOf('=', '!=', '>', '<'),
  operand: (v) => typeof v === 'string' || int(v),
});
const requestOp: Check = union({
  range: () => rangeRequest,
  put: () => putRequest,
  deleteRange: () => deleteRangeRequest,
  txn: () => txnRequest,
});
const txnRequest: Check = record({
  compare: list(compare),
  success: list(requestOp),
  failure: list(requestOp),
});

const header = record({ clusterId: str, memberId: str, revision: int, raftTerm: int });
const keyValue = record({
  key: str,
  value: str,
  createRevision: int,
  modRevision: int,
  version: int,
  lease: int,
});
const rangeResponse = record({ header, kvs: list(keyValue), more: bool, count: int });
const putResponse = record({ header, prevKv: opt(keyValue) });
const deleteRangeResponse = record({ header, deleted: int, prevKvs: list(keyValue) });
const responseOp: Check = union({
  range: () => rangeResponse,
  put: () => putResponse,
  deleteRange: () => deleteRangeResponse,
  txn: () => txnResponse,
});
const txnResponse: Check = record({ header, succeeded: bool, responses: list(responseOp) });
const headerOnly = record({ header });
const alarms = record({
  header,
  alarms: list(record({ memberId: str, alarm: oneOf('NOSPACE', 'CORRUPT') })),
});
const member = record({
  id: str,
  name: str,
  peerUrls: list(str),
  clientUrls: list(str),
  isLearner: bool,
});

/** Each call's arguments, one check per argument (an absent optional one is undefined). */
const REQUESTS: Record<KvCall, Check[]> = {
  range: [rangeRequest],
  put: [putRequest],
  deleteRange: [deleteRangeRequest],
  txn: [txnRequest],
  compact: [int],
  leaseGrant: [int, opt(int)],
  leaseRevoke: [int],
  leaseKeepAlive: [int],
  leaseTimeToLive: [int, opt(bool)],
  leaseList: [],
  status: [],
  memberList: [],
  alarmList: [],
  alarmDisarm: [],
};

const ANSWERS: Record<KvCall, Check> = {
  range: rangeResponse,
  put: putResponse,
  deleteRange: deleteRangeResponse,
  txn: txnResponse,
  compact: headerOnly,
  leaseGrant: record({ header, id: int, ttl: int }),
  leaseRevoke: headerOnly,
  leaseKeepAlive: record({ header, id: int, ttl: int }),
  leaseTimeToLive: record({ header, id: int, ttl: int, grantedTtl: int, keys: list(str) }),
  leaseList: record({ header, leases: list(int) }),
  status: record({
    header,
    version: str,
    dbSize: int,
    leader: str,
    raftIndex: int,
    raftAppliedIndex: opt(int),
    raftTerm: opt(int),
    dbSizeInUse: opt(int),
    isLearner: opt(bool),
    errors: opt(list(str)),
  }),
  memberList: record({ header, members: list(member) }),
  alarmList: alarms,
  alarmDisarm: alarms,
};

/**
 * Runs a check; a message nested deep enough to exhaust the stack (a txn inside a txn ten
 * thousand times) fails it rather than throwing out of a message handler.
 */
function passes(check: Check, v: unknown): boolean {
  try {
    return check(v);
  } catch {
    return false;
  }
}

/** Whether `args` are arguments `call` takes. */
export function isRequestOf(call: KvCall, args: unknown): args is unknown[] {
  const checks = REQUESTS[call];
  return (
    Array.isArray(args) &&
    args.length <= checks.length &&
    checks.every((check, i) => passes(check, args[i]))
  );
}

/** Whether `value` is what `call` answers. */
export function isAnswerOf(call: KvCall, value: unknown): boolean {
  return passes(ANSWERS[call], value);
}

export const isWatchRequest = (v: unknown): boolean =>
  passes(
    record({
      key: str,
      rangeEnd: opt(str),
      startRevision: opt(int),
      prevKv: opt(bool),
      progressNotify: opt(bool),
    }),
    v,
  );

const watchEvent = record({ type: oneOf('PUT', 'DELETE'), kv: keyValue, prevKv: opt(keyValue) });
const watchResponse = record({
  header,
  events: list(watchEvent),
  canceled: opt(bool),
  compactRevision: opt(int),
  cancelReason: opt(str),
});
export const isWatchResponse = (v: unknown): boolean => passes(watchResponse, v);

export const isWireError = (v: unknown): boolean =>
  passes(record({ message: str, code: opt(str) }), v);

/** A message's envelope: a plain object whose named fields pass their checks. */
export function isMessage(v: unknown, fields: Record<string, Check>): boolean {
  return passes(record(fields), v);
}
