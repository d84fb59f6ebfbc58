// Netfilter state as iptables sees it: tables (filter, nat) of chains, built-in chains with a
// policy, user chains, and rules as structured records. The iptables program and flanneld's
// ip-masq / forward rule sets both edit this; the kernel owns one instance per host.
// Errors carry iptables' own messages (iptables-nft 1.8.9).

export type TableName = 'filter' | 'nat';
export type Policy = 'ACCEPT' | 'DROP';

/** An address match: -s / -d, with '!' when inverted. */
export interface AddrMatch {
  /** Network address (host bits masked). */
  addr: string;
  prefixLen: number;
  invert: boolean;
}

/** Extension matches, in the order they were given on the command line. */
export type MatchExt =
  | { kind: 'comment'; comment: string }
  | { kind: 'mark'; value: number; mask: number; invert: boolean };

export interface Rule {
  source?: AddrMatch;
  destination?: AddrMatch;
  protocol?: 'tcp' | 'udp' | 'icmp';
  inInterface?: string;
  outInterface?: string;
  matches: MatchExt[];
  /** ACCEPT, DROP, RETURN, MASQUERADE or a user chain; '' for a rule without -j. */
  target: string;
  /** MASQUERADE --random-fully. */
  randomFully?: boolean;
}

export interface RuleEntry extends Rule {
  packets: number;
  bytes: number;
}

export interface ChainInfo {
  name: string;
  /** Set for built-in chains. */
  policy?: Policy;
  packets: number;
  bytes: number;
  /** How many rules jump to this chain (for user chains). */
  references: number;
  rules: RuleEntry[];
}

export class NetfilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetfilterError';
  }
}

export const ERR_NO_CHAIN = 'No chain/target/match by that name.';
export const ERR_CHAIN_EXISTS = 'Chain already exists.';
export const ERR_BAD_RULE = 'Bad rule (does a matching rule exist in that chain?).';
export const ERR_NOT_EMPTY = 'Directory not empty.';
export const ERR_TOO_MANY_LINKS = 'Too many links.';
export const ERR_BAD_BUILTIN = 'Bad built-in chain name.';
export const ERR_INDEX = 'Index of insertion too big.';
export const ERR_DELETE_INDEX = 'Index of deletion too big.';

const BUILTIN: Record<TableName, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

const STANDARD_TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN']);
const TABLE_TARGETS: Record<TableName, Set<string>> = {
  filter: new Set(['REJECT', 'LOG']),
  nat: new Set(['MASQUERADE', 'SNAT', 'DNAT', 'LOG']),
};

interface Chain {
  name: string;
  policy?: Policy;
  packets: number;
  bytes: number;
  rules: RuleEntry[];
}

/** What makes two rules the same for -C and -D (counters aside). */
function ruleKey(r: Rule): string {
  return JSON.stringify([
    r.source ?? null,
    r.destination ?? null,
    r.protocol ?? null,
    r.inInterface ?? null,
    r.outInterface ?? null,
    r.matches,
    r.target,
    r.randomFully ?? false,
  ]);
}

/**
 * Rule keys, computed once per rule object: flanneld checks its rules every 5 s of lab time,
 * 120 960 times in a fast-forwarded week. A rule's matching fields never change once made
 * (only a stored rule's counters do).
 */
const keys = new WeakMap<Rule, string>();

function keyOf(r: Rule): string {
  let key = keys.get(r);
  if (key === undefined) keys.set(r, (key = ruleKey(r)));
  return key;
}

function sameRule(a: Rule, b: Rule): boolean {
  return keyOf(a) === keyOf(b);
}

function copyRule(rule: Rule): Rule {
  return {
    ...rule,
    source: rule.source && { ...rule.source },
    destination: rule.destination && { ...rule.destination },
    matches: rule.matches.map((m) => ({ ...m })),
  };
}

export class Netfilter {
  private readonly tables = new Map<TableName, Chain[]>();

  constructor() {
    for (const table of ['filter', 'nat'] as const)
      this.tables.set(
        table,
        BUILTIN[table].map((name) => ({ name, policy: 'ACCEPT', packets: 0, bytes: 0, rules: [] })),
      );
  }

  static isTable(name: string): name is TableName {
    return name === 'filter' || name === 'nat';
  }

  private chains(table: TableName): Chain[] {
    return this.tables.get(table)!;
  }

  private find(table: TableName, chain: string): Chain {
    const found = this.chains(table).find((c) => c.name === chain);
    if (!found) throw new NetfilterError(ERR_NO_CHAIN);
    return found;
  }

  private checkTarget(table: TableName, rule: Rule): void {
    const t = rule.target;
    if (t === '' || STANDARD_TARGETS.has(t) || TABLE_TARGETS[table].has(t)) return;
    if (!this.chains(table).some((c) => c.name === t && !c.policy))
      throw new NetfilterError(ERR_NO_CHAIN);
  }

  hasChain(table: TableName, chain: string): boolean {
    return this.chains(table).some((c) => c.name === chain);
  }

  newChain(table: TableName, chain: string): void {
    if (this.hasChain(table, chain)) throw new NetfilterError(ERR_CHAIN_EXISTS);
    this.chains(table).push({ name: chain, packets: 0, bytes: 0, rules: [] });
  }

  /** -X: one user chain, or every empty unreferenced user chain when `chain` is omitted. */
  deleteChain(table: TableName, chain?: string): void {
    const chains = this.chains(table);
    if (chain === undefined) {
      for (const c of chains.filter((c) => !c.policy)) {
        if (c.rules.length > 0) throw new NetfilterError(ERR_NOT_EMPTY);
        if (this.references(table, c.name) > 0) throw new NetfilterError(ERR_TOO_MANY_LINKS);
      }
      this.tables.set(
        table,
        chains.filter((c) => c.policy),
      );
      return;
    }
    const c = this.find(table, chain);
    if (c.policy) throw new NetfilterError("Invalid argument. Run `dmesg' for more information.");
    if (this.references(table, chain) > 0) throw new NetfilterError(ERR_TOO_MANY_LINKS);
    if (c.rules.length > 0) throw new NetfilterError(ERR_NOT_EMPTY);
    chains.splice(chains.indexOf(c), 1);
  }

  /** -F: one chain, or all chains of the table. */
  flush(table: TableName, chain?: string): void {
    if (chain === undefined) for (const c of this.chains(table)) c.rules = [];
    else this.find(table, chain).rules = [];
  }

  setPolicy(table: TableName, chain: string, policy: Policy): void {
    const c = this.find(table, chain);
    if (!c.policy) throw new NetfilterError(ERR_BAD_BUILTIN);
    c.policy = policy;
  }

  append(table: TableName, chain: string, rule: Rule): void {
    const c = this.find(table, chain);
    this.checkTarget(table, rule);
    c.rules.push({ ...copyRule(rule), packets: 0, bytes: 0 });
  }

  /** -I: at 1-based `position` (default 1). */
  insert(table: TableName, chain: string, rule: Rule, position = 1): void {
    const c = this.find(table, chain);
    this.checkTarget(table, rule);
    if (position < 1 || position > c.rules.length + 1) throw new NetfilterError(ERR_INDEX);
    c.rules.splice(position - 1, 0, { ...copyRule(rule), packets: 0, bytes: 0 });
  }

  /** -D by rule (the first identical one) or by 1-based number. */
  delete(table: TableName, chain: string, rule: Rule | number): void {
    const c = this.find(table, chain);
    if (typeof rule === 'number') {
      if (rule < 1 || rule > c.rules.length) throw new NetfilterError(ERR_DELETE_INDEX);
      c.rules.splice(rule - 1, 1);
      return;
    }
    const i = c.rules.findIndex((r) => sameRule(r, rule));
    if (i < 0) throw new NetfilterError(ERR_BAD_RULE);
    c.rules.splice(i, 1);
  }

  /** -C: true when an identical rule exists; throws when the chain does not. */
  check(table: TableName, chain: string, rule: Rule): boolean {
    const key = keyOf(rule);
    return this.find(table, chain).rules.some((r) => keyOf(r) === key);
  }

  references(table: TableName, chain: string): number {
    let n = 0;
    for (const c of this.chains(table)) for (const r of c.rules) if (r.target === chain) n++;
    return n;
  }

  /** Chains in iptables' listing order: built-ins first, then user chains as created. */
  list(table: TableName): ChainInfo[] {
    const chains = this.chains(table);
    const ordered = [...chains.filter((c) => c.policy), ...chains.filter((c) => !c.policy)];
    return ordered.map((c) => ({
      name: c.name,
      policy: c.policy,
      packets: c.packets,
      bytes: c.bytes,
      references: this.references(table, c.name),
      rules: c.rules.map((r) => ({ ...copyRule(r), packets: r.packets, bytes: r.bytes })),
    }));
  }

  chainInfo(table: TableName, chain: string): ChainInfo {
    this.find(table, chain);
    return this.list(table).find((c) => c.name === chain)!;
  }
}
