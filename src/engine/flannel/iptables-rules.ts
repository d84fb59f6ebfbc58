// flannel's iptables rule sets (pkg/trafficmngr/iptables): the masquerade rules (--ip-masq) in
// nat FLANNEL-POSTRTG and the forward rules in filter FLANNEL-FWD, re-asserted every 5 s.

import type { Netfilter, Rule, TableName } from '../kernel/netfilter.ts';
import { formatIp4Net } from './ip4.ts';
import type { Ip4Net } from './ip4.ts';

export interface RuleSpec {
  table: TableName;
  chain: string;
  rule: Rule;
}

const KUBE_PROXY_MARK = 0x4000;

function addr(net: Ip4Net, invert = false) {
  const [ip, len] = formatIp4Net(net).split('/');
  return { addr: ip, prefixLen: Number(len), invert };
}

export function masqRules(network: Ip4Net, lease: Ip4Net, randomFully = true): RuleSpec[] {
  const comment = { kind: 'comment' as const, comment: 'flanneld masq' };
  const multicast = { ip: 0xe0000000, prefixLen: 4 };
  const r = (
    rule: Omit<Rule, 'matches'> & { matches?: Rule['matches'] },
    chain = 'FLANNEL-POSTRTG',
  ): RuleSpec => ({
    table: 'nat',
    chain,
    rule: { ...rule, matches: [...(rule.matches ?? []), comment] },
  });
  const masq = randomFully ? { target: 'MASQUERADE', randomFully: true } : { target: 'MASQUERADE' };
  return [
    r({ target: 'FLANNEL-POSTRTG' }, 'POSTROUTING'),
    r({
      matches: [{ kind: 'mark', value: KUBE_PROXY_MARK, mask: KUBE_PROXY_MARK, invert: false }],
      target: 'RETURN',
    }),
    r({ source: addr(lease), destination: addr(network), target: 'RETURN' }),
    r({ source: addr(network), destination: addr(lease), target: 'RETURN' }),
    r({ source: addr(network, true), destination: addr(lease), target: 'RETURN' }),
    r({ source: addr(network), destination: addr(multicast, true), ...masq }),
    r({ source: addr(network, true), destination: addr(network), ...masq }),
  ];
}

export function forwardRules(network: Ip4Net): RuleSpec[] {
  const comment = { kind: 'comment' as const, comment: 'flanneld forward' };
  return [
    { table: 'filter', chain: 'FORWARD', rule: { matches: [comment], target: 'FLANNEL-FWD' } },
    {
      table: 'filter',
      chain: 'FLANNEL-FWD',
      rule: { source: addr(network), matches: [comment], target: 'ACCEPT' },
    },
    {
      table: 'filter',
      chain: 'FLANNEL-FWD',
      rule: { destination: addr(network), matches: [comment], target: 'ACCEPT' },
    },
  ];
}

/** True when every rule of the set is present. */
export function rulesPresent(nf: Netfilter, rules: RuleSpec[]): boolean {
  return rules.every((s) => nf.hasChain(s.table, s.chain) && nf.check(s.table, s.chain, s.rule));
}

/** Creates the user chains and appends the rules, as iptables-restore of the set would. */
export function applyRules(nf: Netfilter, rules: RuleSpec[]): void {
  // Jumps from built-in chains refer to the user chains, so those are filled first.
  const userChains = new Set(rules.map((s) => s.chain).filter((c) => c.startsWith('FLANNEL-')));
  for (const s of rules)
    if (userChains.has(s.chain) && !nf.hasChain(s.table, s.chain)) nf.newChain(s.table, s.chain);
  for (const chain of userChains) {
    const table = rules.find((s) => s.chain === chain)!.table;
    nf.flush(table, chain);
  }
  for (const s of rules) {
    if (userChains.has(s.chain)) nf.append(s.table, s.chain, s.rule);
    else if (!nf.check(s.table, s.chain, s.rule)) nf.append(s.table, s.chain, s.rule);
  }
}
