// The app icon (the favicon's design: a grid on a blue rounded square) drawn as a PNG, so
// the PWA's manifest icons are built from code instead of downloaded or hand-made files.
// Pure: the caller passes zlib's deflate (vite.config.ts runs this in Node at build time).

const BLUE = [0x1f, 0x6f, 0xeb];
const LINE_ALPHA = 0.85;
/** 4×4 samples per pixel: smooth edges without a rasteriser. */
const SS = 4;

/**
 * RGBA pixels of the icon. `maskable`: the background fills the square and the grid keeps
 * to the central safe zone (80%), as maskable icons must.
 */
export function renderIcon(size: number, maskable: boolean): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const inset = maskable ? 0.1 : 0; // the grid's 64-unit design box inside the square
  const scale = (1 - 2 * inset) / 64;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let cover = 0;
      let line = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const u = (x + (sx + 0.5) / SS) / size; // 0..1 in the square
          const v = (y + (sy + 0.5) / SS) / size;
          if (!maskable && !insideRoundedSquare(u * 64, v * 64, 12)) continue;
          cover++;
          const gx = (u - inset) / scale; // design units
          const gy = (v - inset) / scale;
          if (onGrid(gx, gy) || onGrid(gy, gx)) line++;
        }
      }
      const n = SS * SS;
      const a = cover / n;
      const l = cover === 0 ? 0 : (line / cover) * LINE_ALPHA;
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) px[i + c] = Math.round(BLUE[c] * (1 - l) + 255 * l);
      px[i + 3] = Math.round(a * 255);
    }
  }
  return px;
}

/** Horizontal lines y = 20, 32, 44 (4 units wide) from x = 14 to 50. */
function onGrid(x: number, y: number): boolean {
  return x >= 14 && x <= 50 && [20, 32, 44].some((c) => Math.abs(y - c) <= 2);
}

function insideRoundedSquare(x: number, y: number, r: number): boolean {
  if (x < 0 || y < 0 || x > 64 || y > 64) return false;
  const cx = Math.min(Math.max(x, r), 64 - r);
  const cy = Math.min(Math.max(y, r), 64 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** A PNG file (8-bit RGBA, no interlace) for `rgba` pixels of a size×size image. */
export function encodePng(
  rgba: Uint8Array,
  size: number,
  deflate: (data: Uint8Array) => Uint8Array,
): Uint8Array {
  // Each scanline starts with filter type 0 (None).
  const raw = new Uint8Array(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    raw.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, filter 0, no interlace
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const parts = [
    new Uint8Array(signature),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflate(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
