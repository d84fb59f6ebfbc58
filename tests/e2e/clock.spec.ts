import { test, expect, type Page } from '@playwright/test';
import { run, watch } from './helpers.ts';

const HOUR = 3_600_000;

/** Lab time in the header ('2026-12-04 01:23:57 UTC'). */
async function headerTime(page: Page): Promise<number> {
  const text = (await page.locator('.clock').textContent())!;
  return Date.parse(text.replace(' UTC', 'Z').replace(' ', 'T'));
}

/**
 * The klog times ('I1124 07:10:00.000000') of the flanneld lines matching `what`, in lab ms
 * (year aside: a line after New Year's Eve is read in the next one). The terminal wraps long
 * lines, so rows are joined back first and spaces around the wrap may be missing.
 */
function klogTimes(screen: string, what: string): number[] {
  const text = screen.replace(/\n/g, '');
  const re = new RegExp(
    `I(\\d\\d)(\\d\\d)\\s*(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{6})[^\\]]*\\]\\s*${what}`,
    'g',
  );
  const times: number[] = [];
  for (const m of text.matchAll(re)) {
    const [mo, d, h, mi, s, us] = m.slice(1).map(Number);
    let t = Date.UTC(2001, mo - 1, d, h, mi, s) + us / 1000;
    if (times.length > 0 && t < times[0]) t = Date.UTC(2002, mo - 1, d, h, mi, s) + us / 1000;
    times.push(t);
  }
  return times;
}

test('+1 h, +24 h, +7 d in a row: every lease renewed on time, none revoked, pods ping', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const problems = watch(page);
  await page.setViewportSize({ width: 1600, height: 1400 });
  await page.goto('/?lab=e2e-clock-renew');
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: 15_000 });
  const before = await headerTime(page);
  for (const label of ['+1 h', '+24 h', '+7 d']) {
    await page.getByRole('button', { name: label, exact: true }).click();
  }
  await expect
    .poll(async () => (await headerTime(page)) - before, { timeout: 120_000 })
    .toBeGreaterThanOrEqual(193 * HOUR);
  expect((await headerTime(page)) - before).toBeLessThan(193 * HOUR + 60_000);
  await expect(page.getByTestId('lab-ready')).toBeVisible();

  for (const host of ['node1', 'node2', 'node3']) {
    expect(await run(page, host, 'journalctl -u flanneld | grep -c revoked')).toBe('0');
    const allocated = await run(page, host, 'journalctl -u flanneld | grep "Allocated lease"');
    const [start] = klogTimes(allocated, 'Allocated\\s*lease');
    const journal = await run(page, host, 'journalctl -u flanneld | grep "Lease renewed"');
    const renewed = klogTimes(journal, 'Lease\\s*renewed');
    // 8 d 1 h after boot: renewals at 23 h, 46 h, ... 184 h after the lease, at those lab times.
    expect(renewed.map((t) => Math.round((t - start) / 1000) / 3600)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((k) => 23 * k),
    );
    expect(await run(page, host, 'journalctl -u flanneld | grep -c "Lease renewed"')).toBe('8');
  }
  const addr = await run(page, 'node3', 'ip netns exec pod1 ip -4 -br addr show eth0');
  const ip = addr.split(/\s+/)[2].split('/')[0];
  const ping = await run(page, 'node1', `ip netns exec pod1 ping -c 2 ${ip}`);
  expect(ping).toContain('2 packets transmitted, 2 received');
  expect(problems).toEqual([]);
});
