// The KV's calls as they cross a transport: a host's MessagePort to the KV worker
// (workers/kv-remote.ts) and the lab's BroadcastChannel between tabs (workers/kv-channel.ts).
// One list of the calls that are a plain request and answer (everything but watch, which each
// transport streams its own way), how a served end answers one, how an asking end builds its
// client from them, and the one error type that crosses as data (rebuilt on arrival, so callers
// can still test `instanceof KvError` and its `code`).

import { KvError, type KvClient } from './types.ts';

export type KvCall = Exclude<keyof KvClient, 'watch'>;
/** A call's request (its arguments) and answer, as KvClient types them. */
export type KvRequest<C extends KvCall> = Parameters<NonNullable<KvClient[C]>>;
export type KvAnswer<C extends KvCall> = Awaited<ReturnType<NonNullable<KvClient[C]>>>;
/** What a transport's asking end offers: every call (memberList too, which a store may lack). */
export type KvCalls = { [C in KvCall]-?: (...req: KvRequest<C>) => Promise<KvAnswer<C>> };

/** A Record, so a call added to KvClient and not listed here does not compile. */
const CALLS: Record<KvCall, true> = {
  range: true,
  put: true,
  deleteRange: true,
  txn: true,
  compact: true,
  leaseGrant: true,
  leaseRevoke: true,
  leaseKeepAlive: true,
  leaseTimeToLive: true,
  leaseList: true,
  status: true,
  memberList: true,
  alarmList: true,
  alarmDisarm: true,
};

export const KV_CALLS = Object.keys(CALLS) as readonly KvCall[];

export function isKvCall(name: unknown): name is KvCall {
  return typeof name === 'string' && Object.hasOwn(CALLS, name);
}

/** An error as data: `code` is set for a KvError. */
export interface WireError {
  message: string;
  code?: string;
}

export function errorToWire(err: unknown): WireError {
  if (err instanceof KvError) return { code: err.code, message: err.message };
  return { message: err instanceof Error ? err.message : String(err) };
}

export function errorFromWire(err: WireError): Error {
  return err.code === undefined ? new Error(err.message) : new KvError(err.code, err.message);
}

/** The served end: runs `call` (as it arrived) on `client`. */
export async function answerCall(
  client: KvClient,
  call: unknown,
  req: unknown[],
): Promise<unknown> {
  if (!isKvCall(call)) throw new Error(`unknown KV call ${String(call)}`);
  const fn = client[call] as ((...req: unknown[]) => Promise<unknown>) | undefined;
  if (!fn) throw new KvError('Unimplemented', `${call} is not supported`);
  return fn.apply(client, req);
}

/** The asking end: every call, each sent through `send`. */
export function callsVia(send: (call: KvCall, req: unknown[]) => Promise<unknown>): KvCalls {
  return Object.fromEntries(
    KV_CALLS.map((call) => [call, (...req: unknown[]) => send(call, req)]),
  ) as unknown as KvCalls;
}
