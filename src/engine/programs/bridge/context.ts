// What every `bridge` object command gets.

import { Errno, NetlinkError } from '../../kernel/types.ts';
import type { KernelApi, LinkInfo, NsId } from '../../kernel/types.ts';
import type { ProgramIO } from '../types.ts';
import { cannotFindDevice } from '../ip/errors.ts';

export interface BridgeOptions {
  json: boolean;
  pretty: boolean;
  details: number;
  stats: number;
}

export interface BridgeContext {
  kernel: KernelApi;
  ns: NsId;
  opts: BridgeOptions;
  io: ProgramIO;
}

/** The link called `name`; `Cannot find device` (exit 255, as bridge exits) otherwise. */
export function requireLink(ctx: BridgeContext, name: string): LinkInfo {
  try {
    return ctx.kernel.linkGet(ctx.ns, name);
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === Errno.ENODEV) {
      throw cannotFindDevice(name, 255);
    }
    throw err;
  }
}
