// The history of one key, split into generations as etcd's keyIndex does. A generation runs
// from a key's creation to its deletion (a tombstone record closes it); the next put opens a
// new one.
//
// For example put(2);put(3);delete(4);put(6) on key "a" gives the generations
//   {2, 3, 4(tombstone)}
//   {6}
// and reading "a" at revision 5 finds nothing, at 3 the value put at revision 3.

export interface StoredKv {
  key: string;
  value: string;
  createRevision: number;
  /** Main revision of the write. */
  modRevision: number;
  /** Position of the write inside its transaction. */
  sub: number;
  version: number;
  lease: number;
  tombstone: boolean;
}

export class KeyIndex {
  /** Oldest first; every generation but the last ends with a tombstone. */
  private generations: StoredKv[][] = [];

  /** The key's current record, unless it is deleted. */
  latest(): StoredKv | undefined {
    return this.at(Infinity);
  }

  /** The record visible at main revision `rev`, unless the key did not exist then. */
  at(rev: number): StoredKv | undefined {
    for (let g = this.generations.length - 1; g >= 0; g--) {
      const gen = this.generations[g];
      for (let i = gen.length - 1; i >= 0; i--) {
        if (gen[i].modRevision <= rev) return gen[i].tombstone ? undefined : gen[i];
      }
    }
    return undefined;
  }

  append(kv: StoredKv): void {
    const last = this.generations[this.generations.length - 1];
    if (!last || last[last.length - 1].tombstone) this.generations.push([kv]);
    else last.push(kv);
  }

  /**
   * Forgets what no read at a revision >= `rev` can see: keeps every record after `rev` and
   * the one record visible at `rev` (unless that is a tombstone).
   */
  compact(rev: number): void {
    const kept: StoredKv[][] = [];
    const visible = this.at(rev);
    for (const gen of this.generations) {
      const rest = gen.filter((kv) => kv.modRevision > rev || kv === visible);
      if (rest.length > 0) kept.push(rest);
    }
    this.generations = kept;
  }

  isEmpty(): boolean {
    return this.generations.length === 0;
  }

  records(): StoredKv[] {
    return this.generations.flat();
  }
}
