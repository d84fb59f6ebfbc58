import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPing } from './testing/fake-net.ts';
import { internetChecksum } from '../../packet/checksum.ts';

const golden = (name: string) =>
  readFileSync(new URL(`../../../../tests/golden/linux/${name}`, import.meta.url), 'utf8');

/** Masks the values that vary between runs: round-trip and elapsed times. */
const mask = (text: string) =>
  text
    .replace(/time=[\d.]+ ms/g, 'time=T ms')
    .replace(/time \d+ms/g, 'time Tms')
    .replace(/= [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/g, '= R ms');

describe('ping', () => {
  it('matches the golden vxlan run (replies, statistics)', async () => {
    const r = await runPing(['-c', '3', '-i', '0.2', '10.244.2.2']);
    const expected = golden('ping-vxlan.txt').split('\n').slice(0, 8).join('\n') + '\n';
    expect(mask(r.text)).toBe(mask(expected));
    // As in iputils, the reply wakes the loop and the pacer counts whole ms from there, so each
    // probe slips by the sub-ms part of the round trip (the golden's 407ms shows the same drift).
    expect(r.text).toContain('time 401ms');
    expect(r.text).toContain('icmp_seq=1 ttl=62 time=0.264 ms');
    expect(r.text).toContain('rtt min/avg/max/mdev = 0.264/0.264/0.264/0.000 ms');
    expect(r.status).toBe(0);
  });

  it('reads the destination as getaddrinfo does (inet_aton forms), as iputils ping on glibc', async () => {
    // Real `ping -c1 127.1` prints `PING 127.1 (127.0.0.1) 56(84) bytes of data.`
    const r = await runPing(['-c', '1', '10.244.514']);
    expect(r.text).toContain('PING 10.244.514 (10.244.2.2) 56(84) bytes of data.');
    expect(r.text).toContain('64 bytes from 10.244.2.2: icmp_seq=1');
    const octal = await runPing(['-c', '1', '012.0364.02.02']);
    expect(octal.text).toContain('PING 012.0364.02.02 (10.244.2.2) 56(84) bytes of data.');
  });

  it("takes its identifier from the host's random, as time from its clock", async () => {
    const a = await runPing(['-c', '1', '10.244.2.2'], { random: () => 0.5 });
    const b = await runPing(['-c', '1', '10.244.2.2'], { random: () => 0.75 });
    expect((a.sent[0][4] << 8) | a.sent[0][5]).toBe(0x8000);
    expect((b.sent[0][4] << 8) | b.sent[0][5]).toBe(0xc000);
  });

  it('sends real echo requests: id, seq from 1, timeval then 0x10.., valid checksum', async () => {
    const r = await runPing(['-c', '2', '10.244.2.2']);
    const [a, b] = r.sent;
    expect(a.length).toBe(64);
    expect(a[0]).toBe(8);
    expect(internetChecksum(a)).toBe(0);
    expect((a[6] << 8) | a[7]).toBe(1);
    expect((b[6] << 8) | b[7]).toBe(2);
    expect((a[4] << 8) | a[5]).toBe((b[4] << 8) | b[5]);
    expect([...a.subarray(24, 28)]).toEqual([0x10, 0x11, 0x12, 0x13]);
    expect(a[63]).toBe(0x37);
  });

  it('reports EMSGSIZE as a local error with the mtu, as in the golden', async () => {
    const r = await runPing(['-c', '2', '-s', '1500', '-M', 'do', '10.244.2.2'], {
      behaviour: 'mtu',
      mtu: 1450,
    });
    const expected = golden('ping-vxlan.txt').split('\n').slice(8, 15).join('\n') + '\n';
    expect(mask(r.text)).toBe(mask(expected));
    expect(r.text).toContain('time 1000ms');
    expect(r.status).toBe(1);
  });

  it('prints ICMP errors that quote our request (Destination Net Unreachable)', async () => {
    const r = await runPing(['-c', '1', '10.244.9.9', '-W', '1'], { behaviour: 'net-unreachable' });
    const expected = golden('ping-vxlan.txt').split('\n').slice(15, 21).join('\n') + '\n';
    expect(r.text).toBe(expected);
    expect(r.status).toBe(1);
  });

  it('gives up after the linger time when nothing answers', async () => {
    const r = await runPing(['-c', '2', '-W', '1', '10.244.2.2'], { behaviour: 'silent' });
    expect(r.text).toBe(
      'PING 10.244.2.2 (10.244.2.2) 56(84) bytes of data.\n\n--- 10.244.2.2 ping statistics ---\n' +
        '2 packets transmitted, 0 received, 100% packet loss, time 1000ms\n\n',
    );
    expect(r.elapsed).toBeGreaterThanOrEqual(2000);
    expect(r.status).toBe(1);
  });

  it('prints the summary at once on Ctrl-C', async () => {
    const r = await runPing(['10.244.2.2'], { rttMs: 0.5 }, 2500);
    expect(r.text.match(/bytes from/g)?.length).toBe(3);
    expect(r.text).toContain('3 packets transmitted, 3 received, 0% packet loss, time 2001ms');
    expect(r.status).toBe(0);
  });

  it('resolves lab host names from /etc/hosts', async () => {
    const r = await runPing(['-c', '1', 'node2'], { ttl: 64 });
    expect(mask(r.text)).toContain(
      'PING node2 (172.16.112.130) 56(84) bytes of data.\n64 bytes from node2 (172.16.112.130): icmp_seq=1 ttl=64 time=T ms',
    );
    expect(r.text).toContain('--- node2 ping statistics ---');
  });

  it('omits times for payloads too small for a timestamp', async () => {
    const r = await runPing(['-c', '1', '-s', '5', '127.0.0.1'], { ttl: 64 });
    expect(r.text).toBe(
      'PING 127.0.0.1 (127.0.0.1) 5(33) bytes of data.\n13 bytes from 127.0.0.1: icmp_seq=1 ttl=64\n\n' +
        '--- 127.0.0.1 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\n',
    );
  });

  const errors = golden('errors-and-formats.txt');
  it.each([
    ['ping', ''],
    ['ping -c 1 -W 1 8.8.8.8', ''],
    ['ping -c 1 nosuchhost', ''],
    ['ping -c abc 10.244.1.1', ''],
  ])('usage error %s', async (line) => {
    const r = await runPing(line.split(' ').slice(1));
    const goldenLine = line.replace('8.8.8.8', '10.244.9.9');
    const block = errors.split(`$ ${goldenLine}\n`)[1].split('\n[exit ')[0] + '\n';
    const status = Number(errors.split(`$ ${goldenLine}\n`)[1].split('\n[exit ')[1].split(']')[0]);
    expect(r.text).toBe(block);
    expect(r.status).toBe(status);
  });

  it.each([
    [
      '-c 0 1.1.1.1',
      "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n",
      1,
    ],
    [
      '-c 99999999999999999999 1.1.1.1',
      "ping: invalid argument: '99999999999999999999': Numerical result out of range\n",
      1,
    ],
    ['-s -1 1.1.1.1', "ping: invalid argument: '-1': out of range: 0 <= value <= 2147483647\n", 1],
    ['-t 256 1.1.1.1', "ping: invalid argument: '256': out of range: 0 <= value <= 255\n", 1],
    ['-M foo 1.1.1.1', 'ping: invalid -M argument: foo\n', 2],
    ['-W -1 1.1.1.1', 'ping: bad linger time: -1\n', 2],
  ])('rejects ping %s', async (args, message, status) => {
    const r = await runPing(args.split(' '));
    expect(r.text).toBe(message);
    expect(r.status).toBe(status);
  });

  it('prints the usage for an unknown option', async () => {
    const r = await runPing(['-x', '1.1.1.1']);
    expect(
      r.text.startsWith("ping: invalid option -- 'x'\n\nUsage\n  ping [options] <destination>\n"),
    ).toBe(true);
    expect(r.status).toBe(2);
  });
});
