// Issue 8, items 4 and 5: the keyboard can leave a terminal and reach every control, screen
// readers get the terminal's text and the lab's news, and axe-core finds nothing to report.
import { test, expect, type Page } from '@playwright/test';
import { axe, openLab, run, screenText, terminal, typeLine } from './helpers.ts';

const READY_MS = 30_000;

/** Where the keyboard is: the terminal's host, or the focused control's test id / tag. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const term = el?.closest('[data-testid="terminal"]');
    if (term) return `terminal:${term.getAttribute('data-host')}`;
    return el?.getAttribute('data-testid') ?? el?.tagName.toLowerCase() ?? 'none';
  });
}

test.describe('keyboard', () => {
  test.use({ viewport: { width: 1400, height: 900 } });

  test('nothing takes the keyboard on load; Esc then Tab leaves a terminal', async ({ page }) => {
    const problems = await openLab(page, 'nodes=3&lab=e2e-a11y-keys');
    expect(await focused(page)).toBe('body');
    // The way out is told to screen readers (the input's description) and shown on focus.
    const input = terminal(page, 'node2').locator('textarea');
    await expect(input).toHaveAccessibleDescription(/Esc.*then Tab/i);

    await terminal(page, 'node2').click();
    expect(await focused(page)).toBe('terminal:node2');
    // Tab alone stays: it completes, as in bash.
    await page.keyboard.type('hostna');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('terminal:node2');
    await expect.poll(() => screenText(page, 'node2')).toContain('# hostname');
    await page.keyboard.press('Enter');
    await expect.poll(() => screenText(page, 'node2')).toMatch(/# hostname\s*\nnode2/);

    // Esc, then Tab: the next control after the terminal (node3's, in the side-by-side view).
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await focused(page)).not.toBe('terminal:node2');
    // Esc, then Shift+Tab from node3's terminal goes back (past node3's pane title).
    await terminal(page, 'node3').click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).not.toMatch(/^terminal:node3/);
    // Esc alone sends nothing to the shell and keeps the keyboard.
    await terminal(page, 'node1').click();
    await page.keyboard.press('Escape');
    await page.keyboard.type('echo still here');
    await page.keyboard.press('Enter');
    await expect.poll(() => screenText(page, 'node1')).toMatch(/\nstill here/);
    expect(problems).toEqual([]);
  });

  test('a clicked host tab takes the keyboard to its terminal', async ({ page }) => {
    for (const width of [900, 1400]) {
      // One terminal at a time, then side by side.
      await page.setViewportSize({ width, height: 900 });
      await openLab(page, `nodes=3&lab=e2e-a11y-tabs-${width}`);
      await terminal(page, 'node2').click();
      await page.keyboard.type('true');
      await page.keyboard.press('Enter');
      await page.locator('[data-testid="host-tab"][data-host="node3"]').click();
      expect(await focused(page)).toBe('terminal:node3');
      await page.keyboard.type('echo typed-into-node3');
      await page.keyboard.press('Enter');
      await expect.poll(() => screenText(page, 'node3')).toMatch(/\ntyped-into-node3/);
      expect(await screenText(page, 'node2')).not.toContain('typed-into-node3');
      // A host's box in the topology, and a tab chosen with the keyboard, do the same.
      await page.locator('[data-testid="topology-host"][data-host="node1"] .box').click();
      expect(await focused(page)).toBe('terminal:node1');
      await page.locator('[data-testid="host-tab"][data-host="node2"]').focus();
      await page.keyboard.press('Enter');
      expect(await focused(page)).toBe('terminal:node2');
    }
    // In a widget too (its terminals live in a shadow root).
    await page.goto('/embed.html');
    const widget = page.locator('#vxlan-demo');
    await expect(widget.getByTestId('lab-ready')).toBeVisible({ timeout: READY_MS });
    await widget.locator('[data-testid="host-tab"][data-host="node3"]').click();
    expect(await focused(page)).toBe('terminal:node3');
  });
});

test.describe('screen readers', () => {
  test.use({ viewport: { width: 1400, height: 900 } });

  test('the terminal text is in the accessibility tree; the lab announces its news', async ({
    page,
    context,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const problems = await openLab(page, 'nodes=3&lab=e2e-a11y-sr');
    const live = page.getByTestId('announcer');
    await expect(live).toHaveAttribute('aria-live', 'polite');
    await expect(live).toHaveText(/lab ready/i);

    // xterm's screen-reader mode: rows a screen reader can walk, not only aria-hidden paint.
    const out = await run(page, 'node2', 'echo screen-reader-row');
    expect(out).toBe('screen-reader-row');
    const tree = terminal(page, 'node2').locator('.xterm-accessibility-tree');
    await expect(tree).toContainText('screen-reader-row');
    await expect(tree).toHaveAttribute('role', 'list');

    const capture = page.locator(
      '[data-testid="capture"][data-host="node2"][data-if="eth0"][data-netns=""]',
    );
    await capture.click();
    await expect(live).toHaveText(/capture started on eth0 of node2/i);
    const download = page.waitForEvent('download');
    await capture.click();
    await download;
    await expect(live).toHaveText(/capture stopped on eth0 of node2/i);

    await page.getByTestId('copy-link').click();
    await expect(live).toHaveText(/link copied/i);
    expect(problems).toEqual([]);
  });
});

test.describe('axe-core', () => {
  test.use({ viewport: { width: 1400, height: 900 } });
  test.setTimeout(120_000);

  for (const theme of ['light', 'dark']) {
    test(`no violations on the landing and the lab, ${theme}`, async ({ page }) => {
      await page.goto(`/?theme=${theme}`);
      await expect(page.getByTestId('start-lab')).toBeVisible();
      expect(await axe(page)).toEqual([]);

      await openLab(page, `nodes=3&theme=${theme}&lab=e2e-a11y-axe-${theme}`);
      // A terminal with output, a capture running and a pod shell: the busy states too.
      await run(page, 'node2', 'ip route');
      const capture = page.locator('[data-testid="capture"][data-host="node1"][data-if="cni0"]');
      await capture.click();
      await expect(capture).toHaveAttribute('aria-pressed', 'true');
      expect(await axe(page)).toEqual([]);

      // The packet journey open, a field selected (its bytes highlighted), while tracing.
      await typeLine(page, 'node2', 'trace ping -c 1 -W 1 172.16.112.13');
      await expect(page.getByTestId('journey-event').first()).toBeVisible({ timeout: 20_000 });
      await page.getByTestId('journey-event').first().click();
      await page.getByTestId('journey-field').first().click();
      await page.getByTestId('trace').click();
      await expect(page.getByTestId('trace')).toHaveAttribute('aria-pressed', 'true');
      expect(await axe(page)).toEqual([]);
      await page.getByTestId('trace').click();

      // The faults marked: a cut cable, a netem qdisc, etcd unreachable.
      await page.locator('[data-testid="cable"][data-host="node3"]').click();
      await expect(page.locator('[data-testid="cable-cut"][data-host="node3"]')).toBeVisible();
      await typeLine(page, 'node2', 'tc qdisc add dev eth0 root netem delay 50ms');
      await expect(page.locator('[data-testid="qdisc"][data-host="node2"]')).toBeVisible({
        timeout: 10_000,
      });
      await page.getByTestId('kv-reach').click();
      await expect(page.getByTestId('kv-unreachable')).toBeVisible();
      expect(await axe(page)).toEqual([]);

      // One terminal at a time (a hidden terminal, tabs only).
      await page.setViewportSize({ width: 900, height: 900 });
      expect(await axe(page)).toEqual([]);
    });
  }

  for (const theme of ['light', 'dark']) {
    test(`no violations on a lesson beside its lab, ${theme}; its buttons work from the keyboard`, async ({
      page,
    }) => {
      await page.goto(`/?lesson=example&theme=${theme}&lab=e2e-a11y-lesson-${theme}`);
      const lesson = page.getByTestId('lesson');
      await expect(lesson).toHaveAttribute('data-phase', 'ready', { timeout: READY_MS });
      await expect(lesson).toHaveRole('complementary');
      expect(await axe(page)).toEqual([]);
      // Check, from the keyboard: a failed step, its hint, then Run and Check again.
      const step = page.getByTestId('lesson-step').first();
      await expect(step.getByTestId('lesson-check')).toHaveAttribute('aria-disabled', 'false');
      await step.getByTestId('lesson-check').focus();
      await page.keyboard.press('Enter');
      await expect(step).toHaveAttribute('data-state', 'failed');
      await step.getByTestId('lesson-hint').focus();
      await page.keyboard.press('Enter');
      await step.getByTestId('lesson-run').focus();
      await expect(step.getByTestId('lesson-run')).toHaveAccessibleName(
        /^Run on node1: ip netns exec pod1 ping -c 2 10\.244\./,
      );
      await page.keyboard.press('Enter');
      await expect(step.getByTestId('lesson-run')).toHaveAttribute('aria-disabled', 'false', {
        timeout: READY_MS,
      });
      // The Run typed into the terminal without taking the keyboard from the panel.
      expect(await focused(page)).toBe('lesson-run');
      await step.getByTestId('lesson-check').focus();
      await page.keyboard.press('Enter');
      await expect(step).toHaveAttribute('data-state', 'passed');
      await expect(page.getByTestId('announcer')).toContainText('Step passed');
      expect(await axe(page)).toEqual([]);
    });
  }

  test('no violations on embed.html (a light and a dark widget, before and after boot)', async ({
    page,
  }) => {
    await page.goto('/embed.html');
    const vxlan = page.locator('#vxlan-demo');
    await expect(vxlan.getByTestId('lab-ready')).toBeVisible({ timeout: READY_MS });
    // The dark one still shows its start card; the light one shows its topology.
    await expect(page.locator('#host-gw-demo').getByTestId('start-lab')).toBeVisible();
    await vxlan.getByRole('button', { name: 'topology' }).click();
    await expect(vxlan.getByTestId('topology-host')).toHaveCount(3);
    expect(await axe(page)).toEqual([]);
    await page.locator('#host-gw-demo').scrollIntoViewIfNeeded();
    await expect(page.locator('#host-gw-demo').getByTestId('lab-ready')).toBeVisible({
      timeout: READY_MS,
    });
    expect(await axe(page)).toEqual([]);
  });

  test('no violations on a widget with a lesson (its panel a named region of the docs page)', async ({
    page,
  }) => {
    await page.goto('/embed.html');
    await page.evaluate(() => {
      for (const el of document.querySelectorAll('flannel-playground')) el.remove();
      const el = document.createElement('flannel-playground');
      el.id = 'lesson-demo';
      el.setAttribute('lesson', 'seed-vxlan');
      el.setAttribute('start', 'eager');
      el.setAttribute('height', '640');
      document.querySelector('main')!.append(el);
    });
    const lesson = page.locator('#lesson-demo').getByTestId('lesson');
    await expect(lesson).toHaveAttribute('data-phase', 'ready', { timeout: READY_MS });
    await expect(lesson).toHaveRole('region');
    expect(await axe(page)).toEqual([]);
  });
});
