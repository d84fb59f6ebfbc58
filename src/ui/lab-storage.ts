// What a lab leaves in the browser, and how "Reset lab" removes it: each host's shell history
// (localStorage, `flannel-playground/<lab>/...`) and the KV store (the IndexedDB database
// that src/workers/kv-storage-idb.ts opens for the lab).

export function labStoragePrefix(labId: string): string {
  return `flannel-playground/${labId}/`;
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
