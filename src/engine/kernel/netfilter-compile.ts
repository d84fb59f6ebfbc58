// Compiles the iptables tables into the flat rule set the kernel walks (assembly/abi.ts's NF_*
// layout): chains and fixed-size rules with jumps resolved to chain indexes, so the packet
// path reads words and never looks anything up by name.

import * as A from './assembly/abi.ts';
import { parseIpv4, prefixMask } from '../packet/ipaddr.ts';
import type { Chain, MatchExt, PortRange, Rule, TableName } from './netfilter.ts';

/** REJECT --reject-with types and the ICMP code each sends (tcp-reset: none, 255). */
export const REJECT_CODES: Record<string, number> = {
  'icmp-net-unreachable': 0,
  'icmp-host-unreachable': 1,
  'icmp-proto-unreachable': 2,
  'icmp-port-unreachable': 3,
  'icmp-net-prohibited': 9,
  'icmp-host-prohibited': 10,
  'icmp-admin-prohibited': 13,
  'tcp-reset': 255,
};

/** --ctstate names, in the order iptables prints them, and their bits. */
export const CT_STATES: [string, number][] = [
  ['INVALID', A.CT_INVALID],
  ['NEW', A.CT_NEW],
  ['RELATED', A.CT_RELATED],
  ['ESTABLISHED', A.CT_ESTABLISHED],
  ['UNTRACKED', A.CT_UNTRACKED],
  ['SNAT', A.CT_SNAT],
  ['DNAT', A.CT_DNAT],
];

/** addrtype's types, at their RTN_* numbers. */
export const ADDR_TYPES = [
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
];

/** Built-in chains by hook, per table: [hook, table, chain name]. */
const HOOKS: [number, TableName, string][] = [
  [A.HOOK_INPUT, 'filter', 'INPUT'],
  [A.HOOK_FORWARD, 'filter', 'FORWARD'],
  [A.HOOK_OUTPUT, 'filter', 'OUTPUT'],
  [A.HOOK_PREROUTING, 'nat', 'PREROUTING'],
  [A.HOOK_INPUT, 'nat', 'INPUT'],
  [A.HOOK_OUTPUT, 'nat', 'OUTPUT'],
  [A.HOOK_POSTROUTING, 'nat', 'POSTROUTING'],
];

const TARGETS: Record<string, number> = {
  '': A.T_NONE,
  ACCEPT: A.T_ACCEPT,
  DROP: A.T_DROP,
  RETURN: A.T_RETURN,
  REJECT: A.T_REJECT,
  LOG: A.T_LOG,
  MARK: A.T_MARK,
  MASQUERADE: A.T_MASQUERADE,
  SNAT: A.T_SNAT,
  DNAT: A.T_DNAT,
};

const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

function ports(r: PortRange | undefined): number {
  return r ? (r.lo | (r.hi << 16)) >>> 0 : 0;
}

function ip(s: string): number {
  return parseIpv4(s) ?? 0;
}

/** The states' bits, or the types' (1 << RTN_*) from a comma list. */
export function stateMask(states: readonly string[]): number {
  let m = 0;
  for (const s of states) m |= CT_STATES.find(([n]) => n === s)?.[1] ?? 0;
  return m;
}

export function addrTypeMask(list: string | undefined): number {
  let m = 0;
  for (const t of (list ?? '').split(',')) {
    const i = ADDR_TYPES.indexOf(t);
    if (i >= 0) m |= 1 << i;
  }
  return m;
}

export interface Compiled {
  rules: Uint8Array;
  counters: Float64Array;
}

/** The rule set of both tables, and the counters to start it with (rules, then chains). */
export function compileRules(tables: ReadonlyMap<TableName, readonly Chain[]>): Compiled {
  const chains: Chain[] = [];
  const index = new Map<string, number>();
  for (const [table, list] of tables)
    for (const c of list) {
      index.set(`${table}\u0000${c.name}`, chains.length);
      chains.push(c);
    }
  const rules: { table: TableName; rule: Rule; packets: number; bytes: number }[] = [];
  const chainWords: number[] = [];
  for (const [table, list] of tables)
    for (const c of list) {
      chainWords.push(rules.length, c.rules.length);
      const policy = !c.policy
        ? A.NF_POLICY_NONE
        : c.policy === 'DROP'
          ? A.NF_POLICY_DROP
          : A.NF_POLICY_ACCEPT;
      chainWords.push(policy, c.counted ? 1 : 0);
      for (const r of c.rules) rules.push({ table, rule: r, packets: r.packets, bytes: r.bytes });
    }
  const portWords: number[] = [];
  const strings: number[] = []; // u16 units
  const names = new Map<string, number>();
  const name = (n: string): number => {
    let at = names.get(n);
    if (at === undefined) {
      at = strings.length * 2;
      names.set(n, at);
      strings.push(n.length, ...Array.from(n, (ch) => ch.charCodeAt(0)));
    }
    return at;
  };
  let conntrack = false;
  const ruleWords = new Int32Array(rules.length * A.NF_RULE_WORDS);
  rules.forEach(({ table, rule }, i) => {
    const w = ruleWords.subarray(i * A.NF_RULE_WORDS, (i + 1) * A.NF_RULE_WORDS);
    w[A.R_IIF] = -1;
    w[A.R_OIF] = -1;
    let flags = 0;
    let inv = 0;
    const set = (bit: number, invert: boolean | undefined) => {
      flags |= bit;
      if (invert) inv |= bit;
    };
    if (rule.source) {
      set(A.M_SRC, rule.source.invert);
      w[A.R_SRC] = ip(rule.source.addr);
      w[A.R_SMASK] = prefixMask(rule.source.prefixLen);
    }
    if (rule.destination) {
      set(A.M_DST, rule.destination.invert);
      w[A.R_DST] = ip(rule.destination.addr);
      w[A.R_DMASK] = prefixMask(rule.destination.prefixLen);
    }
    if (rule.protocol) {
      set(A.M_PROTO, rule.protocolInvert);
      w[A.R_PROTO] = PROTOCOLS[rule.protocol];
    }
    if (rule.inInterface !== undefined) {
      set(A.M_IIF, rule.inInvert);
      w[A.R_IIF] = name(rule.inInterface);
    }
    if (rule.outInterface !== undefined) {
      set(A.M_OIF, rule.outInvert);
      w[A.R_OIF] = name(rule.outInterface);
    }
    for (const m of rule.matches) {
      ({ flags, inv } = compileMatch(m, w, flags, inv, portWords));
      if (m.kind === 'conntrack') conntrack = true;
    }
    w[A.R_FLAGS] = flags;
    w[A.R_INV] = inv;
    const target = rule.target;
    const jump = index.get(`${table}\u0000${target}`);
    w[A.R_TARGET] = TARGETS[target] ?? A.T_JUMP;
    const o = rule.options ?? {};
    if (w[A.R_TARGET] === A.T_JUMP) w[A.R_ARG0] = jump ?? 0;
    else if (target === 'REJECT')
      w[A.R_ARG0] = REJECT_CODES[o.rejectWith ?? 'icmp-port-unreachable'];
    else if (target === 'MARK') {
      w[A.R_ARG0] = o.setMark?.value ?? 0;
      w[A.R_ARG1] = o.setMark?.mask ?? 0xffffffff;
    } else if (target === 'SNAT' || target === 'DNAT' || target === 'MASQUERADE') {
      w[A.R_ARG0] = o.toAddr ? ip(o.toAddr) : 0;
      w[A.R_ARG2] = ports(o.toPorts);
      w[A.R_ARG3] = rule.randomFully ? A.NAT_F_RANDOM_FULLY : 0;
    }
    if (table === 'nat') conntrack = true;
  });
  const hooks = new Array<number>(10).fill(-1);
  for (const [hook, table, chain] of HOOKS) {
    const c = index.get(`${table}\u0000${chain}`);
    const slot = hook * 2 + (table === 'filter' ? A.NF_TABLE_FILTER : A.NF_TABLE_NAT);
    if (c !== undefined) hooks[slot] = c;
  }
  // A table none of whose chains has a rule or counts its policy is not walked at all.
  const idle = (t: TableName) =>
    (tables.get(t) ?? []).every((c) => c.rules.length === 0 && !c.counted && c.policy !== 'DROP');
  for (const [hook, table] of HOOKS)
    if (idle(table)) hooks[hook * 2 + (table === 'filter' ? 0 : 1)] = -1;
  const header = new Array<number>(A.NF_HDR_WORDS).fill(0);
  header[0] = A.NF_MAGIC;
  header[A.NF_H_FLAGS] = conntrack ? A.NF_F_CONNTRACK : 0;
  header[A.NF_H_CHAINS] = chains.length;
  header[A.NF_H_RULES] = rules.length;
  header[A.NF_H_PORTS] = portWords.length;
  hooks.forEach((c, i) => (header[A.NF_H_HOOKS + i] = c));
  const words = [...header, ...chainWords, ...ruleWords, ...portWords];
  const out = new Uint8Array(words.length * 4 + strings.length * 2);
  const view = new DataView(out.buffer);
  words.forEach((v, i) => view.setInt32(i * 4, v | 0, true));
  strings.forEach((u, i) => view.setUint16(words.length * 4 + i * 2, u, true));
  const counters = new Float64Array((rules.length + chains.length) * 2);
  rules.forEach((r, i) => {
    counters[i * 2] = r.packets;
    counters[i * 2 + 1] = r.bytes;
  });
  chains.forEach((c, i) => {
    counters[(rules.length + i) * 2] = c.packets;
    counters[(rules.length + i) * 2 + 1] = c.bytes;
  });
  return { rules: out, counters };
}

function compileMatch(
  m: MatchExt,
  w: Int32Array,
  flags: number,
  inv: number,
  portWords: number[],
): { flags: number; inv: number } {
  const set = (bit: number, invert: boolean | undefined) => {
    flags |= bit;
    if (invert) inv |= bit;
  };
  switch (m.kind) {
    case 'comment':
      break;
    case 'mark':
      set(A.M_MARK, m.invert);
      w[A.R_MARK] = m.value;
      w[A.R_MARK_MASK] = m.mask;
      break;
    case 'udp':
    case 'tcp':
      if (m.sport) {
        set(A.M_SPORT, m.sportInvert);
        w[A.R_SPORT] = ports(m.sport);
      }
      if (m.dport) {
        set(A.M_DPORT, m.dportInvert);
        w[A.R_DPORT] = ports(m.dport);
      }
      break;
    case 'icmp':
      set(A.M_ICMP, m.invert);
      w[A.R_ICMP] = m.type | (m.codeLo << 8) | (m.codeHi << 16);
      break;
    case 'conntrack':
      set(A.M_CTSTATE, m.invert);
      w[A.R_CTSTATE] = stateMask(m.states);
      break;
    case 'addrtype':
      if (m.src) {
        set(A.M_SRCTYPE, m.srcInvert);
        w[A.R_SRCTYPE] = addrTypeMask(m.src);
      }
      if (m.dst) {
        set(A.M_DSTTYPE, m.dstInvert);
        w[A.R_DSTTYPE] = addrTypeMask(m.dst);
      }
      break;
    case 'multiport':
      set(A.M_MPORT, m.invert);
      w[A.R_MPORT_DIR] = m.dir === 'sports' ? 1 : m.dir === 'dports' ? 2 : 3;
      w[A.R_MPORT_AT] = portWords.length;
      w[A.R_MPORT_N] = m.ports.length;
      for (const p of m.ports) portWords.push(ports(p) | 0);
      break;
  }
  return { flags, inv };
}
