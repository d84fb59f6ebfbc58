// The terminals' font size: changed from the lab's console bar, remembered across reloads
// (for every lab, as the theme is), since `ip -d link` and `tcpdump -v` lines are long.

const STORAGE_KEY = 'flannel-playground/terminal-font-size';
export const DEFAULT_FONT_SIZE = 13;
export const MIN_FONT_SIZE = 9;
export const MAX_FONT_SIZE = 24;

export function clampFontSize(size: number): number {
  if (!Number.isFinite(size)) return DEFAULT_FONT_SIZE;
  return Math.min(MAX_FONT_SIZE, Math.max(MIN_FONT_SIZE, Math.round(size)));
}

export function storedFontSize(storage: Storage | undefined = globalThis.localStorage): number {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    return raw ? clampFontSize(Number(raw)) : DEFAULT_FONT_SIZE;
  } catch {
    return DEFAULT_FONT_SIZE;
  }
}

export function storeFontSize(
  size: number,
  storage: Storage | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(STORAGE_KEY, String(clampFontSize(size)));
  } catch {
    // Not persisted: fine.
  }
}
