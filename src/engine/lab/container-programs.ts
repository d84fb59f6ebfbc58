// What a busybox container can run: busybox's own ifconfig and ping (their formats differ
// from net-tools' and iputils'), its `hostname` (the container's short id), `sh` (`sh -c LINE`,
// or the lines of its stdin, in the shell's grammar), and the host's programs for the applets
// whose output busybox shares with them (ip, cat, echo, sleep...), all in the container's
// network namespace. The container sees the host's files (the lab keeps no image layers). A
// name busybox has no applet for fails as runc's exec does.

import { busyboxIfconfig } from '../programs/busybox/ifconfig.ts';
import { busyboxPing } from '../programs/busybox/ping.ts';
import type { HostContext, Program, ProgramIO } from '../programs/types.ts';
import { inNetns } from '../shell/bash.ts';
import { createDefaultRegistry, createShell, ProgramRegistry, runArgv } from '../shell/index.ts';
import type { Host } from './host.ts';
import { readAll, TERMINAL_INPUT } from '../os/pipe.ts';

/** Applets that print as the host's programs do (coreutils come with the default registry). */
const FROM_HOST = ['ip'];
/** Default-registry programs busybox does not have. */
const NOT_IN_BUSYBOX = ['bash', 'download'];

const hostnameApplet: Program = async (_argv, io, ctx) => {
  io.stdout(`${ctx.hostname}\n`);
  return 0;
};

function containerRegistry(host: Host): ProgramRegistry {
  const base = createDefaultRegistry();
  const registry = new ProgramRegistry();
  for (const name of base.names())
    if (!NOT_IN_BUSYBOX.includes(name)) {
      const e = base.get(name)!;
      registry.register(name, e.run, e.summary);
    }
  for (const name of FROM_HOST) {
    const e = host.registry.get(name);
    if (e) registry.register(name, e.run, e.summary);
  }
  registry.register('ifconfig', busyboxIfconfig, 'configure a network interface');
  registry.register('ping', busyboxPing, 'send ICMP ECHO_REQUESTs');
  registry.register('hostname', hostnameApplet, 'show the host name');
  registry.register('sh', shApplet(registry), 'the busybox shell');
  return registry;
}

/** `sh -c LINE` runs LINE; plain `sh` runs the lines of its stdin. */
function shApplet(registry: ProgramRegistry): Program {
  return async (argv, io, ctx) => {
    const c = argv.indexOf('-c');
    const script = c >= 0 ? (argv[c + 1] ?? '') : await readAll(io.stdin);
    if (c >= 0 && argv[c + 1] === undefined) {
      io.stderr('sh: -c requires an argument\n');
      return 2;
    }
    // A copy: the shell adds its own `bash`, which busybox has not.
    const own = new ProgramRegistry();
    for (const name of registry.names()) {
      const e = registry.get(name)!;
      own.register(name, e.run, e.summary);
    }
    const shell = createShell(ctx, own);
    let status = 0;
    for (const line of script.split('\n').filter((l) => l.trim())) {
      status = await shell.run(line, { ...io, stdin: TERMINAL_INPUT });
      if (shell.state.exited || io.signal.aborted) break;
    }
    return status;
  };
}

const registries = new WeakMap<Host, ProgramRegistry>();

export async function runInContainer(
  host: Host,
  netns: string,
  id: string,
  argv: string[],
  io: ProgramIO,
): Promise<number> {
  let registry = registries.get(host);
  if (!registry) registries.set(host, (registry = containerRegistry(host)));
  const name = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  if (!registry.get(name)) {
    io.stderr(
      `OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused "exec: \\"${argv[0]}\\": executable file not found in $PATH": unknown\n`,
    );
    return 126;
  }
  const reg = registry;
  const view: HostContext = {
    ...inNetns(host, netns),
    hostname: id.slice(0, 12),
    exec: (cmd, cio, ns) => runArgv(cmd, cio, inNetns(view, ns), reg),
  };
  return runArgv([name, ...argv.slice(1)], io, view, registry);
}
