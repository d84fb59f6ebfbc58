// Functions the host (the TypeScript wrapper) provides to the module, imported as "host".

/** An ether link transmits a frame onto the lab wire: 0 when the NIC's transmit queue is
 * full and the frame was dropped (as a full qdisc drops it), else 1. */
export declare function wireTx(ifindex: i32, ptr: usize, len: i32): i32;

/** Data for a userspace socket (see DELIVER_* in abi.ts); the wrapper copies it. */
export declare function deliver(kind: i32, fd: i32, ptr: usize, len: i32, a: u32, b: u32): void;

/** A packet journey record (see journey.ts): `words` u32s, optional bytes, the netns's name
 * (UTF-16). Only called while the journey records. */
export declare function journeyEvent(
  kind: i32,
  slot: i32,
  words: usize,
  nwords: i32,
  data: usize,
  dataLen: i32,
  ns: usize,
  nsLen: i32,
): void;
