// Issue 5, acceptance 3: a reload loses nothing the user made — leases, the KV, shell history.
import { test, expect, type Page } from '@playwright/test';
import { run, terminal, watch } from './helpers.ts';

test.use({ viewport: { width: 1600, height: 1000 } });

async function leases(page: Page): Promise<string[]> {
  const out = await run(
    page,
    'node1',
    'etcdctl get --prefix /coreos.com/network/subnets --keys-only',
  );
  return (out.match(/10\.244\.\d+\.0-24/g) ?? []).sort();
}

async function revision(page: Page): Promise<number> {
  const out = await run(page, 'node1', 'etcdctl get /coreos.com/network/config -w fields');
  return Number(out.match(/"Revision" : (\d+)/)?.[1]);
}

test('a reload keeps the subnets, the KV and each host’s shell history', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/?lab=e2e-persist');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  const before = await leases(page);
  expect(before).toHaveLength(3);
  const rev = await revision(page);
  expect(rev).toBeGreaterThan(0);
  await run(page, 'node2', 'echo persist-me');
  await page.waitForTimeout(500); // the KV saves once per turn; history as it is typed

  await page.reload();
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  // flanneld finds its lease again by PublicIP (spec: "Found lease ... for current IP, reusing").
  expect(await leases(page)).toEqual(before);
  expect(await revision(page)).toBeGreaterThanOrEqual(rev);
  const t = terminal(page, 'node2');
  await page.locator('[data-testid="host-tab"][data-host="node2"]').click();
  await t.click();
  // The last lines typed there: the marker-wrapped echo; Up brings it back.
  await page.keyboard.press('ArrowUp');
  await expect(t).toContainText('echo persist-me');
  expect(problems).toEqual([]);
});

test('a lab saved whole by an older version (one snapshot record) loads, and is rewritten per record', async ({
  page,
}) => {
  const problems = watch(page);
  await page.goto('/');
  const db = 'flannel-playground-kv-e2e-legacy';
  const stored = (keys: 'keys' | 'put') =>
    page.evaluate(
      ([name, what]) =>
        new Promise<string[]>((resolve, reject) => {
          const open = indexedDB.open(name);
          open.onupgradeneeded = () => open.result.createObjectStore('kv');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('kv', 'readwrite');
            const kv = tx.objectStore('kv');
            const record = {
              key: '/legacy',
              value: 'kept',
              createRevision: 2,
              modRevision: 2,
              sub: 0,
              version: 1,
              lease: 0,
              tombstone: false,
            };
            if (what === 'put')
              kv.put(
                {
                  format: 1,
                  currentRev: 2,
                  compactRev: -1,
                  raftIndex: 5,
                  leaseSeq: 0,
                  records: [record],
                  leases: [],
                },
                'snapshot',
              );
            const keys = kv.getAllKeys();
            tx.oncomplete = () => {
              open.result.close();
              resolve(keys.result.map((k) => JSON.stringify(k)));
            };
          };
        }),
      [db, keys] as const,
    );
  expect(await stored('put')).toEqual(['"snapshot"']);
  await page.goto('/?lab=e2e-legacy');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  expect(await run(page, 'node1', 'etcdctl get /legacy --print-value-only')).toContain('kept');
  const keys = await stored('keys');
  expect(keys).toContain('"meta"');
  expect(keys).toContain('["r",2,0]');
  expect(keys).not.toContain('"snapshot"');
  expect(problems).toEqual([]);
});
