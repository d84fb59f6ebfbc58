// mk-docker-opts.sh, flannel v0.10's dist/mk-docker-opts.sh: turns /run/flannel/subnet.env into
// Docker's options. Each DOCKER_OPT_* variable in `set`'s (alphabetical) order, one line each
// (-i), and all of them after the combined key's old value (-c, DOCKER_OPTS or -k's key), which
// is why DOCKER_OPTS starts with a space. Both unless one is asked for.

import { parseEnvFile } from '../../flannel/subnet-env.ts';
import type { Program } from '../types.ts';

function usage(self: string): string {
  return `${self} [-f FLANNEL-ENV-FILE] [-d DOCKER-ENV-FILE] [-i] [-c] [-m] [-k COMBINED-KEY]

Generate Docker daemon options based on flannel env file
OPTIONS:
\t-f\tPath to flannel env file. Defaults to /run/flannel/subnet.env
\t-d\tPath to Docker env file to write to. Defaults to /run/docker_opts.env
\t-i\tOutput each Docker option as individual var. e.g. DOCKER_OPT_MTU=1500
\t-c\tOutput combined Docker options into DOCKER_OPTS var
\t-k\tSet the combined options key to this value (default DOCKER_OPTS=)
\t-m\tDo not output --ip-masq (useful for older Docker version)
`;
}

export const mkDockerOpts: Program = async (argv, io, host) => {
  let flannelEnv = '/run/flannel/subnet.env';
  let dockerEnv = '/run/docker_opts.env';
  let key = 'DOCKER_OPTS';
  let indiv = false;
  let combined = false;
  let ipmasq = true;
  // getopts "f:d:icmk:": bundled letters, a value attached or in the next word.
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-') || a === '-') break;
    if (a === '--') break;
    for (let j = 1; j < a.length; j++) {
      const letter = a[j];
      if ('fdk'.includes(letter)) {
        const value = a.slice(j + 1) || args[++i];
        if (value === undefined) {
          io.stderr(`${argv[0]}: 1: ${argv[0]}: No arg for -${letter} option\n${usage(argv[0])}`);
          return 1;
        }
        if (letter === 'f') flannelEnv = value;
        else if (letter === 'd') dockerEnv = value;
        else key = value;
        break;
      }
      if (letter === 'i') indiv = true;
      else if (letter === 'c') combined = true;
      else if (letter === 'm') ipmasq = false;
      else {
        io.stderr(`${argv[0]}: 1: ${argv[0]}: Illegal option -${letter}\n${usage(argv[0])}`);
        return 1;
      }
    }
  }
  if (!indiv && !combined) indiv = combined = true;
  const { fs } = host;
  const vars = fs.exists(flannelEnv) ? parseEnvFile(fs.readText(flannelEnv)) : new Map();
  const opts = new Map<string, string>();
  const subnet = vars.get('FLANNEL_SUBNET');
  const mtu = vars.get('FLANNEL_MTU');
  const masq = vars.get('FLANNEL_IPMASQ');
  if (subnet) opts.set('DOCKER_OPT_BIP', `--bip=${subnet}`);
  if (mtu) opts.set('DOCKER_OPT_MTU', `--mtu=${mtu}`);
  if (masq && ipmasq) {
    // flannel masquerades itself (--ip-masq): docker must not, and the other way round.
    if (masq === 'true') opts.set('DOCKER_OPT_IPMASQ', '--ip-masq=false');
    else if (masq === 'false') opts.set('DOCKER_OPT_IPMASQ', '--ip-masq=true');
    else {
      io.stderr(`Invalid value of FLANNEL_IPMASQ: ${masq}\n`);
      return 1;
    }
  }
  let dockerOpts = io.env?.[key] ?? '';
  if (dockerOpts) dockerOpts += ' ';
  const parent = dockerEnv.slice(0, dockerEnv.lastIndexOf('/')) || '/';
  if (!fs.exists(parent)) {
    io.stderr(`${argv[0]}: 1: ${argv[0]}: cannot create ${dockerEnv}: Directory nonexistent\n`);
    return 2;
  }
  let text = '';
  for (const name of [...opts.keys()].sort()) {
    if (indiv) text += `${name}="${opts.get(name)}"\n`;
    dockerOpts += ` ${opts.get(name)}`;
  }
  if (combined) text += `${key}="${dockerOpts}"\n`;
  fs.writeFile(dockerEnv, text);
  return 0;
};
