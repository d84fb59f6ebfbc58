// etcdctl's v2 commands (ETCDCTL_API=2; etcdctl 3.4.23, which prints as 3.2 and 3.3 do, the
// default API of the etcd the seeds install): set, get, mk, update, rm, ls, watch, member
// list, cluster-health over the v2 view of the lab's store (./v2-store.ts). Output and errors
// as recorded from the real etcdctl against etcd --enable-v2 (tests/golden/docker/etcd-v2.txt):
// `Error:  100: Key not found (/k) [6]` exits 4, a missing argument exits 1.

import type { Program, ProgramIO } from '../types.ts';
import { V2Error, V2Store, type V2Node } from './v2-store.ts';
import { readAll } from '../../os/pipe.ts';

const EXIT_BAD_ARGS = 1;
const EXIT_SERVER = 4;
const EXIT_UNKNOWN_COMMAND = 3;

const HELP: Record<string, string> = {
  watch: `NAME:
   etcdctl watch - watch a key for changes

USAGE:
   etcdctl watch [command options] <key>

OPTIONS:
   --forever, -f        forever watch a key until CTRL+C
   --after-index value  watch after the given index (default: 0)
   --recursive, -r      returns all values for key and child keys
   
`,
  rm: `NAME:
   etcdctl rm - remove a key or a directory

USAGE:
   etcdctl rm [command options] <key>

OPTIONS:
   --dir               removes the key if it is an empty directory or a key-value pair
   --recursive, -r     removes the key and all child keys(if it is a directory)
   --with-value value  previous value
   --with-index value  previous index (default: 0)
   
`,
  ls: `NAME:
   etcdctl ls - retrieve a directory

USAGE:
   etcdctl ls [command options] [key]

OPTIONS:
   --sort           returns result in sorted order
   --recursive, -r  returns all key names recursively for the given path
   -p               append slash (/) to directories
   --quorum, -q     require quorum for get request
   
`,
};

const COMMANDS = ['set', 'get', 'mk', 'update', 'rm', 'ls', 'watch', 'member', 'cluster-health'];

class ArgError extends Error {}

interface Parsed {
  bools: Set<string>;
  values: Map<string, string>;
  args: string[];
}

/** urfave/cli: flags before the arguments, `--ttl 60` or `--ttl=60`, short aliases. */
function parseCommand(argv: string[], bools: string[], values: string[]): Parsed {
  const out: Parsed = { bools: new Set(), values: new Map(), args: [] };
  const alias: Record<string, string> = { r: 'recursive', f: 'forever', q: 'quorum' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') {
      out.args.push(...argv.slice(i));
      break;
    }
    const [raw, inline] = a.replace(/^--?/, '').split(/=(.*)/s, 2);
    const name = alias[raw] ?? raw;
    if (bools.includes(name)) out.bools.add(name);
    else if (values.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new ArgError(`flag needs an argument: -${raw}`);
      out.values.set(name, v);
    } else throw new ArgError(`flag provided but not defined: -${raw}`);
  }
  return out;
}

function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

function nodeJson(n: V2Node): Record<string, unknown> {
  const out: Record<string, unknown> = { key: n.key };
  if (n.dir) out.dir = true;
  if (!n.dir) out.value = n.value ?? '';
  out.nodes = n.nodes ? n.nodes.map(nodeJson) : null;
  out.createdIndex = n.createdIndex;
  out.modifiedIndex = n.modifiedIndex;
  if (n.expiration !== undefined) out.expiration = goTime(n.expiration);
  if (n.ttl !== undefined) out.ttl = n.ttl;
  return out;
}

/** printResponseKey: simple prints the value (PrevNode.Value for a delete), extended the fields. */
function printResponse(
  io: ProgramIO,
  format: string,
  action: string,
  node: V2Node,
  index: number,
  prevNode?: V2Node,
): void {
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify({ action, node: nodeJson(node), prevNode: prevNode ? nodeJson(prevNode) : null })}\n`,
    );
    return;
  }
  if (format === 'extended') {
    io.stdout(
      `Key: ${node.key}\nCreated-Index: ${node.createdIndex}\nModified-Index: ${node.modifiedIndex}\n` +
        `TTL: ${node.ttl ?? 0}\nIndex: ${index}\n\n${node.value ?? ''}\n`,
    );
    return;
  }
  if (action === 'delete') io.stdout(`PrevNode.Value: ${prevNode?.value ?? ''}\n`);
  else io.stdout(`${node.value ?? ''}\n`);
}

function listing(node: V2Node, recursive: boolean, slash: boolean): string {
  let out = '';
  for (const child of node.nodes ?? []) {
    out += `${child.key}${slash && child.dir ? '/' : ''}\n`;
    if (recursive && child.dir) out += listing(child, true, slash);
  }
  return out;
}

async function run(
  command: string,
  argv: string[],
  io: ProgramIO,
  store: V2Store,
  format: string,
): Promise<number> {
  const need = (p: Parsed, what: string) => {
    if (p.args.length === 0) throw new ArgError(`${what} required`);
    return p.args[0];
  };
  switch (command) {
    case 'get': {
      const p = parseCommand(argv, ['sort', 'quorum'], []);
      const key = need(p, 'key');
      const { node, index } = await store.get(key);
      if (node.dir) {
        io.stderr(`${node.key}: is a directory\n`);
        return EXIT_BAD_ARGS;
      }
      printResponse(io, format, 'get', node, index);
      return 0;
    }
    case 'set':
    case 'mk':
    case 'update': {
      const p = parseCommand(argv, [], ['ttl', 'swap-with-value', 'swap-with-index']);
      const key = need(p, 'key');
      const piped = p.args[1] === undefined ? await readAll(io.stdin) : '';
      const value = p.args[1] ?? (piped !== '' ? piped : undefined);
      if (value === undefined) throw new ArgError('value required');
      const ttl = p.values.has('ttl') ? Number(p.values.get('ttl')) : undefined;
      const mode = command === 'mk' ? 'create' : command === 'update' ? 'update' : 'set';
      const res = await store.write(key, value, { ttl, mode });
      const action = mode === 'create' ? 'create' : mode;
      printResponse(io, format, action, res.node, res.index, res.prevNode);
      return 0;
    }
    case 'rm': {
      const p = parseCommand(argv, ['recursive', 'dir'], ['with-value', 'with-index']);
      const key = need(p, 'key');
      const res = await store.remove(key, p.bools.has('recursive'));
      // A directory removed with -r prints nothing; a key prints its old value.
      if (!res.prevNode.dir)
        printResponse(io, format, 'delete', res.prevNode, res.index, res.prevNode);
      return 0;
    }
    case 'ls': {
      const p = parseCommand(argv, ['sort', 'recursive', 'p', 'quorum'], []);
      const { node } = await store.get(p.args[0] ?? '/', p.bools.has('recursive'));
      io.stdout(
        node.dir ? listing(node, p.bools.has('recursive'), p.bools.has('p')) : `${node.key}\n`,
      );
      return 0;
    }
    case 'watch': {
      const p = parseCommand(argv, ['forever', 'recursive'], ['after-index']);
      const key = need(p, 'key');
      const recursive = p.bools.has('recursive');
      const forever = p.bools.has('forever');
      return new Promise<number>((resolve) => {
        const stop = store.watch(key, recursive, (e) => {
          if (recursive) io.stdout(`[${e.action}] ${e.node.key}\n`);
          printResponse(io, format, e.action, e.node, e.node.modifiedIndex, e.prevNode);
          if (!forever) done(0);
        });
        const done = (code: number) => {
          stop();
          io.signal.removeEventListener('abort', onAbort);
          resolve(code);
        };
        const onAbort = () => done(0);
        io.signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    default:
      return EXIT_UNKNOWN_COMMAND;
  }
}

export const etcdctlV2: Program = async (argv, io, host) => {
  let format = 'simple';
  let i = 1;
  // Global flags come before the command.
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const a = argv[i];
    if (a === '--version' || a === '-v') {
      io.stdout('etcdctl version: 3.4.23\nAPI version: 2\n');
      return 0;
    }
    const [name, inline] = a.replace(/^--?/, '').split(/=(.*)/s, 2);
    if (['o', 'output', 'endpoints', 'peers', 'C', 'timeout', 'total-timeout'].includes(name)) {
      const v = inline ?? argv[++i];
      if (name === 'o' || name === 'output') format = v ?? 'simple';
    } else if (!['debug', 'no-sync'].includes(name)) {
      io.stderr(`Incorrect Usage: flag provided but not defined: -${name}\n`);
      return EXIT_BAD_ARGS;
    }
  }
  const command = argv[i];
  const rest = argv.slice(i + 1);
  if (command === undefined) {
    io.stdout(
      'NAME:\n   etcdctl - A simple command line client for etcd.\n\nUSAGE:\n   etcdctl [global options] command [command options] [arguments...]\n',
    );
    return 0;
  }
  if (!COMMANDS.includes(command)) {
    io.stderr(`No help topic for '${command}'\n`);
    return EXIT_UNKNOWN_COMMAND;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(HELP[command] ?? '');
    return 0;
  }
  if (!host.kv) {
    io.stderr(
      'Error:  client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:2379: connect: connection refused\n\nerror #0: dial tcp 127.0.0.1:2379: connect: connection refused\n\n',
    );
    return EXIT_SERVER;
  }
  const kv = host.kv;
  if (command === 'member' || command === 'cluster-health') {
    if (command === 'member' && rest[0] !== 'list') {
      io.stdout('NAME:\n   etcdctl member - member add, remove and list subcommands\n');
      return 0;
    }
    const members = kv.memberList ? (await kv.memberList()).members : [];
    const status = await kv.status();
    for (const m of members) {
      const id = BigInt(m.id).toString(16);
      if (command === 'member')
        io.stdout(
          `${id}: name=${m.name} peerURLs=${m.peerUrls.join(',')} clientURLs=${m.clientUrls.join(',')} isLeader=${m.id === status.leader}\n`,
        );
      else io.stdout(`member ${id} is healthy: got healthy result from ${m.clientUrls[0]}\n`);
    }
    if (command === 'cluster-health') io.stdout('cluster is healthy\n');
    return 0;
  }
  const store = new V2Store(kv, () => host.clock.now());
  try {
    return await run(command, rest, io, store, format);
  } catch (err) {
    if (err instanceof ArgError) {
      io.stderr(`Error:  ${err.message}\n`);
      return EXIT_BAD_ARGS;
    }
    if (err instanceof V2Error) {
      io.stderr(`Error:  ${err.message}\n`);
      return EXIT_SERVER;
    }
    throw err;
  }
};
