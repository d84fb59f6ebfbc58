// The network config at <prefix>/config, parsed and checked as flannel's pkg/subnet/config.go
// does: Go-JSON field names (case-insensitive), defaults, and its validation errors verbatim.

import { formatIp4, maskOf, netContains, netEnd, parseIp4, parseIp4Net } from './ip4.ts';
import type { Ip4Net } from './ip4.ts';

export interface NetworkConfig {
  enableIPv4: boolean;
  enableIPv6: boolean;
  network: Ip4Net;
  subnetMin: number;
  subnetMax: number;
  subnetLen: number;
  /** 'udp' when Backend is absent (flannel's code default), '' when Backend has no Type. */
  backendType: string;
  /** The Backend object as written, for the backend's own options. */
  backend: Record<string, unknown>;
}

export class ConfigError extends Error {}

/** Go's encoding/json matches field names case-insensitively. */
function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

function typeError(value: unknown, name: string, goType: string): ConfigError {
  const jsType = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const kind = jsType === 'boolean' ? 'bool' : jsType;
  return new ConfigError(
    `json: cannot unmarshal ${kind} into Go struct field Config.${name} of type ${goType}`,
  );
}

function readCidr(obj: Record<string, unknown>, name: string): Ip4Net | undefined {
  const value = field(obj, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(value, name, 'ip.IP4Net');
  if (/^[0-9a-fA-F:]*:[0-9a-fA-F:.]*\/\d+$/.test(value))
    throw new ConfigError('invalid IPv4 CIDR format');
  const net = parseIp4Net(value);
  if (!net) throw new ConfigError(`invalid CIDR address: ${value}`);
  return net;
}

function readIp(obj: Record<string, unknown>, name: string): number {
  const value = field(obj, name);
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value !== 'string') throw typeError(value, name, 'ip.IP4');
  const ip = parseIp4(value);
  if (ip === undefined) throw new ConfigError(`invalid IP address: ${value}`);
  return ip;
}

function readNumber(obj: Record<string, unknown>, name: string): number {
  const value = field(obj, name);
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(value, name, 'uint');
  return value;
}

function readBool(obj: Record<string, unknown>, name: string, dflt: boolean): boolean {
  const value = field(obj, name);
  if (value === undefined || value === null) return dflt;
  if (typeof value !== 'boolean') throw typeError(value, name, 'bool');
  return value;
}

/** Go's json error for text that is not JSON (close to its wording, not byte-exact offsets). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const trimmed = text.trim();
    if (trimmed === '') return new ConfigError('unexpected end of JSON input');
    const ch = trimmed[0];
    if (!'{["tfn-0123456789'.includes(ch))
      return new ConfigError(`invalid character '${ch}' looking for beginning of value`);
    return new ConfigError('unexpected end of JSON input');
  }
}

/** ParseConfig followed by CheckNetworkConfig; throws ConfigError with flannel's text. */
export function parseNetworkConfig(text: string): NetworkConfig {
  const parsed = parseJson(text);
  if (parsed instanceof ConfigError) throw parsed;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw typeError(parsed, 'Config', 'subnet.Config');
  const obj = parsed as Record<string, unknown>;

  const enableIPv4 = readBool(obj, 'EnableIPv4', true);
  const enableIPv6 = readBool(obj, 'EnableIPv6', false);
  const network = readCidr(obj, 'Network');
  let subnetLen = readNumber(obj, 'SubnetLen');
  let subnetMin = readIp(obj, 'SubnetMin');
  let subnetMax = readIp(obj, 'SubnetMax');

  let backendType = 'udp';
  let backend: Record<string, unknown> = {};
  const be = field(obj, 'Backend');
  if (be !== undefined && be !== null) {
    if (typeof be !== 'object' || Array.isArray(be))
      throw new ConfigError(
        'error decoding Backend property of config: ' + typeError(be, 'Backend', 'struct').message,
      );
    backend = be as Record<string, unknown>;
    const type = field(backend, 'Type');
    backendType = typeof type === 'string' ? type : '';
  }

  if (!enableIPv4) {
    if (!enableIPv6)
      throw new ConfigError('please define a correct Network parameter in the flannel config');
    throw new ConfigError('IPv6-only networks are not supported by this playground');
  }
  if (!network)
    throw new ConfigError('please define a correct Network parameter in the flannel config');

  if (subnetLen > 0) {
    if (subnetLen > 30) throw new ConfigError('SubnetLen must be less than /31');
    if (subnetLen < network.prefixLen + 2)
      throw new ConfigError('network must be able to accommodate at least four subnets');
  } else if (network.prefixLen > 28) {
    throw new ConfigError('network is too small. Minimum useful network prefix is /28');
  } else {
    subnetLen = network.prefixLen <= 22 ? 24 : network.prefixLen + 2;
  }

  const subnetSize = 2 ** (32 - subnetLen);
  if (subnetMin === 0) subnetMin = network.ip + subnetSize;
  else if (!netContains(network, subnetMin))
    throw new ConfigError('SubnetMin is not in the range of the Network');
  if (subnetMax === 0) subnetMax = netEnd(network) - subnetSize;
  else if (!netContains(network, subnetMax))
    throw new ConfigError('SubnetMax is not in the range of the Network');

  const mask = maskOf(subnetLen);
  if ((subnetMin & mask) >>> 0 !== subnetMin)
    throw new ConfigError(`SubnetMin is not on a SubnetLen boundary: ${formatIp4(subnetMin)}`);
  if ((subnetMax & mask) >>> 0 !== subnetMax)
    throw new ConfigError(`SubnetMax is not on a SubnetLen boundary: ${formatIp4(subnetMax)}`);

  return { enableIPv4, enableIPv6, network, subnetMin, subnetMax, subnetLen, backendType, backend };
}

/** isSubnetConfigCompat: inside SubnetMin..SubnetMax with the configured length. */
export function subnetFitsConfig(config: NetworkConfig, subnet: Ip4Net): boolean {
  return (
    subnet.ip >= config.subnetMin &&
    subnet.ip <= config.subnetMax &&
    subnet.prefixLen === config.subnetLen
  );
}
