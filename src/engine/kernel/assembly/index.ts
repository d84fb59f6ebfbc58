// The kernel's entry point (placeholder until the network stack lands).
export function version(): i32 {
  return 1;
}
