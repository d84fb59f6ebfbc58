// A host's units defined from the unit files on its disk: each start reads the file again, its
// EnvironmentFile= lines and its ExecStart= with their variables, so editing the file (the
// article's `EnvironmentFile=/run/docker_opts.env`, `$DOCKER_OPTS`) and restarting changes what
// runs, as `systemctl daemon-reload; systemctl restart` does. The daemon behind ExecStart is
// picked by the binary's name; ExecStartPost= lines run after READY=1, before the unit counts
// as active (CentOS's flanneld runs mk-docker-opts.sh so).

import { expandExecLine, parseEnvironmentFile, parseUnitFile } from '../os/unit-file.ts';
import type { Daemon, DaemonIO } from '../os/services.ts';
import type { ProgramIO } from '../programs/types.ts';
import { startDockerd } from './dockerd.ts';
import type { Host } from './host.ts';
import { runFlanneld } from './node-setup.ts';
import { TERMINAL_INPUT } from '../os/pipe.ts';

/** A daemon for the binary ExecStart names (flanneld, dockerd, etcd), or undefined. */
function daemonFor(host: Host, argv: string[], io: DaemonIO): Daemon | undefined {
  const binary = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  if (binary === 'flanneld') return runFlanneld(host, argv, io);
  if (binary === 'dockerd' || binary === 'docker-current') return startDockerd(host, argv, io);
  if (binary === 'etcd') return etcdMember(io);
  return undefined;
}

/**
 * The etcd member of a scenario's etcd host. The lab's store is its own worker (the KV), which
 * this unit stands for: it reports ready and runs until stopped; stopping it does not stop the
 * store.
 */
function etcdMember(io: DaemonIO): Daemon {
  let exit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (exit = resolve));
  io.log(
    'etcdserver: published {Name:node-1 ClientURLs:[http://172.16.112.128:2379 http://127.0.0.1:2379]} to cluster',
  );
  io.notify('READY=1');
  return { stop: () => exit(0), exited };
}

function failed(io: DaemonIO, message: string): Daemon {
  io.log(message);
  return { stop() {}, exited: Promise.resolve(1) };
}

const quietIO = (signal: AbortSignal, log: (line: string) => void): ProgramIO => ({
  stdin: TERMINAL_INPUT,
  stdout: (t) => t.split('\n').filter(Boolean).forEach(log),
  stderr: (t) => t.split('\n').filter(Boolean).forEach(log),
  signal,
  isTTY: false,
});

export function defineUnitFromFile(host: Host, name: string, path: string): void {
  const read = () => parseUnitFile(host.fs.exists(path) ? host.fs.readText(path) : '');
  const first = read();
  const spec = {
    name,
    description: first.description,
    execStart: first.execStart.split(/\s+/).filter(Boolean),
    type: first.type,
    run: (io: DaemonIO): Daemon => {
      const unit = read();
      const env = new Map<string, string>();
      for (const file of unit.environmentFiles) {
        if (!host.fs.exists(file.path)) {
          if (file.optional) continue;
          return failed(io, `Failed to load environment files: No such file or directory`);
        }
        for (const [k, v] of parseEnvironmentFile(host.fs.readText(file.path))) env.set(k, v);
      }
      const argv = expandExecLine(unit.execStart, env);
      // CentOS's flanneld-start is a shell wrapper that execs flanneld with these flags.
      if (argv[0]?.endsWith('/flanneld-start')) argv[0] = argv[0].slice(0, -'-start'.length);
      // What systemctl status and ps show: the command line as it was started.
      spec.execStart = argv;
      const post = unit.execStartPost.map((line) => expandExecLine(line, env));
      const stop = new AbortController();
      const notify =
        post.length === 0
          ? io.notify
          : (state: string) => {
              if (!state.split('\n').includes('READY=1')) return io.notify(state);
              void (async () => {
                for (const cmd of post) {
                  const base = [cmd[0].slice(cmd[0].lastIndexOf('/') + 1), ...cmd.slice(1)];
                  await host.exec(base, quietIO(stop.signal, io.log), host.netns);
                }
                io.notify(state);
              })();
            };
      const daemon = daemonFor(host, argv, { ...io, notify });
      if (!daemon)
        return failed(io, `Failed at step EXEC spawning ${argv[0]}: No such file or directory`);
      return {
        stop: () => {
          stop.abort();
          daemon.stop();
        },
        exited: daemon.exited,
      };
    },
  };
  host.services.define(spec);
}
