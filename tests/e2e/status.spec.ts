import { test, expect, type Page } from '@playwright/test';
import { run, watch } from './helpers.ts';

const HOSTS = ['node1', 'node2', 'node3'];

/** The topology's "N peer routes" for a host (its text, not the tooltip listing them). */
const routesText = (page: Page, host: string) =>
  page.locator(`[data-testid="topology-host"][data-host="${host}"] .routes`).evaluate((el) =>
    [...el.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent)
      .join(''),
  );
const tabDot = (page: Page, host: string) =>
  page.locator(`[data-testid="host-tab"][data-host="${host}"] [data-testid="host-dot"]`);
const topologyDot = (page: Page, host: string) =>
  page.locator(`[data-testid="topology-host"][data-host="${host}"] [data-testid="topology-dot"]`);

test('at lab-ready the topology counts the peer routes ip route shows', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/?lab=e2e-status-routes');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  // Within a second of ready, not at the next slow poll.
  for (const host of HOSTS) {
    await expect.poll(() => routesText(page, host), { timeout: 1000 }).toBe('2 peer routes');
  }
  for (const host of HOSTS) {
    const routes = await run(page, host, 'ip route | grep -c "dev flannel.1 onlink"');
    expect(routes).toBe('2');
    expect(await routesText(page, host)).toBe(`${routes} peer routes`);
  }
  expect(problems).toEqual([]);
});

test('a stopped flanneld, a revoked lease: the badge and the dot say so', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/?lab=e2e-status-flanneld');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  for (const host of HOSTS) await expect(tabDot(page, host)).toHaveAttribute('data-health', 'ok');

  await run(page, 'node2', 'systemctl stop flanneld');
  const trouble = page.getByTestId('lab-trouble');
  await expect(trouble).toHaveText('node2: flanneld stopped', { timeout: 1000 });
  await expect(page.getByTestId('lab-ready')).toBeHidden();
  await expect(tabDot(page, 'node2')).toHaveAttribute('data-health', 'down');
  await expect(topologyDot(page, 'node2')).toHaveAttribute('data-health', 'down');
  await expect(tabDot(page, 'node1')).toHaveAttribute('data-health', 'ok');

  await run(page, 'node2', 'systemctl start flanneld');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 5000 });
  await expect(tabDot(page, 'node2')).toHaveAttribute('data-health', 'ok');
  await expect(topologyDot(page, 'node2')).toHaveAttribute('data-health', 'ok');

  // node3's lease deleted from etcd: its flanneld shuts down, the others drop their route to it.
  const subnet = (await run(page, 'node3', 'cat /run/flannel/subnet.env | grep SUBNET'))
    .split('=')[1]
    .trim()
    .replace('.1/', '.0-');
  await run(page, 'node1', `etcdctl del /coreos.com/network/subnets/${subnet}`);
  await expect(trouble).toContainText('node3: flanneld stopped', { timeout: 1000 });
  await expect(topologyDot(page, 'node3')).toHaveAttribute('data-health', 'down');
  await expect(topologyDot(page, 'node1')).toHaveAttribute('data-health', 'down');
  await expect(topologyDot(page, 'node1').locator('title')).toContainText('no route to node3');
  expect(problems).toEqual([]);
});
