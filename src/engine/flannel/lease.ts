// Subnet keys and lease values as flannel stores them in etcd (pkg/subnet/subnet.go MakeSubnetKey,
// pkg/lease/lease.go LeaseAttrs).

import { formatIp4, parseIp4 } from './ip4.ts';
import type { Ip4Net } from './ip4.ts';

export interface LeaseAttrs {
  publicIP: string;
  /** Absent for udp, which never sets BackendType. */
  backendType?: string;
  backendData?: Record<string, unknown>;
}

export interface Lease {
  subnet: Ip4Net;
  attrs: LeaseAttrs;
  /** Lab-clock ms; 0 for a reservation (a key without an etcd lease). */
  expiration: number;
}

const SUBNET_KEY_RE = /(\d+\.\d+.\d+.\d+)-(\d+)(?:&([a-f\d:]+)-(\d+))?$/;

/** '10.244.1.0-24' for 10.244.1.0/24. */
export function makeSubnetKey(subnet: Ip4Net): string {
  return `${formatIp4(subnet.ip)}-${subnet.prefixLen}`;
}

/** The subnet a key under subnets/ names, or undefined ("not a subnet, skipping"). */
export function parseSubnetKey(key: string): Ip4Net | undefined {
  const m = SUBNET_KEY_RE.exec(key);
  if (!m) return undefined;
  const ip = parseIp4(m[1]);
  const prefixLen = Number(m[2]);
  if (ip === undefined || prefixLen > 32) return undefined;
  return { ip, prefixLen };
}

/** The JSON flannel writes: PublicIP, PublicIPv6 (null), then BackendType/BackendData if set. */
export function formatLeaseAttrs(attrs: LeaseAttrs): string {
  const value: Record<string, unknown> = { PublicIP: attrs.publicIP, PublicIPv6: null };
  if (attrs.backendType) value.BackendType = attrs.backendType;
  if (attrs.backendData) value.BackendData = attrs.backendData;
  return JSON.stringify(value);
}

/** Reads a lease value; undefined when it is not valid LeaseAttrs JSON. */
export function parseLeaseAttrs(text: string): LeaseAttrs | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  const get = (name: string) => {
    for (const key of Object.keys(obj))
      if (key.toLowerCase() === name.toLowerCase()) return obj[key];
    return undefined;
  };
  const publicIP = get('PublicIP');
  if (typeof publicIP !== 'string' || parseIp4(publicIP) === undefined) return undefined;
  const attrs: LeaseAttrs = { publicIP };
  const type = get('BackendType');
  if (typeof type === 'string' && type !== '') attrs.backendType = type;
  const data = get('BackendData');
  if (typeof data === 'object' && data !== null && !Array.isArray(data))
    attrs.backendData = data as Record<string, unknown>;
  return attrs;
}
