// Random ids for labs and tabs. getRandomValues, not randomUUID: a classroom serves the page over
// plain http on its LAN, which is no secure context, and randomUUID exists only in secure ones.

/** `bytes` random bytes as lower-case hex. */
export function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}
