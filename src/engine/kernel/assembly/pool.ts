// Preallocated packet buffers ("slots"). A slot holds one frame with headroom in front, so
// encapsulation prepends headers in place. The per-frame path never allocates.
// A few big slots hold what no slot can: a datagram up to 65,535 bytes (reassembled, or sent
// by a socket); each one's memory is taken when it is first used, then kept.

export const SLOT_SIZE: i32 = 10240;
export const HEADROOM: i32 = 160;
export const SLOT_COUNT: i32 = 512; // a power of two: the backlog ring masks with it
/** The largest frame a slot can hold. */
export const SLOT_MAX: i32 = SLOT_SIZE - HEADROOM;
/** Big slots: ids SLOT_COUNT and up. */
export const BIG_SLOT_COUNT: i32 = 8;
/** The largest frame a big slot holds: an IPv4 datagram's 65,535 bytes plus a link header. */
export const BIG_SLOT_MAX: i32 = 65535 + 64;
const BIG_SLOT_SIZE: i32 = HEADROOM + BIG_SLOT_MAX;
const ALL_SLOTS: i32 = SLOT_COUNT + BIG_SLOT_COUNT;

const poolBase: usize = heap.alloc(<usize>SLOT_SIZE * <usize>SLOT_COUNT);
// Per-slot [offset, length] pairs in raw memory: read on every step of the packet path.
const meta: usize = heap.alloc(<usize>ALL_SLOTS * 8);
const freeStack = new StaticArray<i32>(SLOT_COUNT);
const bigBase = new StaticArray<usize>(BIG_SLOT_COUNT);
const bigFree = new StaticArray<i32>(BIG_SLOT_COUNT);
let bigFreeTop: i32 = 0;
for (let i = BIG_SLOT_COUNT - 1; i >= 0; i--) bigFree[bigFreeTop++] = SLOT_COUNT + i;
// Per-slot [address, length, sum] of trailing bytes whose one's-complement sum is already
// known (like Linux's CHECKSUM_COMPLETE): UDP records the sum of an encapsulated packet's
// payload while it verifies the outer checksum, so the inner ICMP check costs nothing.
const tailSums: usize = heap.alloc(<usize>ALL_SLOTS * 16);

/** The frame's length. */
export function slotLen(s: i32): i32 {
  return load<i32>(meta + ((<usize>s) << 3), 4);
}
export function setSlotLen(s: i32, len: i32): void {
  store<i32>(meta + ((<usize>s) << 3), len, 4);
}
function slotOff(s: i32): i32 {
  return load<i32>(meta + ((<usize>s) << 3));
}
function setSlotOff(s: i32, off: i32): void {
  store<i32>(meta + ((<usize>s) << 3), off);
}
let freeTop: i32 = 0;

for (let i = SLOT_COUNT - 1; i >= 0; i--) freeStack[freeTop++] = i;

/** A free slot, or -1 when every buffer is in use. */
export function slotAlloc(): i32 {
  if (freeTop == 0) return -1;
  const s = unchecked(freeStack[--freeTop]);
  setSlotOff(s, HEADROOM);
  setSlotLen(s, 0);
  clearTailSum(s);
  return s;
}

/** A slot for a frame of len bytes: a big one when a slot is too small; -1 if none is free. */
export function slotAllocFor(len: i32): i32 {
  if (len <= SLOT_MAX) return slotAlloc();
  if (len > BIG_SLOT_MAX || bigFreeTop == 0) return -1;
  const s = unchecked(bigFree[--bigFreeTop]);
  const b = s - SLOT_COUNT;
  if (unchecked(bigBase[b]) == 0) unchecked((bigBase[b] = heap.alloc(<usize>BIG_SLOT_SIZE)));
  setSlotOff(s, HEADROOM);
  setSlotLen(s, 0);
  clearTailSum(s);
  return s;
}

/** Records that the len bytes at p (inside slot s) sum to `sum` (unfolded, csumAdd's form). */
export function setTailSum(s: i32, p: usize, len: i32, sum: u64): void {
  const t = tailSums + ((<usize>s) << 4);
  store<u32>(t, <u32>p);
  store<i32>(t, len, 4);
  store<u64>(t, sum, 8);
}

/** Forgets the recorded sum: call before writing into a slot's payload in place. */
export function clearTailSum(s: i32): void {
  store<u32>(tailSums + ((<usize>s) << 4), 0);
}

/** The recorded sum when it covers exactly the len bytes at p, else u64.MAX_VALUE. */
export function tailSum(s: i32, p: usize, len: i32): u64 {
  const t = tailSums + ((<usize>s) << 4);
  if (load<u32>(t) != <u32>p || load<i32>(t, 4) != len) return u64.MAX_VALUE;
  return load<u64>(t, 8);
}

export function slotFree(s: i32): void {
  if (s >= SLOT_COUNT) unchecked((bigFree[bigFreeTop++] = s));
  else unchecked((freeStack[freeTop++] = s));
}

/** Free slots, big ones included (tests compare it before and after, to find leaks). */
export function slotsFree(): i32 {
  return freeTop + bigFreeTop;
}

/** Address of the slot's first frame byte. */
export function slotPtr(s: i32): usize {
  const base =
    s < SLOT_COUNT
      ? poolBase + <usize>s * <usize>SLOT_SIZE
      : unchecked(bigBase[s - SLOT_COUNT]);
  return base + <usize>slotOff(s);
}

/** Prepends n bytes; false when the headroom is exhausted. */
export function slotPush(s: i32, n: i32): bool {
  const off = slotOff(s);
  if (off < n) return false;
  setSlotOff(s, off - n);
  setSlotLen(s, slotLen(s) + n);
  return true;
}

/** Removes n bytes from the front (the caller checked the length). */
export function slotPull(s: i32, n: i32): void {
  setSlotOff(s, slotOff(s) + n);
  setSlotLen(s, slotLen(s) - n);
}

/** A copy of slot s (same offset), or -1. */
export function slotClone(s: i32): i32 {
  const c = s >= SLOT_COUNT ? slotAllocFor(BIG_SLOT_MAX) : slotAlloc(); // same room

  if (c < 0) return -1;
  setSlotOff(c, slotOff(s));
  setSlotLen(c, slotLen(s));
  memory.copy(slotPtr(c), slotPtr(s), <usize>slotLen(s));
  return c;
}

/** Writes len bytes from p into a fresh slot, or returns -1. */
export function slotFrom(p: usize, len: i32): i32 {
  if (len > SLOT_MAX) return -1;
  const s = slotAlloc();
  if (s < 0) return -1;
  setSlotLen(s, len);
  memory.copy(slotPtr(s), p, <usize>len);
  return s;
}
