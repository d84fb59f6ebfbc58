import { test, expect } from '@playwright/test';
import { terminal, typeLine, watch } from './helpers.ts';

// Issue 14, Kubernetes mode: ?scenario=seed-000 builds seed 000's kubeadm cluster (the master
// localhost.localdomain, node1, note2 with kube-flannel), `kubectl get nodes` lists the three
// Ready, and the article's pod on node1 pings the one on note2 across the vxlan.
test('seed-000: kubectl get nodes, and a pod on node1 pings the pod on note2', async ({ page }) => {
  const problems = watch(page);
  await page.goto('/?scenario=seed-000&lab=e2e-kube');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 60_000 });
  for (const h of ['localhost.localdomain', 'node1', 'note2'])
    await expect(page.locator(`[data-testid="host-tab"][data-host="${h}"]`)).toBeVisible();

  const master = terminal(page, 'localhost.localdomain');
  await typeLine(page, 'localhost.localdomain', 'kubectl get nodes');
  await expect(master).toContainText(/NAME +STATUS +ROLES +AGE +VERSION/);
  await expect(master).toContainText(/localhost\.localdomain +Ready +control-plane /);
  await expect(master).toContainText(/node1 +Ready +<none> /);
  await expect(master).toContainText(/note2 +Ready +<none> /);

  const t1 = terminal(page, 'node1');
  await typeLine(page, 'node1', 'kubectl exec -it -n alpine alpine-55zej -- ping -c 3 10.244.1.2');
  await expect(t1).toContainText('PING 10.244.1.2 (10.244.1.2) 56(84) bytes of data.');
  await expect(t1).toContainText('3 packets transmitted, 3 received, 0% packet loss');
  expect(problems).toEqual([]);
});
