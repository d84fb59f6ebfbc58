// Linux errno: each number with its name and its strerror() text (glibc's, as iproute2, iputils,
// bash and coreutils print it), one table for the TypeScript side. The kernel's AssemblyScript
// keeps the numbers it returns in assembly/errno.ts; every one of them is here (a test holds
// the two together).

const ERRNOS = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  ESRCH: [3, 'No such process'],
  EIO: [5, 'Input/output error'],
  EBADF: [9, 'Bad file descriptor'],
  EAGAIN: [11, 'Resource temporarily unavailable'],
  EACCES: [13, 'Permission denied'],
  EBUSY: [16, 'Device or resource busy'],
  EEXIST: [17, 'File exists'],
  ENODEV: [19, 'No such device'],
  ENOTDIR: [20, 'Not a directory'],
  EISDIR: [21, 'Is a directory'],
  EINVAL: [22, 'Invalid argument'],
  ERANGE: [34, 'Numerical result out of range'],
  ENOTEMPTY: [39, 'Directory not empty'],
  EMSGSIZE: [90, 'Message too long'],
  EOPNOTSUPP: [95, 'Operation not supported'],
  EAFNOSUPPORT: [97, 'Address family not supported by protocol'],
  EADDRINUSE: [98, 'Address already in use'],
  EADDRNOTAVAIL: [99, 'Cannot assign requested address'],
  ENETDOWN: [100, 'Network is down'],
  ENETUNREACH: [101, 'Network is unreachable'],
  ENOBUFS: [105, 'No buffer space available'],
  EHOSTUNREACH: [113, 'No route to host'],
} as const;

export type ErrnoName = keyof typeof ERRNOS;

/** Errno numbers by name: `Errno.ENODEV` is 19. */
export const Errno = Object.fromEntries(
  Object.entries(ERRNOS).map(([name, [errno]]) => [name, errno]),
) as { readonly [N in ErrnoName]: (typeof ERRNOS)[N][0] };

const TEXT = new Map<number, string>(Object.values(ERRNOS));

/** strerror(): 'No such device' for 19 (or ENODEV); `unknown` for a number not in the table. */
export function strerror(errno: number | ErrnoName, unknown = `errno ${String(errno)}`): string {
  const n = typeof errno === 'number' ? errno : Errno[errno];
  return TEXT.get(n) ?? unknown;
}
