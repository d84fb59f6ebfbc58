import { describe, expect, it } from 'vitest';
import { crc32, encodePng, renderIcon } from './pwa-icon.ts';

/** zlib's format with stored (uncompressed) blocks: valid, and simple enough to write here. */
function storedZlib(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(2 + data.length + blocks * 5 + 4);
  out.set([0x78, 0x01]);
  let at = 2;
  for (let b = 0; b < blocks; b++) {
    const part = data.subarray(b * 65535, (b + 1) * 65535);
    out.set([b === blocks - 1 ? 1 : 0, part.length & 255, part.length >> 8], at);
    out.set([~part.length & 255, (~part.length >> 8) & 255], at + 3);
    out.set(part, at + 5);
    at += 5 + part.length;
  }
  let a = 1;
  let s = 0;
  for (const x of data) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  new DataView(out.buffer).setUint32(at, ((s << 16) | a) >>> 0);
  return out;
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reads back a PNG's chunks, checking each CRC. */
function readPng(png: Uint8Array) {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  const chunks: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at < png.length;) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    expect(view.getUint32(at + 8 + len), `CRC of ${type}`).toBe(
      crc32(png.subarray(at + 4, at + 8 + len)),
    );
    chunks.push({ type, data });
    at += 12 + len;
  }
  return chunks;
}

describe('PWA icon', () => {
  it('crc32 gives the standard check values', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });

  it('writes a valid RGBA PNG whose pixels decode back', async () => {
    const size = 48;
    const rgba = renderIcon(size, false);
    const png = encodePng(rgba, size, storedZlib);
    const chunks = readPng(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), chunks[0].data[8], chunks[0].data[9]]).toEqual([
      size,
      size,
      8,
      6,
    ]);
    const raw = await inflate(chunks[1].data);
    expect(raw.length).toBe(size * (size * 4 + 1));
    for (let row = 0; row < size; row++) {
      const line = raw.subarray(row * (size * 4 + 1), (row + 1) * (size * 4 + 1));
      expect(line[0]).toBe(0); // filter None
      expect(line.subarray(1)).toEqual(rgba.subarray(row * size * 4, (row + 1) * size * 4));
    }
  });

  it('draws the design: transparent corners, blue body, white grid lines', () => {
    const size = 64;
    const rgba = renderIcon(size, false);
    const at = (x: number, y: number) => [
      ...rgba.subarray((y * size + x) * 4, (y * size + x) * 4 + 4),
    ];
    expect(at(0, 0)[3]).toBe(0); // rounded corner
    expect(at(6, 26)).toEqual([0x1f, 0x6f, 0xeb, 255]); // body, off the grid
    expect(at(32, 20)[0]).toBeGreaterThan(200); // on a line: mostly white
    const maskable = renderIcon(size, true);
    expect(maskable[3]).toBe(255); // maskable: full bleed
  });
});
