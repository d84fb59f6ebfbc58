// kubectl 1.30 against the lab's API objects (kube/store.ts reads them from etcd as the
// apiserver would): get nodes|pods|configmaps|daemonsets|namespaces [NAME] [-n NS|-A]
// [-o wide|yaml|name], with kubectl's tables (text/tabwriter, minwidth 6, padding 3), ages
// (apimachinery's HumanDuration) and errors; exec POD -- CMD and logs POD on the node's pods. Debian has no kubectl to record from: the
// columns and messages follow kubectl's printers (pkg/printers/internalversion) and cobra.

import { KubeError, KubeStore, type KubeObject, type Resource } from '../../kube/store.ts';
import { tabwrite } from '../docker/format.ts';
import type { HostContext, Program, ProgramIO } from '../types.ts';
import { toYaml } from './yaml.ts';

const RESOURCES: Record<string, Resource> = {
  node: 'nodes',
  nodes: 'nodes',
  no: 'nodes',
  pod: 'pods',
  pods: 'pods',
  po: 'pods',
  configmap: 'configmaps',
  configmaps: 'configmaps',
  cm: 'configmaps',
  daemonset: 'daemonsets',
  daemonsets: 'daemonsets',
  ds: 'daemonsets',
  namespace: 'namespaces',
  namespaces: 'namespaces',
  ns: 'namespaces',
};
const CLUSTER_SCOPED = new Set<Resource>(['nodes', 'namespaces']);
const REFUSED =
  'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n';

class UsageError extends Error {}

interface Parsed {
  args: string[];
  /** After `--` (exec's command). */
  rest: string[];
  namespace?: string;
  allNamespaces: boolean;
  output?: string;
}

/** pflag: flags anywhere among the arguments, `-n NS`, `-nNS`, `--namespace=NS`, `-it`. */
function parseArgs(argv: string[], command: string): Parsed {
  const out: Parsed = { args: [], rest: [], allNamespaces: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.rest = argv.slice(i + 1);
      break;
    }
    const long = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    const value = (inline: string | undefined, name: string) => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: ${name}`);
      return argv[++i];
    };
    if (long) {
      const [, name, inline] = long;
      if (name === 'namespace') out.namespace = value(inline, '--namespace');
      else if (name === 'output') out.output = value(inline, '--output');
      else if (name === 'all-namespaces') out.allNamespaces = inline !== 'false';
      else if (name === 'stdin' || name === 'tty') continue;
      else
        throw new UsageError(`unknown flag: --${name}\nSee 'kubectl ${command} --help' for usage.`);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j];
        const inline = j + 1 < arg.length ? arg.slice(j + 1) : undefined;
        if (c === 'n') out.namespace = value(inline, "'n' in -n");
        else if (c === 'o') out.output = value(inline, "'o' in -o");
        else if (c === 'A') {
          out.allNamespaces = true;
          continue;
        } else if (c === 'i' || c === 't') continue;
        else
          throw new UsageError(
            `unknown shorthand flag: '${c}' in ${arg}\nSee 'kubectl ${command} --help' for usage.`,
          );
        break;
      }
      continue;
    }
    out.args.push(arg);
  }
  return out;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

type Row = (obj: KubeObject, age: string, wide: boolean) => string[];

const str = (v: unknown, none = '<none>') => (typeof v === 'string' && v !== '' ? v : none);

function nodeRow(node: KubeObject, age: string, wide: boolean): string[] {
  const status = (node.status ?? {}) as {
    conditions?: { type: string; status: string }[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: Record<string, string>;
  };
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  let state =
    ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  if (node.spec?.unschedulable === true) state += ',SchedulingDisabled';
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length))
    .sort();
  const info = status.nodeInfo ?? {};
  const row = [
    node.metadata.name,
    state,
    roles.join(',') || '<none>',
    age,
    str(info.kubeletVersion, ''),
  ];
  if (!wide) return row;
  const addr = (type: string) => str(status.addresses?.find((a) => a.type === type)?.address);
  return [
    ...row,
    addr('InternalIP'),
    addr('ExternalIP'),
    str(info.osImage, '<unknown>'),
    str(info.kernelVersion, '<unknown>'),
    str(info.containerRuntimeVersion, '<unknown>'),
  ];
}

function podRow(pod: KubeObject, age: string, wide: boolean): string[] {
  const spec = (pod.spec ?? {}) as { containers?: unknown[]; nodeName?: string };
  const status = (pod.status ?? {}) as {
    phase?: string;
    podIP?: string;
    containerStatuses?: { ready?: boolean; restartCount?: number }[];
  };
  const statuses = status.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready).length;
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const row = [
    pod.metadata.name,
    `${ready}/${spec.containers?.length ?? statuses.length}`,
    str(status.phase, 'Pending'),
    String(restarts),
    age,
  ];
  return wide ? [...row, str(status.podIP), str(spec.nodeName), '<none>', '<none>'] : row;
}

const simpleRow =
  (extra: (o: KubeObject) => string[]): Row =>
  (o, age) => [o.metadata.name, ...extra(o), age];

const TABLES: Record<Resource, { header: string[]; wide?: string[]; row: Row }> = {
  nodes: {
    header: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    wide: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    row: nodeRow,
  },
  pods: {
    header: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    wide: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    row: podRow,
  },
  configmaps: {
    header: ['NAME', 'DATA', 'AGE'],
    row: simpleRow((o) => [String(Object.keys(o.data ?? {}).length)]),
  },
  daemonsets: {
    header: [
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'NODE SELECTOR',
      'AGE',
    ],
    row: simpleRow((o) => {
      const s = (o.status ?? {}) as Record<string, number>;
      const n = (k: string) => String(s[k] ?? 0);
      return [
        n('desiredNumberScheduled'),
        n('currentNumberScheduled'),
        n('numberReady'),
        n('updatedNumberScheduled'),
        n('numberAvailable'),
        '<none>',
      ];
    }),
  },
  namespaces: {
    header: ['NAME', 'STATUS', 'AGE'],
    row: simpleRow((o) => [str((o.status as { phase?: string } | undefined)?.phase, 'Active')]),
  },
};

async function get(p: Parsed, io: ProgramIO, host: HostContext, store: KubeStore): Promise<number> {
  const [type, ...names] = p.args;
  if (type === undefined) {
    io.stderr(
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples\n',
    );
    return 1;
  }
  const resource = RESOURCES[type.toLowerCase()];
  if (!resource) {
    io.stderr(`error: the server doesn't have a resource type "${type}"\n`);
    return 1;
  }
  const output = p.output ?? '';
  if (!['', 'wide', 'yaml', 'name'].includes(output)) {
    io.stderr(
      `error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n`,
    );
    return 1;
  }
  const scoped = !CLUSTER_SCOPED.has(resource);
  const namespace = scoped && !p.allNamespaces ? (p.namespace ?? 'default') : undefined;
  let items: KubeObject[];
  let status = 0;
  if (names.length > 0) {
    items = [];
    for (const name of names) {
      try {
        items.push(
          await store.get(resource, name, scoped ? (p.namespace ?? 'default') : undefined),
        );
      } catch (err) {
        if (!(err instanceof KubeError)) throw err;
        io.stderr(`Error from server (${err.reason}): ${err.message}\n`);
        status = 1;
      }
    }
  } else {
    items = (await store.list(resource, namespace)).items;
    if (items.length === 0) {
      io.stderr(
        namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n',
      );
      return 0;
    }
  }
  if (items.length === 0) return status;
  if (output === 'yaml') {
    const doc =
      names.length === 1
        ? items[0]
        : { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
    io.stdout(toYaml(doc));
    return status;
  }
  if (output === 'name') {
    const kind = resource === 'configmaps' ? 'configmap' : resource.replace(/s$/, '');
    const group = resource === 'daemonsets' ? 'daemonset.apps' : kind;
    io.stdout(items.map((o) => `${group}/${o.metadata.name}\n`).join(''));
    return status;
  }
  const table = TABLES[resource];
  const wide = output === 'wide';
  const header = [
    ...(p.allNamespaces && scoped ? ['NAMESPACE'] : []),
    ...table.header,
    ...(wide ? (table.wide ?? []) : []),
  ];
  const now = host.clock.now();
  const rows = items.map((o) => {
    const age = humanDuration(now - Date.parse(o.metadata.creationTimestamp));
    const row = table.row(o, age, wide);
    return p.allNamespaces && scoped ? [o.metadata.namespace ?? '', ...row] : row;
  });
  io.stdout(tabwrite([header, ...rows], 6));
  return status;
}

/** The pod named by the first argument, or why not (kubectl's messages). */
async function findPod(
  p: Parsed,
  io: ProgramIO,
  store: KubeStore,
  missing: string,
): Promise<KubeObject | undefined> {
  const name = p.args[0]?.replace(/^pods?\//, '');
  if (!name) {
    io.stderr(`error: ${missing}\n`);
    return undefined;
  }
  try {
    return await store.get('pods', name, p.namespace ?? 'default');
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
    io.stderr(`Error from server (${err.reason}): ${err.message}\n`);
    return undefined;
  }
}

const nodeOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName;
const hostNetwork = (pod: KubeObject) =>
  pod.metadata.namespace === 'kube-flannel' ||
  (pod.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork === true;

/**
 * exec: the command in the pod's network namespace (a CNI pod's is named after it; a
 * host-network pod's is the node's). The apiserver would proxy to that node's kubelet; one
 * host's worker cannot run a command on another's, so a pod elsewhere is refused, saying so.
 */
async function exec(
  p: Parsed,
  io: ProgramIO,
  host: HostContext,
  store: KubeStore,
): Promise<number> {
  const pod = await findPod(p, io, store, 'pod, type/name or --filename must be specified');
  if (!pod) return 1;
  if (p.rest.length === 0) {
    io.stderr('error: you must specify at least one command for the container\n');
    return 1;
  }
  const node = nodeOf(pod);
  if (node !== host.hostname) {
    io.stderr(
      `error: pod ${pod.metadata.name} runs on ${node}: in the lab, kubectl exec reaches the pods of the node it runs on (run it on ${node})\n`,
    );
    return 1;
  }
  const netns = hostNetwork(pod) ? '' : pod.metadata.name;
  return host.exec(p.rest, io, netns);
}

/**
 * logs: a kube-flannel pod's container output is flanneld's stderr, in this node's journal.
 * One host's worker cannot read another's journal: for a pod elsewhere it says so and prints
 * this node's flanneld log.
 */
async function logs(
  p: Parsed,
  io: ProgramIO,
  host: HostContext,
  store: KubeStore,
): Promise<number> {
  const pod = await findPod(
    p,
    io,
    store,
    "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
  );
  if (!pod) return 1;
  if (pod.metadata.namespace !== 'kube-flannel') return 0;
  const node = nodeOf(pod);
  if (node !== host.hostname)
    io.stderr(
      `(the lab's hosts cannot read each other's journals: ${host.hostname}'s flanneld log, not ${node}'s)\n`,
    );
  const lines = (host.journal?.entries ?? [])
    .filter((e) => e.unit === 'flanneld.service' && e.ident !== 'systemd')
    .map((e) => `${e.message}\n`);
  io.stdout(lines.join(''));
  return 0;
}

/**
 * delete TYPE NAME...: the object goes from the store at once (no grace period: the lab's
 * kubelet tears a pod's network down when it sees the DELETE, wherever the pod runs).
 */
async function del(
  p: Parsed,
  io: ProgramIO,
  _host: HostContext,
  store: KubeStore,
): Promise<number> {
  const [type, ...names] = p.args;
  const resource = type === undefined ? undefined : RESOURCES[type.toLowerCase()];
  if (type === undefined || names.length === 0) {
    io.stderr(
      type === undefined
        ? "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n"
        : 'error: resource(s) were provided, but no name was specified\n',
    );
    return 1;
  }
  if (!resource) {
    io.stderr(`error: the server doesn't have a resource type "${type}"\n`);
    return 1;
  }
  const namespace = CLUSTER_SCOPED.has(resource) ? undefined : (p.namespace ?? 'default');
  let status = 0;
  for (const name of names) {
    try {
      await store.delete(resource, name, namespace);
      const kind = resource === 'configmaps' ? 'configmap' : resource.replace(/s$/, '');
      io.stdout(`${kind}${resource === 'daemonsets' ? '.apps' : ''} "${name}" deleted\n`);
    } catch (err) {
      if (!(err instanceof KubeError)) throw err;
      io.stderr(`Error from server (${err.reason}): ${err.message}\n`);
      status = 1;
    }
  }
  return status;
}

const COMMANDS = { get, exec, logs, delete: del };

export const kubectl: Program = async (argv, io, host) => {
  const [command, ...rest] = argv.slice(1);
  if (command === undefined) {
    io.stdout(
      'kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n',
    );
    return 0;
  }
  if (!(command in COMMANDS)) {
    io.stderr(`error: unknown command "${command}" for "kubectl"\n`);
    return 1;
  }
  let parsed: Parsed;
  try {
    parsed = parseArgs(rest, command);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`error: ${err.message}\n`);
    return 1;
  }
  if (!host.kv) {
    io.stderr(REFUSED);
    return 1;
  }
  const store = new KubeStore(host.kv, host.clock, host.random ?? (() => 0));
  return COMMANDS[command as keyof typeof COMMANDS](parsed, io, host, store);
};
