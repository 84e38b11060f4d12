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
