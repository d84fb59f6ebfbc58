// dockerd as a daemon of the host: parses its flags, sets docker0 up (docker/engine.ts),
// listens on /var/run/docker.sock for the docker CLI and says READY=1; on stop it stops the
// containers and closes the socket. Its containers' processes run with the container's
// programs (./container-programs.ts) in the container's namespace.

import { DockerEngine, DOCKER_SOCKET, type ProcessIO } from '../docker/engine.ts';
import { DockerdFlagError, parseDockerdFlags } from '../docker/dockerd-flags.ts';
import type { Daemon, DaemonIO } from '../os/services.ts';
import { runInContainer } from './container-programs.ts';
import type { Host } from './host.ts';
import { TERMINAL_INPUT } from '../os/pipe.ts';

export function startDockerd(host: Host, argv: string[], io: DaemonIO): Daemon {
  let exit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => (exit = resolve));
  let flags;
  try {
    flags = parseDockerdFlags(argv.slice(1));
  } catch (err) {
    if (!(err instanceof DockerdFlagError)) throw err;
    io.log(err.message);
    return { stop() {}, exited: Promise.resolve(1) };
  }
  const engine: DockerEngine = new DockerEngine(
    {
      kernel: host.kernel,
      fs: host.fs,
      clock: host.clock,
      random: host.random,
      log: io.log,
      execHost: async (cmd) => {
        let stderr = '';
        const status = await host.exec(
          cmd,
          {
            stdin: TERMINAL_INPUT,
            stdout: () => {},
            stderr: (t) => (stderr += t),
            signal: new AbortController().signal,
          },
          host.netns,
        );
        return { status, stderr };
      },
      execIn: (c, cmd, pio: ProcessIO): Promise<number> =>
        runInContainer(host, engine.netnsOf(c), c.Id, cmd, pio),
    },
    flags,
  );
  let close = () => {};
  let stopping = false;
  void engine.setUpBridge().then(
    () => {
      if (stopping) return;
      close = host.sockets.listen(DOCKER_SOCKET, engine);
      io.log('level=info msg="API listen on /var/run/docker.sock"');
      io.notify('READY=1');
    },
    (err: unknown) => {
      io.log(`level=error msg="${err instanceof Error ? err.message : String(err)}"`);
      exit(1);
    },
  );
  return {
    stop: () => {
      stopping = true;
      close();
      io.log('level=info msg="Processing signal \'terminated\'"');
      void engine.shutdown().then(() => exit(0));
    },
    exited,
  };
}
