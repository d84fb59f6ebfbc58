import { describe, expect, it } from 'vitest';
import { DEFAULT_FONT_SIZE, storeFontSize, storedFontSize } from './font-size.ts';

function memory(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, v),
  };
}

describe('terminal font size', () => {
  it('is remembered, within bounds, and falls back to the default', () => {
    const s = memory();
    expect(storedFontSize(s)).toBe(DEFAULT_FONT_SIZE);
    storeFontSize(16, s);
    expect(storedFontSize(s)).toBe(16);
    storeFontSize(99, s);
    expect(storedFontSize(s)).toBe(24);
    s.setItem('flannel-playground/terminal-font-size', 'big');
    expect(storedFontSize(s)).toBe(DEFAULT_FONT_SIZE);
  });
});
