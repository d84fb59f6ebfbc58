// MAC addresses: 6 bytes on the wire, 'aa:bb:cc:dd:ee:ff' (lower case) everywhere else.

export const MAC_LEN = 6;
export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

const MAC_RE = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;

export function isValidMac(text: string): boolean {
  return MAC_RE.test(text);
}

/** Parses 'aa:bb:..' into 6 bytes; returns null when it is not a MAC. */
export function parseMac(text: string): Uint8Array | null {
  if (!MAC_RE.test(text)) return null;
  return Uint8Array.from(text.split(':'), (part) => parseInt(part, 16));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats `len` bytes at `offset` (a MAC unless told) as 'aa:bb:cc:dd:ee:ff'. */
export function formatMac(bytes: Uint8Array, offset = 0, len = MAC_LEN): string {
  let text = len > 0 ? HEX[bytes[offset]!]! : '';
  for (let i = 1; i < len; i++) text += ':' + HEX[bytes[offset + i]!]!;
  return text;
}

/** Writes a MAC string into 6 bytes at `offset`; throws RangeError on an invalid MAC. */
export function writeMac(bytes: Uint8Array, offset: number, mac: string): void {
  const parsed = parseMac(mac);
  if (!parsed) throw new RangeError(`invalid MAC address '${mac}'`);
  bytes.set(parsed, offset);
}

/** Lower two bytes of a two-digit hex, for printers. */
export function hex2(value: number): string {
  return HEX[value & 0xff]!;
}
