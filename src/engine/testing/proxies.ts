// Wrappers around a real object (a kernel, a KV client) for tests: one that records the calls
// made through it, one that makes some calls fail. Every call still reaches the real object.

export interface RecordedCall {
  method: string;
  args: unknown[];
  /** What the call returned (undefined while it runs, or when it threw). */
  result?: unknown;
}

/** `target` behind a proxy that logs each method call (name, arguments, result) and forwards it. */
export function recording<T extends object>(target: T): { proxy: T; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const proxy = new Proxy(target, {
    get(obj, name, receiver) {
      const value: unknown = Reflect.get(obj, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        const call: RecordedCall = { method: name, args };
        calls.push(call);
        call.result = (value as (...a: unknown[]) => unknown).apply(obj, args);
        return call.result;
      };
    },
    set: (obj, name, value) => Reflect.set(obj, name, value),
  });
  return { proxy, calls };
}

/**
 * `target` behind a proxy whose methods named in `methods` throw `error()` while `when()` holds
 * (an outage, one refused call); every other call is forwarded unchanged.
 */
export function failing<T extends object>(
  target: T,
  methods: readonly string[],
  error: () => Error,
  when: () => boolean = () => true,
): T {
  return new Proxy(target, {
    get(obj, name, receiver) {
      const value: unknown = Reflect.get(obj, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      const fails = methods.includes(name);
      return (...args: unknown[]) => {
        if (fails && when()) throw error();
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
    set: (obj, name, value) => Reflect.set(obj, name, value),
  });
}
