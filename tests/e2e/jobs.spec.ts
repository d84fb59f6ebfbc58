// Issue 11's acceptance: job control in a host's terminal. A ping left running with `&` while
// tcpdump captures on the same host; `jobs`, `fg`, `kill %1`; Ctrl-C reaches the foreground
// line only; keys typed while a program runs wait for the prompt.
import { test, expect } from '@playwright/test';
import { openLab, run, screenText, terminal, typeLine } from './helpers.ts';

test('ping & then tcpdump on the same host; jobs, fg, kill %1', async ({ page }) => {
  const problems = await openLab(page, 'lab=e2e-jobs');
  const t = terminal(page, 'node1');
  await typeLine(page, 'node1', 'ping -i 0.2 172.16.112.133 > /dev/null &');
  await expect(t).toContainText(/\[1\] \d+/);
  await typeLine(page, 'node1', 'tcpdump -i eth0 -n -c 2 icmp');
  await expect(t).toContainText('2 packets captured');
  await expect(t).toContainText(/ICMP echo request[\s\S]*ICMP echo reply/);

  // Ctrl-C stops the capture, not the ping.
  await typeLine(page, 'node1', 'tcpdump -i eth0 -n icmp');
  await expect(t).toContainText(/listening on eth0[\s\S]*listening on eth0/);
  await page.keyboard.press('Control+c');
  await expect(t).toContainText(/packets captured[\s\S]*packets captured/);
  // A narrow terminal wraps the line: join its rows.
  expect((await run(page, 'node1', 'jobs')).replace(/\n/g, '')).toBe(
    '[1]+  Running                 ping -i 0.2 172.16.112.133 > /dev/null &',
  );
  // As bash does, the shell reports the killed job before the prompt after the next line.
  await typeLine(page, 'node1', 'kill %1');
  await typeLine(page, 'node1', 'true');
  await expect(t).toContainText(
    /# true\s*\[1\]\+\s+Terminated\s+ping -i 0\.2 172\.16\.112\.133 > \/dev\/null\s*root@/,
  );

  // fg waits for the job; keys typed meanwhile run once it is done.
  await typeLine(page, 'node1', 'sleep 2 &');
  await typeLine(page, 'node1', 'fg');
  await expect(t).toContainText(/# fg\s*sleep 2/);
  await page.keyboard.type('echo typed ahead');
  await page.keyboard.press('Enter');
  await expect(t).toContainText(/# echo typed ahead\s*typed ahead/);
  expect(await run(page, 'node1', 'jobs')).toBe('');

  // A job's output reaches the terminal after its line has returned the prompt.
  await typeLine(page, 'node1', 'sleep 1 && echo from the job &');
  await expect(t).toContainText(/\[1\] \d+\s*root@node1:~# from the job/);
  expect(problems).toEqual([]);
});

test('Ctrl-Z stops the foreground job and bg resumes it; an unfinished line prompts > ', async ({
  page,
}) => {
  const problems = await openLab(page, 'lab=e2e-stop');
  const t = terminal(page, 'node1');
  await typeLine(page, 'node1', 'sleep 100');
  await page.keyboard.press('Control+z');
  await expect(t).toContainText(/\^Z\s*\[1\]\+\s+Stopped\s+sleep 100\s*root@node1/);
  expect(await run(page, 'node1', 'jobs')).toBe('[1]+  Stopped                 sleep 100');
  await typeLine(page, 'node1', 'bg');
  await expect(t).toContainText('[1]+ sleep 100 &');
  await typeLine(page, 'node1', 'kill %1');

  await typeLine(page, 'node1', 'for i in 1 2; do');
  await expect.poll(() => screenText(page, 'node1')).toMatch(/# for i in 1 2; do\s*\n>\s*$/);
  await typeLine(page, 'node1', 'echo n$i; done');
  await expect
    .poll(() => screenText(page, 'node1'))
    .toMatch(
      /\n> echo n\$i; done\s*\nn1\s*\nn2\s*\n(\[1\]\+ +Terminated +sleep 100\s*\n)?root@node1:~#\s*$/,
    );
  expect(problems).toEqual([]);
});
