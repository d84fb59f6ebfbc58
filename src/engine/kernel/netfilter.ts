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

/** A port or an inclusive range of ports (`lo:hi`). */
export interface PortRange {
  lo: number;
  hi: number;
}

/** Extension matches, in the order they were given on the command line. */
export type MatchExt =
  | { kind: 'comment'; comment: string }
  | { kind: 'mark'; value: number; mask: number; invert: boolean }
  /** The udp / tcp match (`-p udp --dport 8472` loads it implicitly). */
  | {
      kind: 'udp' | 'tcp';
      sport?: PortRange;
      sportInvert?: boolean;
      dport?: PortRange;
      dportInvert?: boolean;
    }
  /** `--icmp-type`: type 255 is `any`; codes lo..hi. */
  | { kind: 'icmp'; type: number; codeLo: number; codeHi: number; invert: boolean }
  | { kind: 'conntrack'; states: string[]; invert: boolean }
  | { kind: 'addrtype'; src?: string; srcInvert?: boolean; dst?: string; dstInvert?: boolean }
  | {
      kind: 'multiport';
      dir: 'sports' | 'dports' | 'ports';
      ports: PortRange[];
      invert: boolean;
    };

/** A target's options: REJECT --reject-with, LOG --log-prefix, MARK, the NAT targets. */
export interface TargetOptions {
  rejectWith?: string;
  logPrefix?: string;
  /** MARK: new mark = (old & ~mask) ^ value. */
  setMark?: { value: number; mask: number };
  /** SNAT --to-source / DNAT --to-destination. */
  toAddr?: string;
  /** Ports of --to-source/--to-destination/--to-ports. */
  toPorts?: PortRange;
}

export interface Rule {
  source?: AddrMatch;
  destination?: AddrMatch;
  protocol?: 'tcp' | 'udp' | 'icmp';
  protocolInvert?: boolean;
  inInterface?: string;
  inInvert?: boolean;
  outInterface?: string;
  outInvert?: boolean;
  matches: MatchExt[];
  /** ACCEPT, DROP, RETURN, REJECT, LOG, MARK, MASQUERADE, SNAT, DNAT or a user chain; '' for a
   * rule without -j. */
  target: string;
  /** MASQUERADE / SNAT --random-fully. */
  randomFully?: boolean;
  options?: TargetOptions;
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
export const ERR_NO_MEMORY = 'Cannot allocate memory.';

const BUILTIN: Record<TableName, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

const STANDARD_TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'LOG', 'MARK']);
const TABLE_TARGETS: Record<TableName, Set<string>> = {
  filter: new Set(['REJECT']),
  nat: new Set(['MASQUERADE', 'SNAT', 'DNAT']),
};

export interface Chain {
  name: string;
  policy?: Policy;
  packets: number;
  bytes: number;
  /** iptables-nft counts a built-in chain's policy once -P or -Z gave it counters. */
  counted?: boolean;
  rules: RuleEntry[];
}

/** The kernel side: loads a compiled rule set, and reads its counters back. */
export interface NetfilterKernel {
  load(tables: ReadonlyMap<TableName, readonly Chain[]>): void;
  /** [packets, bytes] per rule in load order, then per chain. */
  counters(): Float64Array;
}

/** What makes two rules the same for -C and -D (counters aside). */
function ruleKey(r: Rule): string {
  return JSON.stringify([
    r.source ?? null,
    r.destination ?? null,
    r.protocol ?? null,
    r.protocolInvert ?? false,
    r.inInterface ?? null,
    r.inInvert ?? false,
    r.outInterface ?? null,
    r.outInvert ?? false,
    r.matches,
    r.target,
    r.randomFully ?? false,
    r.options ?? null,
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
    matches: rule.matches.map((m) => structuredClone(m)),
    options: rule.options && structuredClone(rule.options),
  };
}

export class Netfilter {
  private readonly tables = new Map<TableName, Chain[]>();

  /** Without a kernel the tables are only kept (tests of the programs); with one, every
   * change is compiled into it and the counters are read back from it. */
  constructor(private readonly kernel?: NetfilterKernel) {
    for (const table of ['filter', 'nat'] as const)
      this.tables.set(
        table,
        BUILTIN[table].map((name) => ({ name, policy: 'ACCEPT', packets: 0, bytes: 0, rules: [] })),
      );
  }

  /** Reads the kernel's counters into the rules and chains (in the order load() sent them). */
  private pull(): void {
    if (!this.kernel) return;
    const c = this.kernel.counters();
    let i = 0;
    const all = [...this.tables.values()].flat();
    for (const chain of all)
      for (const r of chain.rules) {
        r.packets = c[i * 2] ?? 0;
        r.bytes = c[i * 2 + 1] ?? 0;
        i++;
      }
    for (const chain of all) {
      chain.packets = c[i * 2] ?? 0;
      chain.bytes = c[i * 2 + 1] ?? 0;
      i++;
    }
  }

  /** Runs one change: counters first read back, the result loaded into the kernel. */
  private change<T>(edit: () => T): T {
    this.pull();
    if (!this.kernel) return edit();
    const before = new Map([...this.tables].map(([t, chains]) => [t, structuredClone(chains)]));
    const out = edit();
    try {
      this.kernel.load(this.tables);
    } catch (err) {
      // The kernel refused the set (it is too big for the lab's one-attribute load): undo.
      for (const [t, chains] of before) this.tables.set(t, chains);
      if (err instanceof RangeError) throw new NetfilterError(ERR_NO_MEMORY);
      throw err;
    }
    return out;
  }

  /** -Z: one chain's counters (and its policy's), or the whole table's. */
  zero(table: TableName, chain?: string): void {
    this.change(() => {
      const chains = chain === undefined ? this.chains(table) : [this.find(table, chain)];
      for (const c of chains) {
        c.packets = c.bytes = 0;
        if (c.policy) c.counted = true;
        for (const r of c.rules) r.packets = r.bytes = 0;
      }
    });
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
    this.change(() => {
      if (this.hasChain(table, chain)) throw new NetfilterError(ERR_CHAIN_EXISTS);
      this.chains(table).push({ name: chain, packets: 0, bytes: 0, rules: [] });
    });
  }

  /** -X: one user chain, or every empty unreferenced user chain when `chain` is omitted. */
  deleteChain(table: TableName, chain?: string): void {
    this.change(() => {
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
    });
  }

  /** -F: one chain, or all chains of the table. */
  flush(table: TableName, chain?: string): void {
    this.change(() => {
      if (chain === undefined) for (const c of this.chains(table)) c.rules = [];
      else this.find(table, chain).rules = [];
    });
  }

  setPolicy(table: TableName, chain: string, policy: Policy): void {
    this.change(() => {
      const c = this.find(table, chain);
      if (!c.policy) throw new NetfilterError(ERR_BAD_BUILTIN);
      c.policy = policy;
      c.counted = true;
    });
  }

  append(table: TableName, chain: string, rule: Rule): void {
    this.change(() => {
      const c = this.find(table, chain);
      this.checkTarget(table, rule);
      c.rules.push({ ...copyRule(rule), packets: 0, bytes: 0 });
    });
  }

  /** -I: at 1-based `position` (default 1). */
  insert(table: TableName, chain: string, rule: Rule, position = 1): void {
    this.change(() => {
      const c = this.find(table, chain);
      this.checkTarget(table, rule);
      if (position < 1 || position > c.rules.length + 1) throw new NetfilterError(ERR_INDEX);
      c.rules.splice(position - 1, 0, { ...copyRule(rule), packets: 0, bytes: 0 });
    });
  }

  /** -D by rule (the first identical one) or by 1-based number. */
  delete(table: TableName, chain: string, rule: Rule | number): void {
    this.change(() => {
      const c = this.find(table, chain);
      if (typeof rule === 'number') {
        if (rule < 1 || rule > c.rules.length) throw new NetfilterError(ERR_DELETE_INDEX);
        c.rules.splice(rule - 1, 1);
        return;
      }
      const i = c.rules.findIndex((r) => sameRule(r, rule));
      if (i < 0) throw new NetfilterError(ERR_BAD_RULE);
      c.rules.splice(i, 1);
    });
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
    this.pull();
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
