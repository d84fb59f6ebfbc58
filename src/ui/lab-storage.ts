// What a lab leaves in the browser, and how "Reset lab" removes it: each host's shell history
// (localStorage, `flannel-playground/<lab>/...`) and the KV store (the IndexedDB database
// that src/workers/kv-storage-idb.ts opens for the lab).

export function labStoragePrefix(labId: string): string {
  return `flannel-playground/${labId}/`;
}

/**
 * A host's shell history, kept across reloads as bash keeps ~/.bash_history: the page reads it
 * when the host boots (its shell starts with it) and writes the shell's list after each line.
 */
export function shellHistoryKey(labId: string, hostname: string): string {
  return `${labStoragePrefix(labId)}history/${hostname}`;
}

export function loadShellHistory(storage: Storage, labId: string, hostname: string): string[] {
  try {
    const raw = storage.getItem(shellHistoryKey(labId, hostname));
    const list: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(list) ? list.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function saveShellHistory(
  storage: Storage,
  labId: string,
  hostname: string,
  history: string[],
): void {
  try {
    // No lines, no file: a reset lab keeps nothing of this host.
    if (history.length === 0) storage.removeItem(shellHistoryKey(labId, hostname));
    else storage.setItem(shellHistoryKey(labId, hostname), JSON.stringify(history));
  } catch {
    // Storage full or disabled: the history lives on in the shell until the page closes.
  }
}

export function kvDatabaseName(labId: string): string {
  return `flannel-playground-kv-${labId}`;
}

/** Removes every localStorage key of the lab; returns how many were removed. */
export function clearLabLocalStorage(storage: Storage, labId: string): number {
  const prefix = labStoragePrefix(labId);
  const doomed: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(prefix)) doomed.push(key);
  }
  for (const key of doomed) storage.removeItem(key);
  return doomed.length;
}

/**
 * Deletes the lab's KV database. The lab's workers must be gone first: an open connection
 * would block the deletion (then this resolves once they close, or after `timeoutMs`).
 */
export function deleteLabDatabase(
  factory: IDBFactory,
  labId: string,
  timeoutMs = 3000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(kvDatabaseName(labId));
    const timer = setTimeout(resolve, timeoutMs);
    request.onsuccess = () => {
      clearTimeout(timer);
      resolve();
    };
    request.onerror = () => {
      clearTimeout(timer);
      reject(request.error ?? new Error('could not delete the lab database'));
    };
  });
}
