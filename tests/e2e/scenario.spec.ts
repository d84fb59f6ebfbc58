import { test, expect } from '@playwright/test';
import { terminal, typeLine, watch } from './helpers.ts';

// Issue 14: ?scenario=seed-002-vxlan builds seed 002's vxlan lab (node-1 with etcd, node-2 and
// node-3 with flanneld 0.10 and docker, bbox2 and bbox3 running) and the article's
// `docker exec bbox2 ping` reaches bbox3 across the vxlan, as busybox prints it.
test('seed-002-vxlan: the article hosts, and docker exec bbox2 ping reaches bbox3', async ({
  page,
}) => {
  const problems = watch(page);
  await page.goto('/?scenario=seed-002-vxlan&lab=e2e-scenario');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 30_000 });
  for (const h of ['node-1', 'node-2', 'node-3'])
    await expect(page.locator(`[data-testid="host-tab"][data-host="${h}"]`)).toBeVisible();
  expect(new URL(page.url()).searchParams.get('scenario')).toBe('seed-002-vxlan');

  // bbox3's address, as the article reads it, on node-3.
  const t3 = terminal(page, 'node-3');
  await typeLine(page, 'node-3', 'docker exec bbox3 ifconfig eth0');
  await expect(t3).toContainText(/inet addr:10\.102\.\d+\.2/);
  const ip = /inet addr:(10\.102\.\d+\.2)/.exec((await t3.textContent()) ?? '')![1];

  const t2 = terminal(page, 'node-2');
  await typeLine(page, 'node-2', 'cat /run/docker_opts.env');
  await expect(t2).toContainText(
    /DOCKER_OPTS=" --bip=10\.102\.\d+\.1\/24 --ip-masq=true --mtu=1450"/,
  );
  await typeLine(page, 'node-2', `docker exec bbox2 ping -c 4 ${ip}`);
  await expect(t2).toContainText(`PING ${ip} (${ip}): 56 data bytes`);
  await expect(t2).toContainText(
    new RegExp(`64 bytes from ${ip.replace(/\./g, '\\.')}: seq=3 ttl=62 time=`),
  );
  await expect(t2).toContainText('4 packets transmitted, 4 packets received, 0% packet loss');
  expect(problems).toEqual([]);
});
