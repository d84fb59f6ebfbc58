// Leases: a TTL in seconds and an expiry on the lab clock. When a lease expires the server
// revokes it, deleting its keys in one revision (etcd's lessor + revokeExpiredLeases).

import type { LabClock } from '../os/clock.ts';
import { errLeaseExists, errLeaseNotFound, errLeaseTtlTooLarge } from './errors.ts';

/** etcd's MaxLeaseTTL. */
export const MAX_LEASE_TTL = 9_000_000_000;
/** A single-member etcd with default timings grants at least 2 s (minLeaseTTL). */
export const MIN_LEASE_TTL = 2;

export interface Lease {
  id: number;
  /** Granted TTL, seconds. */
  ttl: number;
  /** Lab-clock time (ms) at which it expires. */
  expiresAt: number;
}

export class Lessor {
  private leases = new Map<number, Lease>();
  private timers = new Map<number, () => void>();

  constructor(
    private readonly clock: LabClock,
    /** Called when a lease's time is up; the server revokes it. */
    private readonly onExpire: (id: number) => void,
    /**
     * Whether anyone outside would hear of the lease's expiry (a watcher of one of its keys);
     * if not, its timer is local to the store's worker (see TimerOptions.local).
     */
    private readonly observed: (id: number) => boolean = () => true,
  ) {}

  grant(id: number, ttl: number): Lease {
    if (ttl > MAX_LEASE_TTL) throw errLeaseTtlTooLarge();
    if (this.leases.has(id)) throw errLeaseExists();
    const granted = Math.max(ttl, MIN_LEASE_TTL);
    const lease = { id, ttl: granted, expiresAt: this.clock.now() + granted * 1000 };
    this.install(lease);
    return lease;
  }

  /** Restores a persisted lease; one already past its expiry expires at once. */
  install(lease: Lease): void {
    this.leases.set(lease.id, lease);
    this.schedule(lease);
  }

  revoke(id: number): void {
    if (!this.leases.has(id)) throw errLeaseNotFound();
    this.timers.get(id)?.();
    this.timers.delete(id);
    this.leases.delete(id);
  }

  /** Resets the lease's expiry to a full TTL from now; returns the TTL. */
  renew(id: number): number {
    const lease = this.leases.get(id);
    if (!lease) throw errLeaseNotFound();
    lease.expiresAt = this.clock.now() + lease.ttl * 1000;
    this.schedule(lease);
    return lease.ttl;
  }

  get(id: number): Lease | undefined {
    return this.leases.get(id);
  }

  /** Whole seconds left (truncated, as etcd reports them). */
  remaining(lease: Lease): number {
    return Math.max(0, Math.trunc((lease.expiresAt - this.clock.now()) / 1000));
  }

  list(): Lease[] {
    return [...this.leases.values()];
  }

  private schedule(lease: Lease): void {
    this.timers.get(lease.id)?.();
    const delay = Math.max(0, lease.expiresAt - this.clock.now());
    this.timers.set(
      lease.id,
      this.clock.setTimer(
        delay,
        () => {
          this.timers.delete(lease.id);
          if (this.leases.get(lease.id) === lease) this.onExpire(lease.id);
        },
        { local: () => !this.observed(lease.id) },
      ),
    );
  }
}
