// Key ranges as etcd encodes them: range_end '' = the single key, '\0' = every key >= key,
// otherwise the half-open interval [key, range_end). Keys compare by UTF-16 code unit, which
// equals etcd's byte order for the ASCII keys the lab stores.

/** The range_end that selects every key starting with `prefix` (etcd's clientv3 getPrefix). */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  // An empty prefix, or one made only of the highest unit, selects everything from the key on.
  return '\0';
}

export function inRange(key: string, start: string, rangeEnd: string | undefined): boolean {
  if (!rangeEnd) return key === start;
  if (rangeEnd === '\0') return key >= start;
  return key >= start && key < rangeEnd;
}
