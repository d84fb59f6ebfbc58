// Issue 3's acceptance: every network-config validation error of the spec (§2), verbatim, as a
// person sees it: `etcdctl put` a bad config, flanneld (under systemd, on the real kernel)
// retries every second with the error in its journal; a good config lets it come up.
import { describe, expect, it } from 'vitest';
import { addFlanneldHosts, journal, makeFlannelLab, settleFor, sh } from './flannel-lab.ts';

const CONFIG_ERRORS: [string, string][] = [
  ['{}', 'please define a correct Network parameter in the flannel config'],
  ['{"Network":"10.244.0.0/16","SubnetLen":31}', 'SubnetLen must be less than /31'],
  [
    '{"Network":"10.244.0.0/16","SubnetLen":17}',
    'network must be able to accommodate at least four subnets',
  ],
  ['{"Network":"10.244.0.0/29"}', 'network is too small. Minimum useful network prefix is /28'],
  [
    '{"Network":"10.244.0.0/16","SubnetMin":"10.245.0.0"}',
    'SubnetMin is not in the range of the Network',
  ],
  [
    '{"Network":"10.244.0.0/16","SubnetMax":"10.1.0.0"}',
    'SubnetMax is not in the range of the Network',
  ],
  [
    '{"Network":"10.244.0.0/16","SubnetMin":"10.244.1.5"}',
    'SubnetMin is not on a SubnetLen boundary: 10.244.1.5',
  ],
  [
    '{"Network":"10.244.0.0/16","SubnetMax":"10.244.9.9"}',
    'SubnetMax is not on a SubnetLen boundary: 10.244.9.9',
  ],
  ['{"Network":"10.244.0.300/16"}', 'invalid CIDR address: 10.244.0.300/16'],
  ['{"Network":"fc00::/48"}', 'invalid IPv4 CIDR format'],
];

describe('flanneld with a bad network config', () => {
  it.each(CONFIG_ERRORS)('%s -> %s', async (config, error) => {
    const fl = await makeFlannelLab({ network: '10.244.0.0/16', backend: 'vxlan' });
    await fl.kv.put({ key: '/coreos.com/network/config', value: config });
    const [host] = await addFlanneldHosts(fl, 1);
    host.services.start('flanneld');
    await settleFor(fl, 2500);
    const log = await journal(fl, 'node1');
    const tries = log.match(/^.*Couldn't fetch network config: .*$/gm) ?? [];
    // Retried every second: at 0, 1 and 2 s.
    expect(tries).toHaveLength(3);
    for (const line of tries)
      expect(line).toMatch(
        new RegExp(
          `flanneld\\[\\d+\\]: E\\d{4} [\\d:.]+ +\\d+ main\\.go:\\d+\\] Couldn't fetch network config: ${error.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
        ),
      );
    // Type=notify: still starting, since flanneld sends READY=1 only after subnet.env.
    expect(host.services.status('flanneld')).toMatchObject({
      state: 'activating',
      subState: 'start',
    });
    expect(host.fs.exists('/run/flannel/subnet.env')).toBe(false);

    // Fixed in the KV, the next retry picks it up.
    await sh(
      fl,
      'node1',
      `etcdctl put /coreos.com/network/config '{"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}}'`,
    );
    await settleFor(fl, 1500);
    expect(await journal(fl, 'node1')).toContain('Found network config - Backend type: vxlan');
    expect(host.fs.exists('/run/flannel/subnet.env')).toBe(true);
    expect(host.services.status('flanneld')?.state).toBe('active');
  });

  it('exits 1 on a Backend without a Type', async () => {
    const fl = await makeFlannelLab({ network: '10.244.0.0/16', backend: 'vxlan' });
    await fl.kv.put({
      key: '/coreos.com/network/config',
      value: '{"Network":"10.244.0.0/16","Backend":{}}',
    });
    const [host] = await addFlanneldHosts(fl, 1);
    host.services.start('flanneld');
    await settleFor(fl, 500);
    expect(await journal(fl, 'node1')).toMatch(
      /main\.go:\d+\] Error fetching backend: unknown backend type: \n/,
    );
    // Restart=on-failure: 'activating (auto-restart)' until RestartSec has passed.
    expect(host.services.status('flanneld')).toMatchObject({
      state: 'activating',
      subState: 'auto-restart',
      result: 'exit-code',
    });
  });
});
