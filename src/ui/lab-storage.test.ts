import { describe, expect, it } from 'vitest';
import {
  clearLabLocalStorage,
  kvDatabaseName,
  loadShellHistory,
  saveShellHistory,
} from './lab-storage.ts';
import kvStorageSource from '../workers/kv-storage-idb.ts?raw';

/** A Storage with the browser's semantics, enough for these tests. */
class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

describe('lab storage', () => {
  it('keeps each host its shell history, and reads damaged or foreign values as empty', () => {
    const s = new MemoryStorage();
    saveShellHistory(s, 'a', 'node1', ['ip route', 'hostname']);
    expect(loadShellHistory(s, 'a', 'node1')).toEqual(['ip route', 'hostname']);
    expect(loadShellHistory(s, 'a', 'node2')).toEqual([]);
    expect(loadShellHistory(s, 'b', 'node1')).toEqual([]);
    s.setItem('flannel-playground/a/history/node2', '{not json');
    expect(loadShellHistory(s, 'a', 'node2')).toEqual([]);
    s.setItem('flannel-playground/a/history/node2', '["ls", 3, null]');
    expect(loadShellHistory(s, 'a', 'node2')).toEqual(['ls']);
    saveShellHistory(s, 'a', 'node1', []);
    expect(s.getItem('flannel-playground/a/history/node1')).toBeNull();
  });

  it('clears only the given lab', () => {
    const s = new MemoryStorage();
    s.setItem('flannel-playground/a1/history/node1', '["ls"]');
    s.setItem('flannel-playground/a1/history/node2', '["ip r"]');
    s.setItem('flannel-playground/a10/history/node1', '["keep"]');
    s.setItem('flannel-playground/theme', 'dark');
    expect(clearLabLocalStorage(s, 'a1')).toBe(2);
    expect(s.getItem('flannel-playground/a10/history/node1')).toBe('["keep"]');
    expect(s.getItem('flannel-playground/theme')).toBe('dark');
    expect(s.length).toBe(2);
  });

  it('names the KV database as the KV worker does', () => {
    expect(kvStorageSource).toContain('`flannel-playground-kv-${labId}`');
    expect(kvDatabaseName('x1')).toBe('flannel-playground-kv-x1');
  });
});
