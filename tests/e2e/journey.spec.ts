// Issue 13's acceptance: a pod-to-pod ping traced across the lab, hop by hop, under each
// backend; stepping keeps the inspector and the topology together; the pcapng opens in tshark.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { openLab, run, typeLine, terminal } from './helpers.ts';

test.use({ viewport: { width: 1600, height: 1200 } });

const READY_MS = 60_000;

interface Hop {
  host: string;
  ns: string;
  ifname: string;
  dir: string;
  packet: string;
  ttl: string;
  summary: string;
}

async function events(page: Page): Promise<Hop[]> {
  return page.getByTestId('journey-event').evaluateAll((els) =>
    els.map((e) => ({
      host: e.getAttribute('data-host') ?? '',
      ns: e.getAttribute('data-ns') ?? '',
      ifname: e.getAttribute('data-if') ?? '',
      dir: e.getAttribute('data-dir') ?? '',
      packet: e.getAttribute('data-packet') ?? '',
      ttl: e.getAttribute('data-ttl') ?? '',
      summary: e.textContent ?? '',
    })),
  );
}

function hop(e: Hop): string {
  return `${e.host} ${e.ns ? 'pod ' : ''}${e.ifname.startsWith('veth') ? 'veth' : e.ifname} ${e.dir}`;
}

function expectedHops(dev: string, from: string, to: string): string[] {
  return [
    `${from} pod eth0 out`,
    `${from} veth in`,
    `${from} cni0 in`,
    ...(dev ? [`${from} ${dev} out`] : []),
    `${from} eth0 out`,
    `${to} eth0 in`,
    ...(dev ? [`${to} ${dev} in`] : []),
    `${to} cni0 out`,
    `${to} veth out`,
    `${to} pod eth0 in`,
  ];
}

/** The events of the first packet whose summary says `what`, with their list positions. */
async function packet(page: Page, what: string): Promise<(Hop & { index: number })[]> {
  const all = (await events(page)).map((e, index) => ({ ...e, index }));
  const first = all.find((e) => e.summary.includes(what));
  expect(first, what).toBeDefined();
  return all.filter((e) => e.packet === first!.packet);
}

/** The inner TTL at each hop of the echo request (and of its reply, the same way back). */
const TTLS: Record<string, string> = {
  'flannel.1': '64 64 64 63 63 63 63 62 62 62',
  '': '64 64 64 63 63 62 62 62',
  // flanneld's proxy takes one off on each side, as flannel's udp backend does.
  flannel0: '64 64 64 63 62 62 61 60 60 60',
};

/** The echo request from node2 and its reply: every hop in order, with the inner TTL. */
async function expectPingHops(page: Page, dev: string) {
  const request = await packet(page, 'ICMP echo request');
  const reply = await packet(page, 'ICMP echo reply');
  expect(request.map(hop)).toEqual(expectedHops(dev, 'node2', 'node3'));
  expect(reply.map(hop)).toEqual(expectedHops(dev, 'node3', 'node2'));
  expect(request.map((e) => e.ttl).join(' ')).toBe(TTLS[dev]);
  expect(reply.map((e) => e.ttl).join(' ')).toBe(TTLS[dev]);
  return request;
}

async function podIp(page: Page, host: string): Promise<string> {
  const addr = await run(page, host, 'ip netns exec pod1 ip -4 -br addr show eth0');
  return addr.replace(/\n/g, '').match(/(10\.244\.\d+\.\d+)\/24/)![1];
}

/** Selects an event and reads a header field's value from the inspector. */
async function fieldOf(page: Page, index: number, name: string): Promise<string[]> {
  await page.getByTestId('journey-event').nth(index).click();
  await expect(page.getByTestId('journey-inspector')).toHaveAttribute('data-index', String(index));
  return page
    .locator(`[data-testid="journey-field"][data-name="${name}"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-value') ?? ''));
}

/** The topology's marker and the inspector show the selected event. */
async function expectInStep(page: Page, e: Hop & { index: number }) {
  await expect(page.getByTestId('journey-inspector')).toHaveAttribute(
    'data-index',
    String(e.index),
  );
  const marker = page.getByTestId('journey-hop');
  await expect(marker).toHaveAttribute('data-host', e.host);
  await expect(marker).toHaveAttribute('data-if', e.ifname);
  await expect(marker).toHaveAttribute('data-ns', e.ns);
  await expect(marker).toHaveAttribute('data-dir', e.dir);
}

async function switchBackend(page: Page, backend: string) {
  await page.getByTestId('backend-select').selectOption(backend);
  await expect(page.getByTestId('backend')).toHaveText(backend);
  await expect(page.getByTestId('lab-ready')).toBeVisible({ timeout: READY_MS });
}

test('vxlan, host-gw and udp: the journey of a pod-to-pod ping, hop by hop', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = await openLab(page, 'lab=e2e-journey&backend=vxlan', READY_MS);
  const dst = await podIp(page, 'node3');

  // vxlan, with `trace` on node2's terminal.
  await typeLine(page, 'node2', `trace ip netns exec pod1 ping -c 1 ${dst}`);
  await expect(terminal(page, 'node2')).toContainText('--- packet journey:', { timeout: 20_000 });
  await expect(page.getByTestId('journey')).toBeVisible();
  let request = await expectPingHops(page, 'flannel.1');
  for (const e of request.filter((x) => x.ifname === 'eth0' && !x.ns)) {
    expect(await fieldOf(page, e.index, 'Destination Port')).toEqual(['8472']);
    expect(await fieldOf(page, e.index, 'VXLAN Network Identifier (VNI)')).toEqual(['1']);
  }
  // The encapsulation is marked, and the kernel's reasons are shown.
  const out = request.find((e) => hop(e) === 'node2 eth0 out')!;
  await page.getByTestId('journey-event').nth(out.index).click();
  await expect(page.getByTestId('journey-change')).toContainText('Outer headers added');
  await expect(page.getByTestId('journey-why')).toContainText(
    /dev flannel\.1 dst 172\.16\.112\.\d+ self permanent/,
  );
  const toDev = request.find((e) => hop(e) === 'node2 flannel.1 out')!;
  await page.getByTestId('journey-event').nth(toDev.index).click();
  await expect(page.getByTestId('journey-why')).toContainText(
    /via 10\.244\.\d+\.0 dev flannel\.1 onlink/,
  );
  await expect(
    page.locator('[data-testid="journey-field"][data-name="Time to Live"][data-changed="true"]'),
  ).toHaveAttribute('data-value', '63');
  // A field's bytes light up in the hex pane: the TTL is one byte.
  await page.locator('[data-testid="journey-field"][data-name="Time to Live"]').click();
  await expect(page.getByTestId('journey-hex-on')).toHaveCount(1);
  await expect(page.getByTestId('journey-hex-on')).toHaveText('3f');

  // Stepping forward and back keeps the inspector and the topology on the same hop.
  await page.getByTestId('journey-event').nth(request[0].index).click();
  await expectInStep(page, request[0]);
  const all = (await events(page)).map((e, index) => ({ ...e, index }));
  for (let i = 1; i <= 4; i++) {
    await page.getByTestId('journey-forward').click();
    await expectInStep(page, all[request[0].index + i]);
  }
  await page.getByTestId('journey-back').click();
  await expectInStep(page, all[request[0].index + 3]);
  // The keyboard walks the list too.
  await page.getByRole('listbox', { name: /Journey events/ }).focus();
  await page.keyboard.press('ArrowDown');
  await expectInStep(page, all[request[0].index + 4]);

  // The pcapng: one interface per (host, device), every frame; tshark reads it cleanly.
  const frames = all.length;
  const saved = page.waitForEvent('download');
  await page.getByTestId('journey-download').click();
  mkdirSync('test-results/downloads', { recursive: true });
  const path = 'test-results/downloads/journey-vxlan.pcapng';
  await (await saved).saveAs(path);
  const bad = execFileSync('/usr/bin/tshark', [
    '-r',
    path,
    '-d',
    'udp.port==8472,vxlan',
    '-Y',
    '_ws.malformed || _ws.expert.severity >= "error"',
  ]);
  expect(bad.toString()).toBe('');
  const names = execFileSync('/usr/bin/tshark', [
    '-r',
    path,
    '-T',
    'fields',
    '-e',
    'frame.interface_name',
  ])
    .toString()
    .trim()
    .split('\n');
  expect(names).toHaveLength(frames);
  expect(names).toContain('node2/flannel.1');
  expect(names).toContain('node2/pod1/eth0');
  expect(names).toContain('node3/eth0');

  // host-gw, with the Trace button: no encapsulation, TTL 62 at the pod.
  await switchBackend(page, 'host-gw');
  await page.getByTestId('trace').click();
  await expect(page.getByTestId('trace')).toHaveAttribute('aria-pressed', 'true');
  await run(page, 'node2', `ip netns exec pod1 ping -c 1 ${dst}`);
  await page.getByTestId('trace').click();
  await expect(page.getByTestId('trace')).toHaveAttribute('aria-pressed', 'false');
  request = await expectPingHops(page, '');
  const wire = request.find((e) => hop(e) === 'node2 eth0 out')!;
  expect(await fieldOf(page, wire.index, 'Destination Port')).toEqual([]);

  // udp: flannel0, port 8285, TTL 60 at the pod (flanneld's proxy takes one off each side).
  await switchBackend(page, 'udp');
  await typeLine(page, 'node2', `trace ip netns exec pod1 ping -c 1 ${dst}`);
  await expect
    .poll(async () => (await events(page)).some((e) => e.ifname === 'flannel0'), {
      timeout: 20_000,
    })
    .toBe(true);
  request = await expectPingHops(page, 'flannel0');
  for (const e of request.filter((x) => x.ifname === 'eth0' && !x.ns))
    expect(await fieldOf(page, e.index, 'Destination Port')).toEqual(['8285']);

  // The three side by side.
  const compare = page.getByTestId('journey-compare');
  await expect(compare.locator('tbody tr')).toHaveCount(3);
  await expect(compare.locator('tr[data-backend="vxlan"] td').first()).toHaveText('10');
  await expect(compare.locator('tr[data-backend="host-gw"] td').first()).toHaveText('8');
  await expect(compare.locator('tr[data-backend="udp"] td').first()).toHaveText('10');
  expect(problems).toEqual([]);
});
