// Looking a word the user typed up in a table: only the table's own entries count, so
// `etcdctl __proto__` or `ip route add ... scope constructor` finds nothing instead of
// Object.prototype's members. Every program and builtin reads its command and flag tables
// through this.

/** `table[key]` when `key` is one of the table's own entries, else undefined. */
export function own<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
