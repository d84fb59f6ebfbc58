// Every program a host's shell can run beyond the shell's own (coreutils, ping, bash): one entry
// per program with the line `help` prints, how it is loaded, and how Tab completes its words.
//
// The big ones (ip, bridge, tcpdump, etcdctl, iptables) are `lazy`: Node tests and the in-process
// lab import them with the rest (./programs-static.ts), while a host worker loads each the first
// time it runs (src/workers/programs-on-demand.ts). Every host is a worker with its own copy of
// what it loaded, and a node boots without running any of them (measured: 0.75 MB less per host
// in a 16-host lab). A new program is its module plus one entry here.
import { brctl } from '../programs/brctl/brctl.ts';
import { docker } from '../programs/docker/docker.ts';
import { mkDockerOpts } from '../programs/docker/mk-docker-opts.ts';
import { download } from '../programs/download/download.ts';
import { trace } from '../programs/trace/trace.ts';
import { journalctl } from '../programs/journalctl/journalctl.ts';
import { arp } from '../programs/net-tools/arp.ts';
import { ifconfig } from '../programs/net-tools/ifconfig.ts';
import { netstat, route } from '../programs/net-tools/route.ts';
import { nsenter } from '../programs/nsenter/nsenter.ts';
import { ps } from '../programs/ps/ps.ts';
import { systemctl } from '../programs/systemctl/systemctl.ts';
import type { Program } from '../programs/types.ts';
import {
  createDefaultRegistry,
  type CompletionSpec,
  type ProgramRegistry,
} from '../shell/index.ts';

interface HostProgram {
  summary: string;
  completion?: CompletionSpec;
  /** The program, imported with the host's code. */
  run?: Program;
  /** The program's own chunk, loaded the first time it runs. */
  lazy?: () => Promise<Program>;
}

export const HOST_PROGRAMS = {
  ip: {
    summary: 'show / manipulate routing, network devices, interfaces and tunnels',
    lazy: async () => (await import('../programs/ip/index.ts')).ip,
    completion: {
      subcommands: {
        '': ['address', 'link', 'neighbour', 'netns', 'route', 'help'],
        address: ['add', 'del', 'flush', 'show'],
        link: ['add', 'del', 'set', 'show'],
        neighbour: ['add', 'del', 'flush', 'replace', 'show'],
        route: ['add', 'append', 'del', 'get', 'replace', 'show'],
        netns: ['add', 'del', 'exec', 'list'],
      },
      // iproute2 accepts abbreviations: `ip a`, `ip r`, `ip n`, `ip l`.
      abbreviations: {
        a: 'address',
        addr: 'address',
        l: 'link',
        n: 'neighbour',
        neigh: 'neighbour',
        neighbor: 'neighbour',
        r: 'route',
        ro: 'route',
        rou: 'route',
      },
    },
  },
  bridge: {
    summary: 'show / manipulate bridge addresses and devices',
    lazy: async () => (await import('../programs/bridge/index.ts')).bridge,
    completion: {
      subcommands: {
        '': ['fdb', 'link', 'help'],
        fdb: ['add', 'append', 'del', 'replace', 'show'],
        link: ['show'],
      },
    },
  },
  tcpdump: {
    summary: 'dump traffic on a network',
    lazy: async () => (await import('../programs/tcpdump/index.ts')).tcpdump,
  },
  etcdctl: {
    summary: 'a simple command line client for etcd3',
    lazy: async () => (await import('../programs/etcdctl/etcdctl.ts')).etcdctl,
    completion: {
      subcommands: {
        '': [
          'alarm',
          'compaction',
          'del',
          'endpoint',
          'get',
          'lease',
          'member',
          'put',
          'txn',
          'version',
          'watch',
        ],
        alarm: ['disarm', 'list'],
        lease: ['grant', 'keep-alive', 'list', 'revoke', 'timetolive'],
        endpoint: ['health', 'status'],
        member: ['list'],
      },
    },
  },
  iptables: {
    summary: 'administration tool for IPv4 packet filtering and NAT',
    lazy: async () => (await import('../programs/iptables/iptables.ts')).iptables,
  },
  conntrack: {
    summary: 'command line interface for netfilter connection tracking',
    lazy: async () => (await import('../programs/conntrack/conntrack.ts')).conntrack,
  },
  tc: {
    summary: 'show / manipulate traffic control settings',
    lazy: async () => (await import('../programs/tc/tc.ts')).tc,
    completion: {
      subcommands: { '': ['qdisc', 'help'], qdisc: ['add', 'change', 'del', 'replace', 'show'] },
    },
  },
  systemctl: {
    summary: 'control the systemd system and service manager',
    run: systemctl,
    completion: {
      subcommands: {
        '': [
          'daemon-reload',
          'is-active',
          'is-enabled',
          'kill',
          'list-units',
          'restart',
          'start',
          'status',
          'stop',
        ],
      },
      operands: ['flanneld', 'etcd', 'docker'],
    },
  },
  journalctl: { summary: 'print log entries from the systemd journal', run: journalctl },
  nsenter: { summary: 'run program in different namespaces', run: nsenter },
  download: { summary: "send files to this terminal's user (browser download)", run: download },
  trace: { summary: 'run a command and follow its packets across the lab', run: trace },
  // Docker mode (the seeds' docker hosts) and the net-tools the articles type.
  docker: {
    summary: 'a self-sufficient runtime for containers',
    run: docker,
    completion: {
      subcommands: {
        '': ['exec', 'inspect', 'network', 'ps', 'rm', 'run', 'start', 'stop'],
        network: ['inspect', 'ls'],
      },
    },
  },
  'mk-docker-opts.sh': {
    summary: "generate Docker daemon options from flannel's subnet.env",
    run: mkDockerOpts,
  },
  ifconfig: { summary: 'configure a network interface (net-tools)', run: ifconfig },
  route: { summary: 'show the IP routing table (net-tools)', run: route },
  netstat: { summary: 'print the routing table (net-tools, -r)', run: netstat },
  arp: { summary: 'show the ARP cache (net-tools)', run: arp },
  brctl: { summary: 'ethernet bridge administration', run: brctl },
  ps: { summary: 'report a snapshot of the current processes', run: ps },
  // Kubernetes mode (seeds 000, 003): the API objects in the lab's etcd.
  kubectl: {
    summary: 'kubectl controls the Kubernetes cluster manager',
    lazy: async () => (await import('../programs/kubectl/kubectl.ts')).kubectl,
    completion: {
      subcommands: {
        '': ['get'],
        get: ['configmaps', 'daemonsets', 'namespaces', 'nodes', 'pods'],
      },
    },
  },
} satisfies Record<string, HostProgram>;

type Entries = typeof HOST_PROGRAMS;
export type BigProgram = {
  [N in keyof Entries]: Entries[N] extends { lazy: unknown } ? N : never;
}[keyof Entries];
/** The lazy programs, as the caller loads them (up front, or on first run). */
export type BigPrograms = Record<BigProgram, Program>;

export const BIG_PROGRAMS = (Object.keys(HOST_PROGRAMS) as (keyof Entries)[]).filter(
  (name): name is BigProgram => 'lazy' in HOST_PROGRAMS[name],
);

export function createHostRegistry(big: BigPrograms): ProgramRegistry {
  const registry = createDefaultRegistry();
  for (const [name, entry] of Object.entries(HOST_PROGRAMS) as [keyof Entries, HostProgram][]) {
    const run = entry.run ?? big[name as BigProgram];
    registry.register(name, run, entry.summary, entry.completion);
  }
  return registry;
}
