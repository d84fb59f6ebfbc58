// Functions the host (the TypeScript wrapper) provides to the module, imported as "host".

/** An ether link transmits a frame onto the lab wire: 0 when the NIC's transmit queue is
 * full and the frame was dropped (as a full qdisc drops it), else 1. */
export declare function wireTx(ifindex: i32, ptr: usize, len: i32): i32;

/** Data for a userspace socket (see DELIVER_* in abi.ts); the wrapper copies it. */
export declare function deliver(kind: i32, fd: i32, ptr: usize, len: i32, a: u32, b: u32): void;
