// dockerd's network flags (docker 18.06 `dockerd --help`), parsed as pflag does: `--x=v`,
// `--x v`, booleans as `--x` or `--x=false`. CentOS's docker-current takes them after `daemon`.

export interface DockerdFlags {
  /** --bip: docker0's address with its prefix ('10.100.50.1/24'); absent: docker picks one. */
  bip?: string;
  ipMasq: boolean;
  iptables: boolean;
  mtu: number;
  hosts: string[];
}

export class DockerdFlagError extends Error {}

const BOOLS = new Set(['ip-masq', 'iptables', 'selinux-enabled', 'debug', 'D', 'live-restore']);
const VALUES = new Set(['bip', 'mtu', 'H', 'host', 'exec-opt', 'log-driver', 'b', 'bridge']);

export function parseDockerdFlags(args: string[]): DockerdFlags {
  const flags: DockerdFlags = { ipMasq: true, iptables: true, mtu: 1500, hosts: [] };
  const rest = args[0] === 'daemon' ? args.slice(1) : args;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const m = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new DockerdFlagError(`dockerd does not take any positional arguments`);
    const [, name, inline] = m;
    if (BOOLS.has(name)) {
      const v = inline ?? 'true';
      if (!['true', 'false', '1', '0'].includes(v))
        throw new DockerdFlagError(
          `invalid argument "${v}" for "--${name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`,
        );
      const on = v === 'true' || v === '1';
      if (name === 'ip-masq') flags.ipMasq = on;
      if (name === 'iptables') flags.iptables = on;
      continue;
    }
    if (!VALUES.has(name)) throw new DockerdFlagError(`unknown flag: --${name}`);
    const value = inline ?? rest[++i];
    if (value === undefined) throw new DockerdFlagError(`flag needs an argument: --${name}`);
    if (name === 'bip') flags.bip = value;
    else if (name === 'mtu') {
      if (!/^\d+$/.test(value))
        throw new DockerdFlagError(
          `invalid argument "${value}" for "--mtu" flag: strconv.ParseInt: parsing "${value}": invalid syntax`,
        );
      flags.mtu = Number(value);
    } else if (name === 'H' || name === 'host') flags.hosts.push(value);
  }
  return flags;
}
