// etcdctl (ETCDCTL_API=3, etcd 3.4.23): parses like cobra/pflag, talks to the lab's etcd
// through host.kv, prints like etcdctl/ctlv3/command/printer_*.go. Exit codes are etcdctl's:
// 1 error, 2 bad connection, 3 invalid input, 4 bad feature, 5 interrupted, 128 bad args.

import { KvError, type KvClient, type RangeRequest, type RequestOp } from '../../kv/types.ts';
import type { HostContext, Program, ProgramIO } from '../types.ts';
import { etcdctlV2 } from './v2.ts';
import { FlagError, GLOBAL_FLAGS, parseFlags, parseGoInt, type FlagSpecs } from './flags.ts';
import { goDuration } from './format.ts';
import { HELP } from './help.ts';
import { Display, UnsupportedFormat, type OutputFormat } from './printers.ts';
import { LineReader, TxnInputError, argify, parseCompare } from './txn-input.ts';
import { prefixEnd } from '../../kv/key-range.ts';
import { putSize } from '../../kv/limits.ts';
import { own } from '../../text/own.ts';
import { readAll } from '../../os/pipe.ts';

const EXIT_ERROR = 1;
const EXIT_BAD_CONNECTION = 2;
const EXIT_INVALID_INPUT = 3;
const EXIT_BAD_FEATURE = 4;
const EXIT_INTERRUPTED = 5;
const EXIT_BAD_ARGS = 128;
/** What a shell reports for a program killed by SIGINT. */
const EXIT_SIGINT = 130;

class ExitError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Ctx {
  args: string[];
  flags: Map<string, string>;
  io: ProgramIO;
  host: HostContext;
  display: Display;
}

interface Command {
  flags: FlagSpecs;
  run(ctx: Ctx): Promise<number>;
}

const bool = (d = 'false') => ({ type: 'bool' as const, default: d });
const int = () => ({ type: 'int' as const, default: '0' });
const str = (d = '') => ({ type: 'string' as const, default: d });

const GET_FLAGS: FlagSpecs = {
  consistency: str('l'),
  'from-key': bool(),
  'keys-only': bool(),
  limit: int(),
  order: str(),
  prefix: bool(),
  'print-value-only': bool(),
  rev: int(),
  'sort-by': str(),
};
const PUT_FLAGS: FlagSpecs = {
  'ignore-lease': bool(),
  'ignore-value': bool(),
  lease: str('0'),
  'prev-kv': bool(),
};
const DEL_FLAGS: FlagSpecs = { 'from-key': bool(), prefix: bool(), 'prev-kv': bool() };

const COMMANDS: Record<string, Command> = {
  get: { flags: GET_FLAGS, run: (c) => runRequest(c, [{ range: getOp(c.args, c.flags) }]) },
  put: {
    flags: PUT_FLAGS,
    // The value comes from stdin only when the arguments lack it, as etcdctl reads it.
    run: async (c) => {
      const stdin = c.args.length === 1 ? await readAll(c.io.stdin) : '';
      return runRequest(c, [{ put: putOp(c.args, c.flags, stdin) }]);
    },
  },
  del: { flags: DEL_FLAGS, run: (c) => runRequest(c, [{ deleteRange: delOp(c.args, c.flags) }]) },
  txn: { flags: { interactive: { type: 'bool', short: 'i', default: 'false' } }, run: runTxn },
  watch: {
    flags: {
      interactive: { type: 'bool', short: 'i', default: 'false' },
      prefix: bool(),
      'prev-kv': bool(),
      rev: int(),
      'progress-notify': bool(),
    },
    run: runWatch,
  },
  compaction: { flags: { physical: bool() }, run: runCompaction },
  version: {
    flags: {},
    run: async (c) => {
      c.io.stdout('etcdctl version: 3.4.23\nAPI version: 3.4\n');
      return 0;
    },
  },
  'lease grant': { flags: {}, run: runLeaseGrant },
  'lease revoke': { flags: {}, run: runLeaseRevoke },
  'lease timetolive': { flags: { keys: bool() }, run: runLeaseTimeToLive },
  'lease keep-alive': { flags: { once: bool() }, run: runLeaseKeepAlive },
  'lease list': { flags: {}, run: runLeaseList },
  'endpoint status': { flags: { cluster: bool() }, run: runEndpointStatus },
  'endpoint health': { flags: { cluster: bool() }, run: runEndpointHealth },
  'member list': { flags: {}, run: runMemberList },
  'alarm list': { flags: {}, run: (c) => runAlarm(c, 'list') },
  'alarm disarm': { flags: {}, run: (c) => runAlarm(c, 'disarm') },
};
const PARENTS = ['lease', 'endpoint', 'member', 'alarm'];

/** Flags that take a value, so the command search can skip their values (cobra's stripFlags). */
const VALUE_FLAGS = new Set<string>();
for (const specs of [GLOBAL_FLAGS, ...Object.values(COMMANDS).map((c) => c.flags)])
  for (const [name, spec] of Object.entries(specs))
    if (spec.type !== 'bool') {
      VALUE_FLAGS.add(`--${name}`);
      if (spec.short) VALUE_FLAGS.add(`-${spec.short}`);
    }

export const etcdctl: Program = async (argv, io, host) => {
  // ETCDCTL_API=2 selects the v2 commands, as in etcdctl 3.4 (and by default in 3.2 and 3.3).
  if (io.env?.ETCDCTL_API === '2') return etcdctlV2(argv, io, host);
  const rest = argv.slice(1);
  const words: number[] = [];
  for (let i = 0; i < rest.length && words.length < 2; i++) {
    const a = rest[i];
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUE_FLAGS.has(a)) i++;
      continue;
    }
    words.push(i);
  }
  const first = words.length ? rest[words[0]] : undefined;
  if (first === undefined) {
    io.stdout(HELP['']);
    return 0;
  }
  let path = first;
  let used = [words[0]];
  if (PARENTS.includes(first)) {
    const sub = words.length > 1 ? `${first} ${rest[words[1]]}` : '';
    if (!own(COMMANDS, sub)) {
      io.stdout(HELP[first]);
      return 0;
    }
    path = sub;
    used = words;
  } else if (!own(COMMANDS, first)) {
    const msg = `Error: unknown command "${first}" for "etcdctl"\n`;
    io.stderr(`${msg}Run 'etcdctl --help' for usage.\n${msg}`);
    return EXIT_ERROR;
  }
  const command = COMMANDS[path];
  const remaining = rest.filter((_, i) => !used.includes(i));

  let parsed;
  try {
    parsed = parseFlags(remaining, { ...GLOBAL_FLAGS, ...command.flags });
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    io.stderr(`Error: ${e.message}\n${HELP[path]}\nError: ${e.message}\n`);
    return EXIT_ERROR;
  }
  if (parsed.values.get('help') === 'true') {
    io.stdout(HELP[path]);
    return 0;
  }
  const format = parsed.values.get('write-out') ?? 'simple';
  if (!['simple', 'json', 'fields', 'table'].includes(format)) {
    io.stderr('Error: unsupported output format\n');
    return EXIT_BAD_FEATURE;
  }
  const out = (text: string) => io.stdout(text);
  const display = new Display(format as OutputFormat, out, parsed.values.get('hex') === 'true');
  const ctx: Ctx = { args: parsed.args, flags: parsed.values, io, host, display };
  try {
    return await command.run(ctx);
  } catch (e) {
    if (e instanceof ExitError) {
      io.stderr(`Error: ${e.message}\n`);
      return e.code;
    }
    if (e instanceof UnsupportedFormat) {
      io.stderr(`Error: ${e.message}\n`);
      return EXIT_BAD_FEATURE;
    }
    if (e instanceof TxnInputError) {
      if (e.panic) {
        io.stderr(`panic: ${e.message}\n\ngoroutine 1 [running]:\n`);
        return 2;
      }
      io.stderr(`Error: ${e.message}\n`);
      return EXIT_INVALID_INPUT;
    }
    throw e;
  }
};

// ---- the client side: connection, errors ------------------------------------------------

function client(c: Ctx): KvClient {
  if (!c.host.kv) throw unreachable(c);
  return c.host.kv;
}

function endpoints(c: Ctx): string[] {
  return (c.flags.get('endpoints') ?? '').split(',').filter(Boolean);
}

/** The zap warning clientv3's retry interceptor prints for a failed unary call. */
function warnLine(c: Ctx, error: string): string {
  const target = endpoints(c)[0]?.replace(/^[a-z]+:\/\//, '') ?? '';
  const ts = new Date(c.host.clock.now()).toISOString();
  return (
    `{"level":"warn","ts":"${ts}","caller":"clientv3/retry_interceptor.go:62",` +
    `"msg":"retrying of unary invoker failed","target":"endpoint://client-${uuid(c)}/${target}",` +
    `"attempt":0,"error":${JSON.stringify(error)}}\n`
  );
}

function unreachable(c: Ctx): ExitError {
  const desc = 'latest balancer error: all SubConns are in TransientFailure';
  c.io.stderr(warnLine(c, `rpc error: code = DeadlineExceeded desc = ${desc}`));
  return new ExitError(EXIT_ERROR, 'context deadline exceeded');
}

/** Runs a unary call; a server error prints the warning and becomes `wrap(message)`. */
async function unary<T>(c: Ctx, call: () => Promise<T>, wrap = (m: string) => m): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (!(e instanceof KvError)) throw e;
    if (e.code === 'Unavailable') throw unreachable(c);
    c.io.stderr(warnLine(c, `rpc error: code = ${e.code} desc = ${e.message}`));
    throw new ExitError(EXIT_ERROR, wrap(e.message));
  }
}

/** clientv3's default MaxCallSendMsgSize: gRPC refuses a larger request before sending it. */
const MAX_CALL_SEND_BYTES = 2 * 1024 * 1024;

function checkSendSize(c: Ctx, bytes: number): void {
  if (bytes <= MAX_CALL_SEND_BYTES) return;
  const error =
    'rpc error: code = ResourceExhausted desc = trying to send message larger than max ' +
    `(${bytes} vs. ${MAX_CALL_SEND_BYTES})`;
  c.io.stderr(warnLine(c, error));
  throw new ExitError(EXIT_ERROR, error);
}

function uuid(c: Ctx): string {
  let seed = Math.floor(c.host.clock.now()) ^ 0x9e3779b9;
  const hex = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed >>> 28).toString(16);
  };
  const chunk = (n: number) => Array.from({ length: n }, hex).join('');
  return `${chunk(8)}-${chunk(4)}-4${chunk(3)}-${'89ab'[parseInt(hex(), 16) & 3]}${chunk(3)}-${chunk(12)}`;
}

// ---- get / put / del ---------------------------------------------------------------------

interface GetOp extends RangeRequest {
  sortTarget?: 'CREATE' | 'KEY' | 'MODIFY' | 'VALUE' | 'VERSION';
  sortOrder?: 'ASCEND' | 'DESCEND';
}

function getOp(args: string[], f: Map<string, string>): GetOp {
  const prefix = f.get('prefix') === 'true';
  const fromKey = f.get('from-key') === 'true';
  if (args.length === 0)
    throw new ExitError(
      EXIT_BAD_ARGS,
      'get command needs one argument as key and an optional argument as range_end',
    );
  if (prefix && fromKey)
    throw new ExitError(
      EXIT_BAD_ARGS,
      '`--prefix` and `--from-key` cannot be set at the same time, choose one',
    );
  const consistency = f.get('consistency') ?? 'l';
  if (consistency !== 'l' && consistency !== 's')
    throw new ExitError(
      EXIT_BAD_FEATURE,
      `unknown consistency flag ${JSON.stringify(consistency)}`,
    );
  const op: GetOp = { key: args[0] };
  if (args.length > 1) {
    if (prefix || fromKey)
      throw new ExitError(
        EXIT_BAD_ARGS,
        'too many arguments, only accept one argument when `--prefix` or `--from-key` is set',
      );
    op.rangeEnd = args[1];
  }
  op.limit = parseGoInt(f.get('limit') ?? '0', 0) ?? 0;
  const rev = parseGoInt(f.get('rev') ?? '0', 0) ?? 0;
  if (rev > 0) op.revision = rev;
  const order = (f.get('order') ?? '').toUpperCase();
  if (order && order !== 'ASCEND' && order !== 'DESCEND')
    throw new ExitError(EXIT_BAD_FEATURE, `bad sort order ${f.get('order')}`);
  const target = (f.get('sort-by') ?? '').toUpperCase();
  if (target && !['CREATE', 'KEY', 'MODIFY', 'VALUE', 'VERSION'].includes(target))
    throw new ExitError(EXIT_BAD_FEATURE, `bad sort target ${f.get('sort-by')}`);
  if (order || target) {
    op.sortOrder = (order || 'ASCEND') as GetOp['sortOrder'];
    op.sortTarget = (target || 'KEY') as GetOp['sortTarget'];
  }
  if (prefix) {
    if (op.key === '') op.key = '\0';
    op.rangeEnd = op.key === '\0' ? '\0' : prefixEnd(op.key);
  }
  if (fromKey) {
    if (op.key === '') op.key = '\0';
    op.rangeEnd = '\0';
  }
  if (f.get('keys-only') === 'true') op.keysOnly = true;
  return op;
}

function putOp(args: string[], f: Map<string, string>, stdin: string) {
  const needs = 'put command needs 1 argument and input from stdin or 2 arguments';
  if (args.length === 0) throw new ExitError(EXIT_BAD_ARGS, needs);
  const value = args.length > 1 ? args[1] : stdin;
  if (value === '' && args.length < 2) throw new ExitError(EXIT_BAD_ARGS, needs);
  const leaseArg = f.get('lease') ?? '0';
  const lease = parseGoInt(leaseArg, 16);
  if (lease === null)
    throw new ExitError(
      EXIT_BAD_ARGS,
      `bad lease ID (strconv.ParseInt: parsing ${JSON.stringify(leaseArg)}: invalid syntax), expecting ID in Hex`,
    );
  return { key: args[0], value, lease, prevKv: f.get('prev-kv') === 'true' };
}

function delOp(args: string[], f: Map<string, string>) {
  const prefix = f.get('prefix') === 'true';
  const fromKey = f.get('from-key') === 'true';
  if (args.length === 0 || args.length > 2)
    throw new ExitError(
      EXIT_BAD_ARGS,
      'del command needs one argument as key and an optional argument as range_end',
    );
  if (prefix && fromKey)
    throw new ExitError(
      EXIT_BAD_ARGS,
      '`--prefix` and `--from-key` cannot be set at the same time, choose one',
    );
  let key = args[0];
  let rangeEnd: string | undefined;
  if (args.length > 1) {
    if (prefix || fromKey)
      throw new ExitError(
        EXIT_BAD_ARGS,
        'too many arguments, only accept one argument when `--prefix` or `--from-key` is set',
      );
    rangeEnd = args[1];
  }
  if (prefix) {
    if (key === '') key = '\0';
    rangeEnd = key === '\0' ? '\0' : prefixEnd(key);
  }
  if (fromKey) {
    if (key === '') key = '\0';
    rangeEnd = '\0';
  }
  return { key, rangeEnd, prevKv: f.get('prev-kv') === 'true' };
}

/** A single get/put/del, printed with the command's own printer. */
async function runRequest(c: Ctx, [op]: RequestOp[]): Promise<number> {
  const kv = client(c);
  if ('range' in op) {
    const res = await rangeSorted(c, kv, op.range as GetOp);
    c.display.get(res, c.flags.get('print-value-only') === 'true');
  } else if ('put' in op) {
    checkSendSize(c, putSize(op.put));
    c.display.put(await unary(c, () => kv.put(op.put)));
  } else if ('deleteRange' in op)
    c.display.del(await unary(c, () => kv.deleteRange(op.deleteRange)));
  return 0;
}

/** etcd sorts on the server before applying the limit; the lab's client API has no sort, so
 * etcdctl fetches the whole range, sorts and cuts it here. */
async function rangeSorted(c: Ctx, kv: KvClient, op: GetOp) {
  const { sortOrder, sortTarget, ...req } = op;
  if (!sortOrder || (sortTarget === 'KEY' && sortOrder === 'ASCEND'))
    return unary(c, () => kv.range(req));
  const res = await unary(c, () => kv.range({ ...req, limit: 0 }));
  const field = (x: (typeof res.kvs)[0]): string | number =>
    sortTarget === 'CREATE'
      ? x.createRevision
      : sortTarget === 'MODIFY'
        ? x.modRevision
        : sortTarget === 'VERSION'
          ? x.version
          : sortTarget === 'VALUE'
            ? x.value
            : x.key;
  res.kvs.sort((a, b) => {
    const d = field(a) < field(b) ? -1 : field(a) > field(b) ? 1 : 0;
    return sortOrder === 'DESCEND' ? -d : d;
  });
  const limit = req.limit ?? 0;
  if (limit > 0 && res.kvs.length > limit) {
    res.kvs = res.kvs.slice(0, limit);
    res.more = true;
  }
  return res;
}

// ---- txn ---------------------------------------------------------------------------------

async function runTxn(c: Ctx): Promise<number> {
  if (c.args.length !== 0)
    throw new ExitError(EXIT_BAD_ARGS, 'txn command does not accept argument');
  const kv = client(c);
  const reader = new LineReader(await readAll(c.io.stdin));
  const compare = reader.readSection().map(parseCompare);
  const success = reader.readSection().map(parseRequestLine);
  const failure = reader.readSection().map(parseRequestLine);
  const res = await unary(c, () => kv.txn({ compare, success, failure }));
  c.display.txn(res);
  return 0;
}

/** One `get|put|del ...` line of a txn, parsed as the real command's flags and arguments. */
function parseRequestLine(line: string): RequestOp {
  const args = argify(line);
  if (args.length < 2) throw new TxnInputError(`invalid txn compare request: ${line}`);
  const specs: Record<string, FlagSpecs> = { get: GET_FLAGS, put: PUT_FLAGS, del: DEL_FLAGS };
  const flags = own(specs, args[0]);
  if (!flags) throw new TxnInputError(`invalid txn request: ${line}`);
  let parsed;
  try {
    parsed = parseFlags(args.slice(1), { ...flags, help: { type: 'bool', default: 'false' } });
  } catch {
    throw new TxnInputError(`invalid txn request: ${line}`);
  }
  if (args[0] === 'get') {
    const { sortOrder: _o, sortTarget: _t, ...range } = getOp(parsed.args, parsed.values);
    return { range };
  }
  if (args[0] === 'put') return { put: putOp(parsed.args, parsed.values, '') };
  return { deleteRange: delOp(parsed.args, parsed.values) };
}

// ---- watch -------------------------------------------------------------------------------

async function runWatch(c: Ctx): Promise<number> {
  const dash = c.args.indexOf('--');
  const args = dash >= 0 ? c.args.slice(0, dash) : c.args;
  if (args.length < 1 || args.length > 2)
    throw new ExitError(EXIT_BAD_ARGS, 'bad number of arguments');
  const prefix = c.flags.get('prefix') === 'true';
  if (args.length === 2 && prefix)
    throw new ExitError(EXIT_BAD_ARGS, '`range_end` and `--prefix` are mutually exclusive');
  const kv = client(c);
  let key = args[0];
  let rangeEnd = args[1];
  if (prefix) {
    if (key === '') key = '\0';
    rangeEnd = key === '\0' ? '\0' : prefixEnd(key);
  }
  const startRevision = parseGoInt(c.flags.get('rev') ?? '0', 0) ?? 0;
  const prevKv = c.flags.get('prev-kv') === 'true';
  const progressNotify = c.flags.get('progress-notify') === 'true';

  let canceled = false;
  let stop = () => {};
  const done = new Promise<void>((resolve) => {
    stop = resolve;
    if (c.io.signal.aborted) resolve();
    c.io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  let failure: unknown;
  const watcher = kv.watch({ key, rangeEnd, startRevision, prevKv, progressNotify }, (res) => {
    try {
      if (res.canceled) {
        canceled = true;
        c.io.stdout(`watch was canceled (${res.cancelReason ?? ''})\n`);
      }
      c.display.watch(res);
    } catch (e) {
      failure = e;
    }
    if (canceled || failure) stop();
  });
  await done;
  watcher.cancel();
  if (failure) throw failure;
  if (canceled) throw new ExitError(EXIT_INTERRUPTED, 'watch is canceled by the server');
  return EXIT_SIGINT;
}

// ---- compaction, leases --------------------------------------------------------------------

async function runCompaction(c: Ctx): Promise<number> {
  if (c.args.length !== 1)
    throw new ExitError(EXIT_BAD_ARGS, 'compaction command needs 1 argument');
  const rev = parseGoInt(c.args[0], 10);
  if (rev === null)
    throw new ExitError(
      EXIT_ERROR,
      `strconv.ParseInt: parsing ${JSON.stringify(c.args[0])}: invalid syntax`,
    );
  const kv = client(c);
  const res = await unary(c, () => kv.compact(rev));
  c.display.compaction(rev, res.header);
  return 0;
}

function leaseId(c: Ctx): number {
  const id = parseGoInt(c.args[0], 16);
  if (id === null)
    throw new ExitError(
      EXIT_BAD_ARGS,
      `bad lease ID arg (strconv.ParseInt: parsing ${JSON.stringify(c.args[0])}: invalid syntax), expecting ID in Hex`,
    );
  return id;
}

async function runLeaseGrant(c: Ctx): Promise<number> {
  if (c.args.length !== 1)
    throw new ExitError(EXIT_BAD_ARGS, 'lease grant command needs TTL argument');
  const ttl = parseGoInt(c.args[0], 10);
  if (ttl === null)
    throw new ExitError(
      EXIT_BAD_ARGS,
      `bad TTL (strconv.ParseInt: parsing ${JSON.stringify(c.args[0])}: invalid syntax)`,
    );
  const kv = client(c);
  const res = await unary(
    c,
    () => kv.leaseGrant(ttl),
    (m) => `failed to grant lease (${m})`,
  );
  c.display.grant(res);
  return 0;
}

async function runLeaseRevoke(c: Ctx): Promise<number> {
  if (c.args.length !== 1)
    throw new ExitError(EXIT_BAD_ARGS, 'lease revoke command needs 1 argument');
  const id = leaseId(c);
  const kv = client(c);
  const res = await unary(
    c,
    () => kv.leaseRevoke(id),
    (m) => `failed to revoke lease (${m})`,
  );
  c.display.revoke(id, res.header);
  return 0;
}

async function runLeaseTimeToLive(c: Ctx): Promise<number> {
  if (c.args.length !== 1)
    throw new ExitError(EXIT_BAD_ARGS, 'lease timetolive command needs lease ID as argument');
  const id = leaseId(c);
  const withKeys = c.flags.get('keys') === 'true';
  const kv = client(c);
  const res = await unary(c, () => kv.leaseTimeToLive(id, withKeys));
  c.display.timeToLive(res, withKeys);
  return 0;
}

async function runLeaseKeepAlive(c: Ctx): Promise<number> {
  if (c.args.length !== 1)
    throw new ExitError(EXIT_BAD_ARGS, 'lease keep-alive command needs lease ID as argument');
  const id = leaseId(c);
  const kv = client(c);
  if (c.flags.get('once') === 'true') {
    try {
      c.display.keepAlive(await kv.leaseKeepAlive(id));
    } catch (e) {
      if (!(e instanceof KvError)) throw e;
      throw new ExitError(EXIT_BAD_CONNECTION, e.message);
    }
    return 0;
  }
  // clientv3 renews every TTL/3 seconds until interrupted or the lease is gone.
  for (;;) {
    let res;
    try {
      res = await kv.leaseKeepAlive(id);
    } catch (e) {
      if (!(e instanceof KvError)) throw e;
      if (c.flags.get('write-out') === 'simple')
        c.io.stdout(`lease ${id.toString(16).padStart(16, '0')} expired or revoked.\n`);
      return 0;
    }
    c.display.keepAlive(res);
    try {
      await c.host.clock.sleep(Math.max(1, Math.floor(res.ttl / 3)) * 1000, c.io.signal);
    } catch {
      return EXIT_SIGINT;
    }
  }
}

async function runLeaseList(c: Ctx): Promise<number> {
  const kv = client(c);
  c.display.leases(await unary(c, () => kv.leaseList()));
  return 0;
}

// ---- cluster: endpoint status / health, member list ---------------------------------------

async function runEndpointStatus(c: Ctx): Promise<number> {
  const kv = client(c);
  const list = [];
  for (const endpoint of endpoints(c)) {
    const s = await unary(c, () => kv.status());
    list.push({
      endpoint,
      header: s.header,
      version: s.version,
      dbSize: s.dbSize,
      dbSizeInUse: s.dbSizeInUse ?? s.dbSize,
      leader: s.leader,
      isLearner: s.isLearner ?? false,
      raftTerm: s.raftTerm ?? s.header.raftTerm,
      raftIndex: s.raftIndex,
      raftAppliedIndex: s.raftAppliedIndex ?? s.raftIndex,
      errors: s.errors ?? [],
    });
  }
  c.display.endpointStatus(list);
  return 0;
}

async function runEndpointHealth(c: Ctx): Promise<number> {
  const kv = client(c);
  const list = [];
  for (const endpoint of endpoints(c)) {
    // etcdctl's check is a linearizable get of "health".
    const res = await unary(c, () => kv.range({ key: 'health' }));
    list.push({ endpoint, health: true, took: proposalTime(res.header.revision, c), error: '' });
  }
  c.display.endpointHealth(list);
  return 0;
}

/** The lab commits instantly; report a raft round trip of about a millisecond and a half,
 * varying as real measurements do. */
function proposalTime(revision: number, c: Ctx): string {
  const jitter = (Math.imul(revision + Math.floor(c.host.clock.now()), 2654435761) >>> 0) % 900_000;
  return goDuration((900_000 + jitter) / 1e6);
}

/** alarm list / alarm disarm (disarm lists what it disarmed). */
async function runAlarm(c: Ctx, action: 'list' | 'disarm'): Promise<number> {
  const kv = client(c);
  const res = await unary(c, () => (action === 'list' ? kv.alarmList() : kv.alarmDisarm()));
  if (c.flags.get('write-out') === 'fields') {
    // etcdctl 3.4's fields printer reads the alarm response's header, which etcd leaves nil.
    c.io.stderr(
      'panic: runtime error: invalid memory address or nil pointer dereference\n' +
        '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0xb9181e]\n\ngoroutine 1 [running]:\n',
    );
    return 2;
  }
  c.display.alarms(res.alarms);
  return 0;
}

async function runMemberList(c: Ctx): Promise<number> {
  const kv = client(c);
  if (!kv.memberList) throw new ExitError(EXIT_ERROR, 'etcdserver: member list unavailable');
  const list = kv.memberList.bind(kv);
  const res = await unary(c, () => list());
  c.display.memberList(res.header, res.members);
  return 0;
}
