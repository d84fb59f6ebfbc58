// The lab's URL parameters (also the embeddable widget's attributes):
//   nodes (1..100), backend (vxlan|host-gw|udp), network (CIDR), subnetLen, lab (id), theme,
//   readonly, etcd (a real etcd cluster's client URLs instead of the embedded KV), scenario (an
//   article's lab, ./scenarios/: its hosts, network and backend; the shape parameters then go).
// Every bad value is reported with a clear message and replaced by its default, so a broken
// link still opens a working lab (with no bad value at all it is the seeds' default lab).

import { BACKEND_TYPES, isBackendType, type BackendType } from '../flannel/backends/index.ts';
import { formatIpv4, parseCidr, prefixMask } from '../packet/ipaddr.ts';
import { shorten } from '../text/shorten.ts';
import { findScenario, SCENARIOS, type Scenario } from './scenarios/index.ts';

export type Backend = BackendType;
export type Theme = 'auto' | 'light' | 'dark';

export interface HostConfig {
  /** `node1`, `node2`, ... (also the hostname). */
  hostname: string;
  /** Underlay address with prefix, e.g. '172.16.112.128/24'. */
  eth0: string;
  /** Underlay default gateway (the seeds' VMware NAT gateway). */
  gateway: string;
  /** The NIC's name: 'eth0' unless a scenario names it ('ens33'). */
  nic?: string;
}

export interface LabConfig {
  /** Isolates the wire and the stored KV; null means "make a fresh one" (the UI picks an id). */
  labId: string | null;
  backend: Backend;
  /** Canonical CIDR, host bits masked as flannel does ('10.244.0.0/16'). */
  network: string;
  subnetLen: number;
  theme: Theme;
  readonly: boolean;
  /**
   * A real etcd cluster's client URLs ('http://10.0.0.5:2379'), tried in order; empty: the
   * embedded KV, which needs no server.
   */
  etcd: string[];
  /** Pods per host: the seeds run one. */
  podsPerHost: number;
  hosts: HostConfig[];
  /** The article's lab this is (./scenarios/), or null for a lab shaped by the other parameters. */
  scenario: string | null;
}

export interface ParsedParams {
  config: LabConfig;
  /** One line per rejected parameter; empty when all were valid. */
  errors: string[];
  /** Valid but noteworthy choices (more hosts than the network has subnets). */
  notes: string[];
}

/** Each host is a worker with its own wasm memory; a page holds about 124 (browser-limits.md). */
export const MAX_NODES = 100;
export const DEFAULT_NODES = 3;
export const DEFAULT_NETWORK = '10.244.0.0/16';
const UNDERLAY_PREFIX = '172.16.112.';
const UNDERLAY_LEN = 24;
const UNDERLAY_GATEWAY = '172.16.112.2';
/** The seeds' three hosts: Host1 .128, Host2 .133, Host3 .130. */
const SEED_HOST_OCTETS = [128, 133, 130];
const LAB_ID = /^[a-z0-9-]{1,32}$/;
/** 'vxlan, host-gw or udp' */
const BACKEND_CHOICES = `${BACKEND_TYPES.slice(0, -1).join(', ')} or ${BACKEND_TYPES.at(-1)}`;
const THEMES: readonly Theme[] = ['auto', 'light', 'dark'];

/** eth0 addresses: the seeds' three, then .131, .132, .134 ... skipping those already used. */
export function underlayAddresses(count: number): string[] {
  const used = new Set<number>();
  const out: string[] = [];
  let next = 131;
  for (let i = 0; i < count; i++) {
    let octet = SEED_HOST_OCTETS[i];
    if (octet === undefined) {
      while (used.has(next) || next === 2) next++;
      octet = next;
    }
    used.add(octet);
    out.push(`${UNDERLAY_PREFIX}${octet}/${UNDERLAY_LEN}`);
  }
  return out;
}

export function makeHosts(count: number): HostConfig[] {
  return underlayAddresses(count).map((eth0, i) => ({
    hostname: `node${i + 1}`,
    eth0,
    gateway: UNDERLAY_GATEWAY,
  }));
}

export function defaultLab(): LabConfig {
  return {
    labId: null,
    backend: 'vxlan',
    network: DEFAULT_NETWORK,
    subnetLen: 24,
    theme: 'auto',
    readonly: false,
    etcd: [],
    podsPerHost: 1,
    hosts: makeHosts(DEFAULT_NODES),
    scenario: null,
  };
}

/** A scenario's lab: its hosts, network and backend (no pods: its containers are Docker's). */
export function scenarioLab(scenario: Scenario): LabConfig {
  return {
    ...defaultLab(),
    backend: scenario.backend,
    network: scenario.network,
    subnetLen: scenario.subnetLen,
    podsPerHost: 0,
    hosts: scenario.hosts.map((h) => ({
      hostname: h.hostname,
      eth0: h.address,
      gateway: h.gateway,
      nic: h.nic,
    })),
    scenario: scenario.id,
  };
}

/** Parses a query string ('?nodes=5&backend=udp') or URLSearchParams. */
export function parseLabParams(query: string | URLSearchParams): ParsedParams {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  let config = defaultLab();
  const errors: string[] = [];
  const notes: string[] = [];
  const get = (name: string): string | null => params.get(name);

  const scenarioId = get('scenario');
  if (scenarioId !== null) {
    const scenario = findScenario(scenarioId);
    if (!scenario) {
      errors.push(
        `scenario=${shorten(scenarioId)}: no such scenario (there are ${SCENARIOS.map((s) => s.id).join(', ')})`,
      );
    } else {
      // The article decides the lab's shape; only the lab id, theme and readonly still apply.
      config = scenarioLab(scenario);
      const ignored = ['nodes', 'backend', 'network', 'subnetLen', 'etcd'].filter((p) =>
        params.has(p),
      );
      if (ignored.length > 0)
        notes.push(
          `scenario=${scenarioId}: its own lab shape is used; ${ignored.join(', ')} ignored`,
        );
      commonParams(params, config, errors);
      return { config, errors, notes };
    }
  }

  const nodes = get('nodes');
  if (nodes !== null) {
    const n = /^\d+$/.test(nodes.trim()) ? Number(nodes.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      errors.push(
        `nodes=${shorten(nodes)}: expected a whole number of hosts from 1 to ${MAX_NODES}`,
      );
    } else if (n > MAX_NODES) {
      errors.push(
        `nodes=${shorten(nodes)}: at most ${MAX_NODES} hosts per tab (each host is a worker with its own ` +
          `WebAssembly memory, and a page runs out of them at about 124)`,
      );
    } else {
      config.hosts = makeHosts(n);
    }
  }

  const backend = get('backend');
  if (backend !== null) {
    if (isBackendType(backend)) config.backend = backend;
    else errors.push(`backend=${shorten(backend)}: unknown backend type (use ${BACKEND_CHOICES})`);
  }

  const network = get('network');
  let prefixLen = 16;
  if (network !== null) {
    const cidr = parseNetwork(network);
    if (!cidr) {
      errors.push(`network=${shorten(network)}: invalid CIDR address: ${shorten(network)}`);
    } else if (cidr.len > 28) {
      errors.push(
        `network=${shorten(network)}: network is too small. Minimum useful network prefix is /28`,
      );
    } else if (overlapsUnderlay(cidr.addr, cidr.len)) {
      errors.push(
        `network=${shorten(network)}: overlaps the hosts' own network ${UNDERLAY_PREFIX}0/24`,
      );
    } else {
      config.network = `${formatIpv4(cidr.addr)}/${cidr.len}`;
      prefixLen = cidr.len;
    }
  }
  // flannel's default: /24 if the network is /22 or shorter, else prefix + 2.
  config.subnetLen = prefixLen <= 22 ? 24 : prefixLen + 2;

  const subnetLen = get('subnetLen');
  if (subnetLen !== null) {
    const n = /^\d+$/.test(subnetLen.trim()) ? Number(subnetLen.trim()) : NaN;
    if (!Number.isInteger(n)) {
      errors.push(`subnetLen=${shorten(subnetLen)}: expected a prefix length such as 24`);
    } else if (n >= 31) {
      errors.push(`subnetLen=${shorten(subnetLen)}: SubnetLen must be less than /31`);
    } else if (n < prefixLen + 2) {
      errors.push(
        `subnetLen=${shorten(subnetLen)}: network must be able to accommodate at least four subnets`,
      );
    } else {
      config.subnetLen = n;
    }
  }
  // flannel skips the first subnet, so a network holds 2^(subnetLen - prefix) - 1 leases.
  const capacity = 2 ** (config.subnetLen - prefixLen) - 1;
  if (config.hosts.length > capacity) {
    notes.push(
      `nodes=${config.hosts.length}: ${config.network} with /${config.subnetLen} subnets leaves ` +
        `${capacity} leases; the other hosts' flanneld will fail with "out of subnets"`,
    );
  }

  commonParams(params, config, errors);

  const etcd = get('etcd');
  if (etcd !== null) {
    const urls = etcd.split(',').map((u) => u.trim());
    const bad = urls.find((u) => !parseEtcdUrl(u));
    if (bad !== undefined) {
      errors.push(
        `etcd=${shorten(etcd)}: ${bad === '' ? 'an empty' : `"${shorten(bad)}" is not a`} client URL ` +
          `(expected http://host:port, several separated by commas)`,
      );
    } else {
      config.etcd = [...new Set(urls.map((u) => parseEtcdUrl(u)!))];
    }
  }

  return { config, errors, notes };
}

/** The parameters every lab takes, a scenario's too: lab id, theme, readonly. */
function commonParams(params: URLSearchParams, config: LabConfig, errors: string[]): void {
  const get = (name: string): string | null => params.get(name);
  const lab = get('lab');
  if (lab !== null) {
    if (LAB_ID.test(lab)) config.labId = lab;
    else errors.push(`lab=${shorten(lab)}: a lab id is 1 to 32 characters from a-z, 0-9 and '-'`);
  }

  const theme = get('theme');
  if (theme !== null) {
    if ((THEMES as readonly string[]).includes(theme)) config.theme = theme as Theme;
    else errors.push(`theme=${shorten(theme)}: expected auto, light or dark`);
  }

  const readonly = get('readonly');
  if (readonly !== null) {
    if (['', '1', 'true', 'yes'].includes(readonly)) config.readonly = true;
    else if (['0', 'false', 'no'].includes(readonly)) config.readonly = false;
    else errors.push(`readonly=${shorten(readonly)}: expected true or false`);
  }
}

/** An etcd client URL as etcdctl's --endpoints takes it, normalized to scheme://host:port. */
function parseEtcdUrl(text: string): string | null {
  if (!/^https?:\/\/[^/?#]+\/?$/.test(text)) return null;
  try {
    const url = new URL(text);
    if (url.username || url.password) return null;
    return `${url.protocol}//${url.host}`;
  } catch {
    return null;
  }
}

/**
 * The query string that reproduces `config`, for the address bar: the lab's shape (nodes,
 * backend) always, so it reads as what it is, and the other values when not the defaults.
 */
export function formatLabParams(config: LabConfig): string {
  const d = defaultLab();
  const out = new URLSearchParams();
  if (config.scenario) {
    out.set('scenario', config.scenario);
    if (config.labId) out.set('lab', config.labId);
    if (config.theme !== d.theme) out.set('theme', config.theme);
    if (config.readonly) out.set('readonly', '1');
    return `?${out.toString()}`;
  }
  out.set('nodes', String(config.hosts.length));
  out.set('backend', config.backend);
  if (config.network !== d.network) out.set('network', config.network);
  const prefix = Number(config.network.split('/')[1]);
  if (config.subnetLen !== (prefix <= 22 ? 24 : prefix + 2)) {
    out.set('subnetLen', String(config.subnetLen));
  }
  if (config.labId) out.set('lab', config.labId);
  if (config.theme !== d.theme) out.set('theme', config.theme);
  if (config.readonly) out.set('readonly', '1');
  if (config.etcd.length > 0) out.set('etcd', config.etcd.join(','));
  const s = out.toString();
  return s ? `?${s}` : '';
}

/** A dotted-quad IPv4 CIDR with host bits masked, or null. */
function parseNetwork(text: string): { addr: number; len: number } | null {
  const cidr = text.includes('/') ? parseCidr(text.trim()) : null;
  if (!cidr) return null;
  return { addr: (cidr.addr & prefixMask(cidr.prefixLen)) >>> 0, len: cidr.prefixLen };
}

function overlapsUnderlay(addr: number, len: number): boolean {
  const underlay = parseNetwork(`${UNDERLAY_PREFIX}0/${UNDERLAY_LEN}`)!;
  const shorter = Math.min(len, underlay.len);
  const mask = shorter === 0 ? 0 : (0xffffffff << (32 - shorter)) >>> 0;
  return (addr & mask) >>> 0 === (underlay.addr & mask) >>> 0;
}
