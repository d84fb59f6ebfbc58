// How the lab's real etcd (?etcd=) is doing, for the header: asked of every member directly,
// because a client that fails over hides a member that is down, and a lab whose flanneld has
// nothing to renew for hours would notice a lost cluster only then.
//   ok        every member answers and one of them leads
//   degraded  some member is down but a leader remains (the lab works, with less margin)
//   down      no member answers, or none knows a leader (quorum lost): leases cannot renew

export interface EtcdHealth {
  level: 'ok' | 'degraded' | 'down';
  /** What the header says; empty when ok. */
  text: string;
}

/** A member that has not answered within this long counts as down. */
export const PROBE_TIMEOUT_MS = 1500;

/** The member's view: the leader's id ('0' for none), or why it did not answer. */
async function probe(
  endpoint: string,
  fetchFn: typeof fetch,
  timeoutMs: number,
): Promise<{ leader: string } | { error: string }> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetchFn(`${endpoint}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: ctl.signal,
    });
    const json = (await res.json()) as { leader?: unknown };
    return { leader: String(json.leader ?? '0') };
  } catch (err) {
    return { error: ctl.signal.aborted ? 'no answer' : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export async function etcdHealth(
  endpoints: string[],
  fetchFn: typeof fetch,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<EtcdHealth> {
  const views = await Promise.all(endpoints.map((e) => probe(e, fetchFn, timeoutMs)));
  const down = endpoints.filter((_, i) => 'error' in views[i]);
  const led = views.some((v) => 'leader' in v && v.leader !== '0');
  if (down.length === endpoints.length) {
    return {
      level: 'down',
      text: `etcd unreachable (${endpoints.join(', ')}): flanneld cannot renew its leases; the data path keeps working`,
    };
  }
  if (!led) {
    return {
      level: 'down',
      text: `etcd has no leader (quorum lost${down.length ? `, ${down.join(', ')} down` : ''}): flanneld cannot renew its leases; the data path keeps working`,
    };
  }
  if (down.length > 0) {
    return {
      level: 'degraded',
      text: `etcd: ${down.length} of ${endpoints.length} members down (${down.join(', ')})`,
    };
  }
  return { level: 'ok', text: '' };
}
