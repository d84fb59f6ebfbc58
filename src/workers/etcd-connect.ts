// Connecting the lab to a real etcd cluster (?etcd=...): the gateway client, checked once
// before the lab boots, with a message that says what to fix when the page cannot reach it.
//
// A browser hides why a cross-origin call failed: a cluster that is down and one that was not
// started with --cors look the same ("Failed to fetch"). A `no-cors` request tells them apart:
// it succeeds (with an opaque answer) whenever the server answers at all.

import { createEtcdGateway, type EtcdGatewayOptions } from '../engine/kv/etcd-gateway.ts';
import type { KvClient } from '../engine/kv/types.ts';

export type EtcdClient = KvClient & { close(): void };

/**
 * What to change for the page at `origin`. etcd 3.4 answers every origin unless started with
 * --cors, a comma-separated list of the origins it allows.
 */
export function corsHint(origin: string): string {
  return `add ${origin} to etcd's --cors (e.g. --cors=${origin}, or leave --cors out to allow any page)`;
}

/** Why `endpoint` cannot be used from the page at `origin` (null: it can). */
export async function diagnose(
  endpoint: string,
  origin: string,
  fetchFn: typeof fetch,
): Promise<string | null> {
  try {
    const res = await fetchFn(`${endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}' });
    if (res.ok) return null;
    return `etcd at ${endpoint} answered HTTP ${res.status}: is it etcd's v3 gateway (etcd 3.4 or later)?`;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    try {
      await fetchFn(`${endpoint}/version`, { mode: 'no-cors' });
    } catch {
      return (
        `cannot reach etcd at ${endpoint} (${reason}): is it running and listening there ` +
        `(--listen-client-urls, --advertise-client-urls)? If it runs with --cors, ${corsHint(origin)}`
      );
    }
    return (
      `etcd at ${endpoint} is up but does not allow this page (no CORS headers for ${origin}): ` +
      corsHint(origin)
    );
  }
}

/**
 * The gateway client for `endpoints`, once one of them answers; otherwise an Error naming
 * each endpoint's problem.
 */
export async function connectEtcd(
  endpoints: string[],
  origin: string,
  deps: Omit<EtcdGatewayOptions, 'endpoints'>,
): Promise<EtcdClient> {
  const problems: string[] = [];
  for (const endpoint of endpoints) {
    const problem = await diagnose(endpoint, origin, deps.fetch);
    if (problem === null) return createEtcdGateway({ ...deps, endpoints });
    problems.push(problem);
  }
  throw new Error(problems.join('\n'));
}
