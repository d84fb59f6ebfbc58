// Light and dark themes: the page follows prefers-color-scheme unless the user (or ?theme=)
// picks one; the choice is remembered.

import type { ITheme } from '@xterm/xterm';
import type { Theme } from '../engine/lab/params.ts';

export type ResolvedTheme = 'light' | 'dark';

const STORAGE_KEY = 'flannel-playground/theme';

export function storedTheme(): Theme | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' || v === 'auto' ? v : null;
  } catch {
    return null;
  }
}

export function storeTheme(theme: Theme): void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Not persisted: fine.
  }
}

export function systemTheme(): ResolvedTheme {
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function terminalTheme(theme: ResolvedTheme): ITheme {
  return theme === 'dark'
    ? {
        background: '#0f1419',
        foreground: '#d6dde6',
        cursor: '#7cc4ff',
        cursorAccent: '#0f1419',
        selectionBackground: '#2f4b66',
      }
    : {
        background: '#fbfcfd',
        foreground: '#1c2430',
        cursor: '#0b62c4',
        cursorAccent: '#fbfcfd',
        selectionBackground: '#b8d6f5',
        black: '#1c2430',
        white: '#8a94a3',
        brightWhite: '#5a6472',
        yellow: '#8a6d00',
        brightYellow: '#7a5f00',
      };
}
