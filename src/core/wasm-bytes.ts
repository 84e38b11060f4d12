/**
 * The three pieces of the WebAssembly binary format that the hand-assembled modules of this project share (the SDM
 * scans, their benchmark): unsigned LEB128 integers, names, and sections (id, byte length, contents).
 */

/** Unsigned LEB128 encoding of a non-negative integer below 2^32. */
export function uleb(v: number): number[] {
  const out: number[] = [];
  let x = v >>> 0;
  do {
    let b = x & 0x7f;
    x >>>= 7;
    if (x !== 0) b |= 0x80;
    out.push(b);
  } while (x !== 0);
  return out;
}

/** A name (import or export): its length, then its bytes (ASCII). */
export function wasmName(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** A section: its id, the byte length of its contents, the contents. */
export function wasmSection(id: number, bytes: readonly number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}
