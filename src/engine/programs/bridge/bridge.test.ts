// `bridge` against the goldens' hosts; the recorded transcripts are checked in
// ../ip/golden.test.ts and ../ip/more.test.ts, this covers the rest.

import { describe, expect, it } from 'vitest';
import { echo, host2, MORE, moreLab, replay } from '../ip/testing/golden-host.ts';
import { readGolden, run, transcript } from '../ip/testing/run.ts';

describe('bridge fdb show', () => {
  it('filters by bridge: the bridge itself and its ports', async () => {
    const result = await run(await host2('vxlan'), 'bridge fdb show br cni0');
    expect(result.stdout).toBe(
      [
        '33:33:00:00:00:01 dev cni0 self permanent',
        '01:00:5e:00:00:6a dev cni0 self permanent',
        '33:33:00:00:00:6a dev cni0 self permanent',
        '01:00:5e:00:00:01 dev cni0 self permanent',
        'fe:c4:c3:38:9e:29 dev veth1 master cni0 permanent',
        '33:33:00:00:00:01 dev veth1 self permanent',
        '01:00:5e:00:00:01 dev veth1 self permanent',
        '',
      ].join('\n'),
    );
  });

  it('prints a learned entry with no state word, and -j with an empty state', async () => {
    // The pod's ping teaches the bridge its MAC.
    const k = await replay([...MORE, echo('flmorep', '10.244.1.1', 98)]);
    const golden = transcript(readGolden('ip-more.txt'));
    const text = golden.find(
      (s) => s.cmd === 'bridge fdb show br cni0' && s.output.includes('46:c7'),
    );
    expect(text).toBeDefined();
    expect((await run(k, 'bridge fdb show dev veth1')).stdout).toMatch(
      /^ee:91:3d:3a:fa:d7 master cni0 \n/,
    );
    expect((await run(k, 'bridge -j fdb show dev veth1')).stdout).toMatch(
      /^\[\{"mac":"ee:91:3d:3a:fa:d7","flags":\[\],"master":"cni0","state":""\},/,
    );
  });
});

describe('bridge link', () => {
  it('prints ports as JSON', async () => {
    const result = await run(await moreLab(), 'bridge -j link');
    expect(result.stdout).toBe(
      '[{"ifindex":3,"link":"cni0","ifname":"veth1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"master":"cni0","state":"forwarding","priority":32,"cost":2}]\n',
    );
  });

  it('shows a port that is down as disabled', async () => {
    const k = await moreLab();
    await run(k, 'ip link set veth1 down');
    expect((await run(k, 'bridge link')).stdout).toBe(
      '3: veth1@cni0: <BROADCAST,MULTICAST> mtu 1500 master cni0 state disabled priority 32 cost 2 \n',
    );
  });
});

describe('bridge options and errors', () => {
  it('prints its version', async () => {
    expect((await run(await replay([]), 'bridge -V')).stdout).toBe('bridge utility, 6.1.0\n');
  });

  it('rejects unknown options and objects with exit 255', async () => {
    const opt = await run(await replay([]), 'bridge -q fdb');
    expect(opt.stderr).toBe('Option "-q" is unknown, try "bridge help".\n');
    expect(opt.code).toBe(255);
    const obj = await run(await replay([]), 'bridge vlan');
    expect(obj.stderr).toBe('Object "vlan" is unknown, try "bridge help".\n');
    expect(obj.code).toBe(255);
  });

  it('replaces an entry in place', async () => {
    const k = await host2('vxlan');
    const result = await run(
      k,
      'bridge fdb replace 5a:3c:fd:6c:46:8f dev flannel.1 dst 172.16.112.140 self permanent',
    );
    expect(result.code).toBe(0);
    expect((await run(k, 'bridge fdb show dev flannel.1')).stdout).toBe(
      '5a:3c:fd:6c:46:8f dst 172.16.112.140 self permanent\n' +
        'aa:d6:ad:ca:a9:52 dst 172.16.112.128 self permanent\n',
    );
  });
});
