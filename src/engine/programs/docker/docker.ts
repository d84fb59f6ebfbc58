// The docker CLI (18.06): run, ps, exec, stop, start, rm, inspect, network inspect bridge,
// talking to dockerd over /var/run/docker.sock. Docker is not in Debian; the messages and
// formats follow docker/cli's sources (cli/command/container, cli/command/formatter).

import {
  DOCKER_SOCKET,
  DockerError,
  type ContainerRecord,
  type DockerEngine,
} from '../../docker/engine.ts';
import type { Program, ProgramIO } from '../types.ts';
import { humanDuration, rfc3339Nano, tabwrite } from './format.ts';

const NO_DAEMON =
  'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n';

class Usage extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

interface Parsed {
  bools: Set<string>;
  values: Map<string, string>;
  args: string[];
}

/** pflag: `-tid` bundles, `--name N`, `--name=N`; flags stop at the first argument. */
function parse(
  argv: string[],
  command: string,
  bools: Record<string, string>,
  values: Record<string, string>,
): Parsed {
  const out: Parsed = { bools: new Set(), values: new Map(), args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (out.args.length > 0 || !a.startsWith('-') || a === '-') {
      out.args.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
      if (name in bools) out.bools.add(bools[name]);
      else if (name in values) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new Usage(`flag needs an argument: --${name}`, command);
        out.values.set(values[name], v);
      } else throw new Usage(`unknown flag: --${name}`, command);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const letter = a[j];
      if (letter in bools) out.bools.add(bools[letter]);
      else if (letter in values) {
        const v = a.slice(j + 1) || argv[++i];
        if (v === undefined)
          throw new Usage(`flag needs an argument: '${letter}' in -${letter}`, command);
        out.values.set(values[letter], v);
        break;
      } else throw new Usage(`unknown shorthand flag: '${letter}' in ${a}`, command);
    }
  }
  return out;
}

function shortId(id: string): string {
  return id.slice(0, 12);
}

function status(c: ContainerRecord, now: number): string {
  if (c.State.Status === 'running') return `Up ${humanDuration(now - c.State.StartedAt)}`;
  if (c.State.Status === 'created') return 'Created';
  return `Exited (${c.State.ExitCode}) ${humanDuration(now - c.State.FinishedAt)} ago`;
}

function command(c: ContainerRecord): string {
  const text = c.Cmd.join(' ');
  return `"${text.length > 20 ? `${text.slice(0, 19)}…` : text}"`;
}

function ps(engine: DockerEngine, all: boolean, quiet: boolean, now: number): string {
  const list = engine.list(all);
  if (quiet) return list.map((c) => `${shortId(c.Id)}\n`).join('');
  const rows = [['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES']];
  for (const c of list)
    rows.push([
      shortId(c.Id),
      c.Image,
      command(c),
      `${humanDuration(now - c.Created)} ago`,
      status(c, now),
      '',
      c.Name.slice(1),
    ]);
  return tabwrite(rows);
}

function inspect(engine: DockerEngine, c: ContainerRecord): unknown {
  const net = c.Network;
  const running = c.State.Status === 'running';
  return {
    Id: c.Id,
    Created: rfc3339Nano(c.Created),
    Path: c.Cmd[0],
    Args: c.Cmd.slice(1),
    State: {
      Status: c.State.Status,
      Running: running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: c.State.Pid,
      ExitCode: c.State.ExitCode,
      Error: '',
      StartedAt: rfc3339Nano(c.State.StartedAt),
      FinishedAt: rfc3339Nano(c.State.FinishedAt),
    },
    Image: c.ImageId,
    Name: c.Name,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    Config: {
      Hostname: shortId(c.Id),
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: c.Tty,
      OpenStdin: c.OpenStdin,
      StdinOnce: false,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: c.Cmd,
      Image: c.Image,
      Volumes: null,
      WorkingDir: '',
      Entrypoint: null,
      OnBuild: null,
      Labels: {},
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: net?.SandboxID ?? '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: {},
      SandboxKey: net ? `/var/run/docker/netns/${net.SandboxID.slice(0, 12)}` : '',
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: net?.EndpointID ?? '',
      Gateway: net?.Gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: net?.IPAddress ?? '',
      IPPrefixLen: net?.IPPrefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: net?.MacAddress ?? '',
      Networks: {
        bridge: {
          IPAMConfig: null,
          Links: null,
          Aliases: null,
          NetworkID: engine.networkId,
          EndpointID: net?.EndpointID ?? '',
          Gateway: net?.Gateway ?? '',
          IPAddress: net?.IPAddress ?? '',
          IPPrefixLen: net?.IPPrefixLen ?? 0,
          IPv6Gateway: '',
          GlobalIPv6Address: '',
          GlobalIPv6PrefixLen: 0,
          MacAddress: net?.MacAddress ?? '',
          DriverOpts: null,
        },
      },
    },
  };
}

function networkInspect(engine: DockerEngine): unknown {
  const containers: Record<string, unknown> = {};
  for (const c of engine.list(false))
    if (c.Network)
      containers[c.Id] = {
        Name: c.Name.slice(1),
        EndpointID: c.Network.EndpointID,
        MacAddress: c.Network.MacAddress,
        IPv4Address: `${c.Network.IPAddress}/${c.Network.IPPrefixLen}`,
        IPv6Address: '',
      };
  const { ip, prefixLen } = engine.subnet;
  const subnet = `${[24, 16, 8, 0].map((s) => (ip >>> s) & 255).join('.')}/${prefixLen}`;
  return {
    Name: 'bridge',
    Id: engine.networkId,
    Created: rfc3339Nano(engine.created),
    Scope: 'local',
    Driver: 'bridge',
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: null,
      Config: [{ Subnet: subnet, Gateway: engine.gateway }],
    },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': String(engine.flags.ipMasq),
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': 'docker0',
      'com.docker.network.driver.mtu': String(engine.flags.mtu),
    },
    Labels: {},
  };
}

const json = (v: unknown) => `${JSON.stringify(v, null, 4)}\n`;

const EXEC_BOOLS = {
  d: 'detach',
  detach: 'detach',
  t: 'tty',
  tty: 'tty',
  i: 'interactive',
  interactive: 'interactive',
};
const RUN_BOOLS = { ...EXEC_BOOLS, rm: 'rm' };

async function dispatch(
  verb: string,
  rest: string[],
  io: ProgramIO,
  engine: DockerEngine,
  now: () => number,
): Promise<number> {
  switch (verb) {
    case 'ps': {
      const p = parse(rest, 'ps', { a: 'all', all: 'all', q: 'quiet', quiet: 'quiet' }, {});
      io.stdout(ps(engine, p.bools.has('all'), p.bools.has('quiet'), now()));
      return 0;
    }
    case 'run': {
      const p = parse(rest, 'run', RUN_BOOLS, { name: 'name' });
      const [image, ...cmd] = p.args;
      if (!image) throw new Usage('"docker run" requires at least 1 argument.', 'run');
      const c = engine.create({
        image,
        name: p.values.get('name'),
        cmd,
        tty: p.bools.has('tty'),
        stdin: p.bools.has('interactive'),
      });
      if (p.bools.has('detach')) {
        engine.start(c.Id);
        io.stdout(`${c.Id}\n`);
        return 0;
      }
      const { done } = engine.start(c.Id, io);
      const code = await done;
      if (p.bools.has('rm')) await engine.remove(c.Id, true);
      return code;
    }
    case 'exec': {
      const p = parse(rest, 'exec', EXEC_BOOLS, {});
      if (p.args.length < 2)
        throw new Usage('"docker exec" requires at least 2 arguments.', 'exec');
      const [ref, ...cmd] = p.args;
      return engine.exec(ref, cmd, io);
    }
    case 'start':
    case 'stop':
    case 'rm': {
      const p = parse(rest, verb, verb === 'rm' ? { f: 'force', force: 'force' } : {}, {
        t: 'time',
        time: 'time',
      });
      if (p.args.length === 0)
        throw new Usage(`"docker ${verb}" requires at least 1 argument.`, verb);
      let code = 0;
      for (const ref of p.args) {
        try {
          if (verb === 'start') engine.start(ref);
          else if (verb === 'stop')
            await engine.stop(
              ref,
              p.values.has('time') ? Number(p.values.get('time')) * 1000 : undefined,
            );
          else await engine.remove(ref, p.bools.has('force'));
          io.stdout(`${ref}\n`);
        } catch (err) {
          if (!(err instanceof DockerError)) throw err;
          const message = err.message.startsWith('No such container')
            ? `Error response from daemon: ${err.message}`
            : err.message;
          io.stderr(`${message}\n`);
          code = 1;
        }
      }
      return code;
    }
    case 'inspect': {
      const p = parse(rest, 'inspect', {}, { f: 'format', format: 'format' });
      if (p.args.length === 0)
        throw new Usage('"docker inspect" requires at least 1 argument.', 'inspect');
      const found: unknown[] = [];
      let code = 0;
      for (const ref of p.args) {
        try {
          found.push(inspect(engine, engine.find(ref)));
        } catch (err) {
          if (!(err instanceof DockerError)) throw err;
          io.stderr(`Error: No such object: ${ref}\n`);
          code = 1;
        }
      }
      io.stdout(json(found));
      return code;
    }
    case 'network': {
      const [sub, ...names] = rest;
      if (sub !== 'inspect' && sub !== 'ls')
        throw new Usage(`unknown command "${sub ?? ''}" for "docker network"`, 'network');
      if (sub === 'ls') {
        io.stdout(
          tabwrite([
            ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'],
            [engine.networkId.slice(0, 12), 'bridge', 'bridge', 'local'],
          ]),
        );
        return 0;
      }
      const bad = names.find((n) => n !== 'bridge' && !engine.networkId.startsWith(n));
      if (bad !== undefined || names.length === 0) {
        io.stdout('[]\n');
        io.stderr(`Error: No such network: ${bad ?? ''}\n`);
        return 1;
      }
      io.stdout(json([networkInspect(engine)]));
      return 0;
    }
    default:
      io.stderr(`docker: '${verb}' is not a docker command.\nSee 'docker --help'\n`);
      return 1;
  }
}

export const docker: Program = async (argv, io, host) => {
  const [verb, ...rest] = argv.slice(1);
  if (verb === undefined) {
    io.stdout('\nUsage:\tdocker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n');
    return 0;
  }
  if (verb === '--version' || verb === '-v') {
    io.stdout('Docker version 18.06.0-ce, build 0ffa825\n');
    return 0;
  }
  const engine = host.sockets?.connect<DockerEngine>(DOCKER_SOCKET);
  if (!engine) {
    io.stderr(verb === 'run' ? `docker: ${NO_DAEMON}See 'docker run --help'.\n` : NO_DAEMON);
    return verb === 'run' ? 125 : 1;
  }
  try {
    return await dispatch(verb, rest, io, engine, () => host.clock.now());
  } catch (err) {
    if (err instanceof Usage) {
      io.stderr(`${err.message}\nSee 'docker ${err.command} --help'.\n`);
      return err.command === 'run' ? 125 : 1;
    }
    if (err instanceof DockerError) {
      const text = err.message.startsWith('No such container')
        ? `Error: ${err.message}`
        : err.message;
      io.stderr(`${text}\n${err.status === 125 ? "See 'docker run --help'.\n" : ''}`);
      return err.status;
    }
    throw err;
  }
};
