// Share links: the lab's configuration as compressed JSON in the URL hash
// (`#config=<base64url(deflate-raw(JSON))>`). A link is data only: every field is checked
// against a closed list and then through the same validation as the URL parameters, so a
// tampered or truncated link is rejected whole; nothing in it is ever run or fetched.

import { MAX_NODES, parseLabParams, type Backend, type LabConfig } from '../engine/lab/params.ts';

export const SHARE_HASH_KEY = 'config';
/** Version of the payload format; bump it when the fields change. */
const VERSION = 1;
/** Far more than a valid payload needs; bounds what a hostile link can make us inflate. */
const MAX_ENCODED = 2048;
const MAX_JSON = 4096;
const FIELDS = ['v', 'nodes', 'backend', 'network', 'subnetLen'] as const;

export interface SharedConfig {
  nodes: number;
  backend: Backend;
  network: string;
  subnetLen: number;
}

export type DecodeResult = { ok: true; config: LabConfig } | { ok: false; error: string };

export function sharedPart(config: LabConfig): SharedConfig {
  return {
    nodes: config.hosts.length,
    backend: config.backend,
    network: config.network,
    subnetLen: config.subnetLen,
  };
}

/** The hash ('#config=...') that reproduces the lab's shape (not its id: the receiver gets a fresh lab). */
export async function encodeShareHash(config: LabConfig): Promise<string> {
  const json = JSON.stringify({ v: VERSION, ...sharedPart(config) });
  // Without a limit the result is never null.
  const packed = (await pipeThrough(
    new TextEncoder().encode(json),
    new CompressionStream('deflate-raw'),
  ))!;
  return `#${SHARE_HASH_KEY}=${toBase64Url(packed)}`;
}

/** Null when the hash holds no share link at all. */
export function shareToken(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get(SHARE_HASH_KEY);
}

export async function decodeShareToken(token: string): Promise<DecodeResult> {
  const fail = (why: string): DecodeResult => ({
    ok: false,
    error: `This share link is damaged or was altered (${why}); the default lab is shown instead.`,
  });
  if (token.length === 0 || token.length > MAX_ENCODED || !/^[A-Za-z0-9_-]+$/.test(token)) {
    return fail('not base64url text');
  }
  const bytes = fromBase64Url(token);
  if (!bytes) return fail('not base64url text');
  let json: string;
  try {
    const raw = await pipeThrough(bytes, new DecompressionStream('deflate-raw'), MAX_JSON);
    if (!raw) return fail('too large');
    json = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return fail('not compressed data');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('not an object');
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  if (keys.join() !== [...FIELDS].sort().join()) return fail('unexpected fields');
  if (obj.v !== VERSION) return fail(`unknown version ${String(obj.v)}`);
  const { nodes, backend, network, subnetLen } = obj;
  if (
    !Number.isSafeInteger(nodes) ||
    typeof backend !== 'string' ||
    typeof network !== 'string' ||
    !Number.isSafeInteger(subnetLen)
  ) {
    return fail('wrong field types');
  }
  if ((nodes as number) < 1 || (nodes as number) > MAX_NODES) return fail('bad node count');
  const parsed = parseLabParams(
    new URLSearchParams({
      nodes: String(nodes),
      backend,
      network,
      subnetLen: String(subnetLen),
    }),
  );
  if (parsed.errors.length > 0) return fail(parsed.errors.join('; '));
  return { ok: true, config: parsed.config };
}

/** Runs bytes through a (de)compression stream; null when the output passes `limit` bytes. */
async function pipeThrough(
  input: Uint8Array,
  transform: CompressionStream | DecompressionStream,
  limit = Infinity,
): Promise<Uint8Array | null> {
  const writer = transform.writable.getWriter();
  void writer.write(input as Uint8Array<ArrayBuffer>).catch(() => {});
  void writer.close().catch(() => {});
  const reader = transform.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array | null {
  // A length of 1 mod 4 cannot come from whole bytes.
  if (text.length % 4 === 1) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
