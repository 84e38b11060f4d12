/**
 * The few parts of the JavaScript WebAssembly API this folder uses, typed here because the project compiles without
 * the DOM library (tsconfig `lib: ES2022`, `types: node`), which is where TypeScript declares `WebAssembly`. Reached
 * through `globalThis`, so nothing global is declared and a later `lib: dom` cannot conflict.
 */

/** Descriptor of `new WebAssembly.Memory(...)`: sizes in 64 KiB pages; `shared` needs `maximum`. */
export interface WasmMemoryDescriptor {
  initial: number;
  maximum?: number;
  shared?: boolean;
}

/** A linear memory; `buffer` is a SharedArrayBuffer when the memory was created with `shared: true`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grows by `delta` pages, returns the previous size in pages. Detaches the old buffer of a non-shared memory. */
  grow(delta: number): number;
}

/** A compiled module (can be posted to a worker thread and instantiated there). */
export type WasmModule = object;

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

/** The host's WebAssembly API (Node 20 and every current browser have it, SIMD included). */
export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes in one page of linear memory. */
export const WASM_PAGE_BYTES = 65536;

/** Whether a memory is shared (its buffer is a SharedArrayBuffer). */
export function isSharedMemory(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}
