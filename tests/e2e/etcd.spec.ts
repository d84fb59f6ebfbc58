// Issue 15: the built site on a real etcd (?etcd=), Debian's etcd-server started here with
// --cors for this page's origin; and one whose --cors leaves this page out, which the page
// names (etcd 3.4 without --cors answers every origin).
import { test, expect } from '@playwright/test';
import { EtcdCluster, etcdInstalled } from '../unit/etcd-cluster.ts';
import { run, watch } from './helpers.ts';

const port = Number(process.env.E2E_PORT ?? 4173);
const ORIGIN = `http://127.0.0.1:${port}`;
const withCors = new EtcdCluster({ size: 1, basePort: 24396, cors: ORIGIN });
const otherOrigin = new EtcdCluster({
  size: 1,
  basePort: 24398,
  cors: 'http://trainer.example:5173',
});

test.skip(!etcdInstalled(), "needs Debian's etcd-server (scripts/ensure-tools.sh)");
test.beforeAll(async () => {
  await withCors.start();
  await otherOrigin.start();
});
test.afterAll(async () => {
  await withCors.destroy();
  await otherOrigin.destroy();
});

test('a lab on a real etcd reaches lab-ready; both etcdctls see its leases', async ({ page }) => {
  // The page talks to the cluster it was given, and to nothing else.
  const problems = watch(page);
  const started = Date.now();
  await page.goto(`/?lab=e2e-etcd&etcd=${withCors.endpoints[0]}`);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  console.info(`lab-ready on a real etcd in ${Date.now() - started} ms`);
  const keys = withCors.etcdctl(['get', '--prefix', '/coreos.com/network/subnets/', '--keys-only']);
  expect(keys.stdout.split('\n').filter(Boolean)).toHaveLength(3);
  const ours = await run(
    page,
    'node1',
    'etcdctl get --prefix /coreos.com/network/subnets/ --keys-only',
  );
  expect(ours.split('\n').filter(Boolean).sort()).toEqual(
    keys.stdout.split('\n').filter(Boolean).sort(),
  );
  // The lab clock runs at 1x against a real etcd's real-time leases.
  await expect(page.getByRole('button', { name: '+24 h' })).toBeDisabled();
  const etcd = `request to another origin: ${withCors.endpoints[0]}/v3/`;
  expect(problems.filter((p) => !p.startsWith(etcd))).toEqual([]);
});

test('an etcd whose --cors leaves this page out is named, with the flag to add', async ({
  page,
}) => {
  await page.goto(`/?lab=e2e-etcd-nocors&etcd=${otherOrigin.endpoints[0]}`);
  await expect(page.locator('p.error').first()).toContainText(
    `etcd at ${otherOrigin.endpoints[0]} is up but does not allow this page (no CORS headers ` +
      `for ${ORIGIN}): add ${ORIGIN} to etcd's --cors`,
    { timeout: 15_000 },
  );
});

test('the header says when etcd goes away after boot, and when it is back', async ({ page }) => {
  await page.goto(`/?lab=e2e-etcd-lost&etcd=${withCors.endpoints[0]}`);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('etcd-health')).toHaveCount(0);
  // The cluster still holds the claims of the tests before (node1..3): this tab has the next.
  const [a, b] = await page
    .getByTestId('host-tab')
    .evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-host') ?? ''));
  const addr = await run(page, b, 'ip netns exec pod1 ip -4 -br addr show eth0');
  const target = addr.match(/(10\.244\.\d+\.\d+)\/24/)?.[1];
  await withCors.stopMember(0);
  try {
    await expect(page.getByTestId('etcd-health')).toHaveText(
      `etcd unreachable (${withCors.endpoints[0]}): flanneld cannot renew its leases; the data ` +
        'path keeps working',
      { timeout: 10_000 },
    );
    await expect(page.getByTestId('etcd-health')).toHaveAttribute('data-level', 'down');
    // As the header says: pods still reach each other.
    const ping = await run(page, a, `ip netns exec pod1 ping -c 2 -i 0.2 ${target}`);
    expect(ping).toContain('2 received');
  } finally {
    withCors.startMember(0);
    await withCors.waitHealthy();
  }
  await expect(page.getByTestId('etcd-health')).toHaveCount(0, { timeout: 10_000 });
});
