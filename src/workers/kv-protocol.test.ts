// Both KV transports speak the protocol's one list of calls and its one error type.
import { describe, expect, it } from 'vitest';
import { createKvClient } from '../engine/kv/client.ts';
import { KV_CALLS, answerCall, errorFromWire, errorToWire } from '../engine/kv/protocol.ts';
import { KvServer } from '../engine/kv/server.ts';
import { MemoryKvStorage } from '../engine/kv/storage.ts';
import { KvError, type KvClient } from '../engine/kv/types.ts';
import { ManualClock } from '../engine/os/clock.ts';
import { ChannelKvClient, serveKvChannel } from './kv-channel.ts';
import { serveKvPort, wrapKvPort } from './kv-remote.ts';

const store = async () =>
  createKvClient(await KvServer.open({ clock: new ManualClock(), storage: new MemoryKvStorage() }));

/** A store without memberList, as simple fakes are. */
const withoutMembers = (client: KvClient): KvClient => ({ ...client, memberList: undefined });

async function overPort(client: KvClient): Promise<KvClient> {
  const { port1, port2 } = new MessageChannel();
  serveKvPort(client, port1);
  return wrapKvPort(port2);
}

async function overChannel(client: KvClient): Promise<KvClient> {
  const name = `kv-protocol-${Math.random()}`;
  serveKvChannel(client, new BroadcastChannel(name), 'leader', () => 0);
  return new ChannelKvClient(new BroadcastChannel(name), 'tab');
}

describe.each([
  ['port', overPort],
  ['channel', overChannel],
])('the KV over a %s', (_name, transport) => {
  it('offers every call of the list, and watch', async () => {
    const client = await transport(await store());
    expect(KV_CALLS.filter((c) => typeof client[c] !== 'function')).toEqual([]);
    expect(typeof client.watch).toBe('function');
    await client.put({ key: 'a', value: '1' });
    expect((await client.range({ key: 'a' })).kvs[0].value).toBe('1');
  });

  it('rebuilds a KvError with its code, and says when the store lacks a call', async () => {
    const client = await transport(withoutMembers(await store()));
    const err = await client.leaseRevoke(99).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KvError);
    expect(err).toMatchObject({
      code: 'NotFound',
      message: 'etcdserver: requested lease not found',
    });
    await expect(client.memberList!()).rejects.toMatchObject({
      code: 'Unimplemented',
      message: 'memberList is not supported',
    });
  });
});

describe('the KV protocol', () => {
  it('crosses an error as data: a KvError keeps its code, another error its message', () => {
    const kv = errorFromWire(structuredClone(errorToWire(new KvError('OutOfRange', 'compacted'))));
    expect(kv).toBeInstanceOf(KvError);
    expect(kv).toMatchObject({ code: 'OutOfRange', message: 'compacted' });
    const plain = errorFromWire(structuredClone(errorToWire(new TypeError('boom'))));
    expect(plain).not.toBeInstanceOf(KvError);
    expect(plain.message).toBe('boom');
  });

  it('refuses a call not in the list', async () => {
    const client = await store();
    await expect(answerCall(client, 'watch', [])).rejects.toThrow('unknown KV call watch');
    await expect(answerCall(client, 'toString', [])).rejects.toThrow('unknown KV call toString');
  });
});
