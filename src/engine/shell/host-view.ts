// The host as one process sees it: from a namespace (`ip netns exec`), or with relative paths
// taken from the shell's working directory (`cd`), or on a job's clock (stopped by Ctrl-Z).

import type { LabClock } from '../os/clock.ts';
import type { FileSystem } from '../os/fs-types.ts';
import type { HostContext } from '../programs/types.ts';

/** `host` as a program started in namespace `netns` sees it. */
export function inNetns(host: HostContext, netns: string): HostContext {
  return netns === host.netns ? host : hostView(host, { netns });
}

/** `host` with another namespace or filesystem view (a process's working directory). */
export function hostView(
  host: HostContext,
  changes: { netns?: string; fs?: FileSystem; clock?: LabClock },
): HostContext {
  return {
    hostname: host.hostname,
    kernel: host.kernel,
    clock: changes.clock ?? host.clock,
    random: host.random,
    fs: changes.fs ?? host.fs,
    kv: host.kv,
    services: host.services,
    journal: host.journal,
    sockets: host.sockets,
    netns: changes.netns ?? host.netns,
    exec: (argv, io, ns, missing) => host.exec(argv, io, ns, missing),
  };
}
