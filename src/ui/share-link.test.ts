import { describe, expect, it } from 'vitest';
import { parseLabParams } from '../engine/lab/params.ts';
import {
  decodeShareToken,
  encodeShareHash,
  fromBase64Url,
  shareToken,
  toBase64Url,
} from './share-link.ts';

async function run(bytes: Uint8Array, stream: CompressionStream | DecompressionStream) {
  const out = await new Response(
    new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream),
  ).arrayBuffer();
  return new Uint8Array(out);
}
const deflateRaw = (text: string) =>
  run(new TextEncoder().encode(text), new CompressionStream('deflate-raw'));
const tokenOf = async (obj: unknown) => toBase64Url(await deflateRaw(JSON.stringify(obj)));
const valid = { v: 1, nodes: 3, backend: 'vxlan', network: '10.244.0.0/16', subnetLen: 24 };

describe('share links', () => {
  it('round-trips a lab configuration (but not its id)', async () => {
    const { config } = parseLabParams(
      '?nodes=5&backend=host-gw&network=10.50.0.0/16&subnetLen=26&lab=abc',
    );
    const hash = await encodeShareHash(config);
    expect(hash).toMatch(/^#config=[A-Za-z0-9_-]+$/);
    const back = await decodeShareToken(shareToken(hash)!);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.config.hosts.map((h) => h.hostname)).toEqual([
      'node1',
      'node2',
      'node3',
      'node4',
      'node5',
    ]);
    expect(back.config.backend).toBe('host-gw');
    expect(back.config.network).toBe('10.50.0.0/16');
    expect(back.config.subnetLen).toBe(26);
    expect(back.config.labId).toBeNull();
  });

  it('encodes raw deflate of the JSON payload', async () => {
    const { config } = parseLabParams('?backend=udp');
    const token = shareToken(await encodeShareHash(config))!;
    const json = await run(fromBase64Url(token)!, new DecompressionStream('deflate-raw'));
    expect(JSON.parse(new TextDecoder().decode(json))).toEqual({ ...valid, backend: 'udp' });
  });

  it('base64url has no padding and survives every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toBase64Url(all);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect([...fromBase64Url(text)!]).toEqual([...all]);
  });

  it('finds no token in an unrelated hash', () => {
    expect(shareToken('')).toBeNull();
    expect(shareToken('#top')).toBeNull();
  });

  const bad: [string, () => Promise<string> | string][] = [
    ['empty', () => ''],
    ['bad alphabet', () => 'abc+/='],
    ['impossible length', () => 'abcde'],
    ['not deflate', () => toBase64Url(new TextEncoder().encode('hello world, not deflate'))],
    ['not JSON', async () => toBase64Url(await deflateRaw('{nope'))],
    ['array', () => tokenOf([1, 2])],
    ['extra field', () => tokenOf({ ...valid, script: 'x' })],
    ['missing field', () => tokenOf({ ...valid, subnetLen: undefined })],
    ['wrong version', () => tokenOf({ ...valid, v: 2 })],
    ['string nodes', () => tokenOf({ ...valid, nodes: '3' })],
    ['too many nodes', () => tokenOf({ ...valid, nodes: 1000 })],
    ['bad backend', () => tokenOf({ ...valid, backend: 'ipip' })],
    ['a URL for a network', () => tokenOf({ ...valid, network: 'http://evil.example/' })],
    ['bad subnetLen', () => tokenOf({ ...valid, subnetLen: 31 })],
    ['bomb', async () => toBase64Url(await deflateRaw(' '.repeat(100_000) + '{}'))],
  ];
  for (const [name, make] of bad) {
    it(`rejects a link: ${name}`, async () => {
      const r = await decodeShareToken(await make());
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^This share link is damaged or was altered/);
    });
  }

  it('rejects every truncation of a valid link', async () => {
    const { config } = parseLabParams('?nodes=4');
    const token = shareToken(await encodeShareHash(config))!;
    expect((await decodeShareToken(token)).ok).toBe(true);
    for (let cut = 1; cut < token.length; cut++) {
      const r = await decodeShareToken(token.slice(0, cut));
      expect(r.ok, `cut at ${cut}`).toBe(false);
    }
  });
});
