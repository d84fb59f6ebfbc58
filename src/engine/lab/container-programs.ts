// What a busybox container can run: busybox's own ifconfig and ping (their formats differ
// from net-tools' and iputils'), and the host's programs for the applets whose output busybox
// shares with them (ip, cat, echo, sleep...), all in the container's network namespace.
// A name busybox has no applet for fails as runc's exec does.

import { busyboxIfconfig } from '../programs/busybox/ifconfig.ts';
import { busyboxPing } from '../programs/busybox/ping.ts';
import type { Program, ProgramIO } from '../programs/types.ts';
import { inNetns } from '../shell/bash.ts';
import type { Host } from './host.ts';

const BUSYBOX: Record<string, Program> = { ifconfig: busyboxIfconfig, ping: busyboxPing };
/** Applets that print as the host's programs do. */
const SHARED = new Set([
  'ip',
  'cat',
  'echo',
  'sleep',
  'ls',
  'true',
  'false',
  'seq',
  'wc',
  'head',
  'tail',
]);

export async function runInContainer(
  host: Host,
  netns: string,
  id: string,
  argv: string[],
  io: ProgramIO,
): Promise<number> {
  const name = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  const own = BUSYBOX[name];
  const view = { ...inNetns(host, netns), hostname: id.slice(0, 12) };
  if (own) return own([name, ...argv.slice(1)], io, view);
  if (name === 'hostname') {
    io.stdout(`${id.slice(0, 12)}\n`);
    return 0;
  }
  if (SHARED.has(name)) return host.exec([name, ...argv.slice(1)], io, netns);
  io.stderr(
    `OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused "exec: \\"${argv[0]}\\": executable file not found in $PATH": unknown\n`,
  );
  return 126;
}
