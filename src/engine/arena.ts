/**
 * Where the engine puts a population's arrays (state, ring buffers, spike and drive arrays):
 * - plain typed arrays (one thread, JavaScript kernels);
 * - shared memory (SharedArrayBuffer) when worker threads read and write them (threads.ts);
 * - one linear memory (a WebAssembly.Memory, shared) when the backend's kernels are WebAssembly (Backend.arena): the
 *   arrays are views on it at 16-byte aligned addresses, so a kernel reads them in place. Its size is fixed when the
 *   simulator is built (nothing grows later, so views never go stale); past 4 GiB the engine keeps shared arrays and
 *   the kernels fall back to JavaScript.
 */
import type { LinearMemory } from '../kernels/index.ts';
import { wasm, WASM_PAGE_BYTES } from '../backends/cpu/wasm/api.ts';

export interface Storage {
  f64(n: number): Float64Array;
  f32(n: number): Float32Array;
  u32(n: number): Uint32Array;
  u8(n: number): Uint8Array;
  /** The linear memory the arrays live in (arena only). */
  readonly memory: LinearMemory | undefined;
  /** Whether other threads can see the arrays. */
  readonly shared: boolean;
}

export const plainStorage: Storage = {
  f64: (n) => new Float64Array(n),
  f32: (n) => new Float32Array(n),
  u32: (n) => new Uint32Array(n),
  u8: (n) => new Uint8Array(n),
  memory: undefined,
  shared: false,
};

export const sharedStorage: Storage = {
  f64: (n) => new Float64Array(new SharedArrayBuffer(8 * n)),
  f32: (n) => new Float32Array(new SharedArrayBuffer(4 * n)),
  u32: (n) => new Uint32Array(new SharedArrayBuffer(4 * n)),
  u8: (n) => new Uint8Array(new SharedArrayBuffer(n)),
  memory: undefined,
  shared: true,
};

/** Largest arena: a 32-bit linear memory (65536 pages of 64 KiB). */
export const MAX_ARENA_BYTES = 65536 * WASM_PAGE_BYTES;

/** Bytes an array of `bytes` takes in an arena (16-byte alignment). */
export function arenaBytes(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** A bump allocator over one shared linear memory of at least `bytes` bytes. */
export class Arena implements Storage {
  readonly memory: LinearMemory;
  readonly shared = true;
  private next = 0;
  constructor(readonly bytes: number) {
    const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
    this.memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
  }
  private take(bytes: number): number {
    const at = this.next;
    this.next += arenaBytes(bytes);
    if (this.next > this.memory.buffer.byteLength) throw new Error(`internal: the engine's arena is full (${this.memory.buffer.byteLength} bytes)`);
    return at;
  }
  f64(n: number): Float64Array {
    return new Float64Array(this.memory.buffer, this.take(8 * n), n);
  }
  f32(n: number): Float32Array {
    return new Float32Array(this.memory.buffer, this.take(4 * n), n);
  }
  u32(n: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, this.take(4 * n), n);
  }
  u8(n: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, this.take(n), n);
  }
}
