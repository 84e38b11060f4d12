/**
 * Errors a user caused (a bad file, field, flag or value). The CLI prints `message` as one line and exits with 2.
 * Everything else is a bug and keeps its stack trace.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** @param where file and JSON path (`circuits/cuba.yaml: /populations/exc/size`), or a flag (`--seed`). */
  constructor(
    readonly where: string,
    readonly expected: string,
  ) {
    super(`${where}: ${expected}`);
  }
}

/** JSON pointer (RFC 6901) for a path of keys and indices: ['populations', 'exc', 'size'] -> /populations/exc/size. */
export function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '/';
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EBUSY: 'resource busy',
  EADDRINUSE: 'address in use',
  EADDRNOTAVAIL: 'address not available',
  ENOMEM: 'out of memory',
};

/**
 * One line for an operating-system error (EACCES, ENOSPC, EEXIST, ENOTDIR, EADDRINUSE, ...): the path or port, what
 * went wrong in words, and the code; null when `e` is not one.
 */
export function systemErrorLine(e: unknown): string | null {
  if (!(e instanceof Error)) return null;
  const x = e as NodeJS.ErrnoException & { port?: number; address?: string };
  if (typeof x.code !== 'string' || !(x.code in SYSTEM_ERRORS) || (x.syscall === undefined && x.errno === undefined)) return null;
  const where = x.path ?? (x.port !== undefined ? `${x.address ?? ''}:${x.port}` : undefined);
  return `${where !== undefined ? `${where}: ` : ''}${SYSTEM_ERRORS[x.code]} (${x.code})`;
}
