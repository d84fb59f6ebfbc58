// /run/flannel/subnet.env, written as flannel's WriteSubnetFile writes it and read back as
// main.go reads the previous subnet (and as the CNI plugin reads the whole file).

import { formatIp4, formatIp4Net, parseIp4Net } from './ip4.ts';
import type { Ip4Net } from './ip4.ts';
import type { FileSystem } from '../os/fs-types.ts';

export interface SubnetEnv {
  network: Ip4Net;
  /** The lease: FLANNEL_SUBNET is written as its first address (.1) with the lease prefix. */
  subnet: Ip4Net;
  mtu: number;
  ipMasq: boolean;
}

export function formatSubnetEnv(env: SubnetEnv): string {
  return [
    `FLANNEL_NETWORK=${formatIp4Net(env.network)}`,
    `FLANNEL_SUBNET=${formatIp4(env.subnet.ip + 1)}/${env.subnet.prefixLen}`,
    `FLANNEL_MTU=${env.mtu}`,
    `FLANNEL_IPMASQ=${env.ipMasq}`,
    '',
  ].join('\n');
}

/** Writes the file, creating its directory like renameio's atomic write does (MkdirAll). */
export function writeSubnetEnv(fs: FileSystem, path: string, env: SubnetEnv): void {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  if (!fs.exists(dir)) fs.mkdir(dir, { recursive: true });
  fs.writeFile(path, formatSubnetEnv(env));
}

/** KEY=value lines, as godotenv reads them. */
export function parseEnvFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    vars.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return vars;
}

/** A CIDR the previous run wrote (FLANNEL_SUBNET, FLANNEL_NETWORK; host bits masked), if any. */
export function readPrevious(
  fs: FileSystem,
  path: string,
  key: 'FLANNEL_SUBNET' | 'FLANNEL_NETWORK',
): Ip4Net | undefined {
  if (!fs.exists(path)) return undefined;
  const value = parseEnvFile(fs.readText(path)).get(key);
  return value === undefined ? undefined : parseIp4Net(value);
}
