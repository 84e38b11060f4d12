/**
 * A compact WebAssembly binary emitter: just enough of the format (WebAssembly Core Specification 2.0, chapter 5
 * "Binary Format", and the fixed-width SIMD opcodes of proposals/simd/BinarySIMD.md) to build one module with an
 * imported memory and a few exported functions. No dependency, nothing downloaded; the host validates the result
 * (`WebAssembly.validate`), so an encoding mistake fails loudly at compile time, never silently at run time.
 *
 * Layout of a module here: magic and version, then the sections type (1), import (2, the memory only),
 * function (3), export (7) and code (10), in that order.
 */

/** Value types (binary encoding). */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

/** Core opcodes used by the kernels (one byte each). */
export const OP = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  f64_load: 0x2b,
  i32_store: 0x36,
  f64_store: 0x39,
  i32_const: 0x41,
  f32_const: 0x43,
  f64_const: 0x44,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_u: 0x49,
  i32_gt_u: 0x4b,
  i32_ge_u: 0x4f,
  i32_ctz: 0x68,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_u: 0x76,
  f64_add: 0xa0,
  f64_mul: 0xa2,
} as const;

/** SIMD opcodes (after the 0xfd prefix, LEB128-encoded), final numbering of the fixed-width SIMD proposal. */
export const SIMD = {
  v128_load: 0x00,
  v128_load64_splat: 0x0a,
  v128_store: 0x0b,
  v128_const: 0x0c,
  i8x16_shuffle: 0x0d,
  f32x4_splat: 0x13,
  f64x2_splat: 0x14,
  f32x4_extract_lane: 0x1f,
  f64x2_extract_lane: 0x21,
  i32x4_eq: 0x37,
  f32x4_eq: 0x41,
  f32x4_lt: 0x43,
  f32x4_gt: 0x44,
  f32x4_ge: 0x46,
  f64x2_eq: 0x47,
  f64x2_lt: 0x49,
  f64x2_gt: 0x4a,
  f64x2_ge: 0x4c,
  v128_not: 0x4d,
  v128_and: 0x4e,
  v128_andnot: 0x4f,
  v128_or: 0x50,
  v128_bitselect: 0x52,
  v128_any_true: 0x53,
  v128_store32_lane: 0x5a,
  v128_store64_lane: 0x5b,
  v128_load32_zero: 0x5c,
  v128_load64_zero: 0x5d,
  f64x2_promote_low_f32x4: 0x5f,
  i32x4_all_true: 0xa3,
  i32x4_bitmask: 0xa4,
  i64x2_all_true: 0xc3,
  i64x2_bitmask: 0xc4,
  i64x2_eq: 0xd6,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f64x2_add: 0xf0,
  f64x2_sub: 0xf1,
  f64x2_mul: 0xf2,
} as const;

/** Block type of a block, loop or if that takes and leaves nothing. */
export const BLOCK_EMPTY = 0x40;

/** Appends x (a non-negative integer below 2^53) as unsigned LEB128. */
export function uleb(out: number[], x: number): number[] {
  if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`uleb: ${x} is not a non-negative integer`);
  let rest = x;
  for (;;) {
    const byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest === 0) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Appends x (an integer in the signed 32-bit range) as signed LEB128, as `i32.const` takes it. */
export function sleb(out: number[], x: number): number[] {
  if (!Number.isInteger(x) || x < -0x80000000 || x > 0x7fffffff) throw new RangeError(`sleb: ${x} is not an int32`);
  let rest = x;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** The bytes of an IEEE 754 number in little-endian order (8 for float64, 4 for float32). */
export function floatBytes(x: number, bits: 32 | 64): number[] {
  const buf = new DataView(new ArrayBuffer(bits / 8));
  if (bits === 64) buf.setFloat64(0, x, true);
  else buf.setFloat32(0, x, true);
  return Array.from(new Uint8Array(buf.buffer));
}

/** A name (UTF-8, length-prefixed). */
function name(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.push(...bytes);
}

/**
 * A function body under construction: a flat byte list with one method per instruction family. Methods return
 * `this` so straight-line code reads as one chain. The caller keeps the operand stack balanced; the host checks it.
 */
export class Code {
  readonly bytes: number[] = [];

  /** Raw opcode bytes with no immediates. */
  op(...codes: number[]): this {
    append(this.bytes, codes);
    return this;
  }
  /** A SIMD instruction without immediates. */
  simd(code: number): this {
    this.bytes.push(0xfd);
    uleb(this.bytes, code);
    return this;
  }
  /** A SIMD memory instruction: memarg (alignment exponent, static byte offset), then a lane index if any. */
  simdMem(code: number, alignLog2: number, offset: number, lane?: number): this {
    this.simd(code);
    uleb(this.bytes, alignLog2);
    uleb(this.bytes, offset);
    if (lane !== undefined) this.bytes.push(lane);
    return this;
  }
  /** A core memory instruction (load or store) with its memarg. */
  mem(code: number, alignLog2: number, offset: number): this {
    this.bytes.push(code);
    uleb(this.bytes, alignLog2);
    uleb(this.bytes, offset);
    return this;
  }
  /** `i8x16.shuffle` with its 16 lane indices (0-15: first operand's bytes, 16-31: second's). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((x) => !Number.isInteger(x) || x < 0 || x > 31)) throw new RangeError('i8x16.shuffle needs 16 lane indices in [0, 31]');
    this.simd(SIMD.i8x16_shuffle);
    append(this.bytes, lanes);
    return this;
  }
  /** A SIMD lane instruction (extract_lane): the lane index byte follows the opcode. */
  lane(code: number, laneIdx: number): this {
    this.simd(code);
    this.bytes.push(laneIdx);
    return this;
  }
  get(local: number): this {
    this.bytes.push(OP.local_get);
    uleb(this.bytes, local);
    return this;
  }
  set(local: number): this {
    this.bytes.push(OP.local_set);
    uleb(this.bytes, local);
    return this;
  }
  tee(local: number): this {
    this.bytes.push(OP.local_tee);
    uleb(this.bytes, local);
    return this;
  }
  i32(x: number): this {
    this.bytes.push(OP.i32_const);
    sleb(this.bytes, x);
    return this;
  }
  f64(x: number): this {
    this.bytes.push(OP.f64_const, ...floatBytes(x, 64));
    return this;
  }
  f32(x: number): this {
    this.bytes.push(OP.f32_const, ...floatBytes(x, 32));
    return this;
  }
  /** `v128.const` with 16 immediate bytes. */
  v128(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new RangeError(`v128.const needs 16 bytes, got ${bytes.length}`);
    this.simd(SIMD.v128_const);
    append(this.bytes, bytes);
    return this;
  }
  /** Opens a block, loop or if with the empty block type. */
  open(code: typeof OP.block | typeof OP.loop | typeof OP.if): this {
    this.bytes.push(code, BLOCK_EMPTY);
    return this;
  }
  /** `br_if depth`. */
  brIf(depth: number): this {
    this.bytes.push(OP.br_if);
    uleb(this.bytes, depth);
    return this;
  }
  end(): this {
    this.bytes.push(OP.end);
    return this;
  }
}

/** One function of a module: its signature, its extra locals (after the parameters), its body and export name. */
export interface FuncSpec {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly locals: readonly ValType[];
  readonly body: Code;
  readonly exportName: string;
}

/** The imported memory: `(import module name (memory min max? shared?))`; a shared memory must declare a maximum. */
export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  /** Minimum size in 64 KiB pages: instantiation fails with a LinkError when the memory given is smaller. */
  readonly minPages: number;
  readonly maxPages?: number;
  readonly shared: boolean;
}

/** Appends src to out (a loop: spreading a long array into push() can overflow the call stack). */
function append(out: number[], src: readonly number[]): void {
  for (const b of src) out.push(b);
}

function section(out: number[], id: number, content: readonly number[]): void {
  out.push(id);
  uleb(out, content.length);
  append(out, content);
}

/** Runs of equal types, as the code section declares locals: (count, type)*. */
function localRuns(types: readonly ValType[]): number[] {
  const runs: Array<[number, ValType]> = [];
  for (const t of types) {
    const last = runs[runs.length - 1];
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  const out: number[] = [];
  uleb(out, runs.length);
  for (const [count, t] of runs) {
    uleb(out, count);
    out.push(t);
  }
  return out;
}

/** Assembles a module: one memory import and the given functions, each exported under its name. */
export function moduleBytes(memory: MemoryImport, funcs: readonly FuncSpec[]): Uint8Array {
  if (memory.shared && memory.maxPages === undefined) throw new RangeError('a shared memory import must declare maxPages');
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  const types: number[] = [];
  uleb(types, funcs.length);
  for (const f of funcs) {
    types.push(0x60);
    uleb(types, f.params.length);
    types.push(...f.params);
    uleb(types, f.results.length);
    types.push(...f.results);
  }
  section(out, 1, types);

  const imports: number[] = [1];
  name(imports, memory.module);
  name(imports, memory.name);
  imports.push(0x02, (memory.shared ? 0x02 : 0x00) | (memory.maxPages === undefined ? 0x00 : 0x01));
  uleb(imports, memory.minPages);
  if (memory.maxPages !== undefined) uleb(imports, memory.maxPages);
  section(out, 2, imports);

  const fnSec: number[] = [];
  uleb(fnSec, funcs.length);
  funcs.forEach((_, k) => uleb(fnSec, k));
  section(out, 3, fnSec);

  const exports: number[] = [];
  uleb(exports, funcs.length);
  funcs.forEach((f, k) => {
    name(exports, f.exportName);
    exports.push(0x00);
    uleb(exports, k);
  });
  section(out, 7, exports);

  const code: number[] = [];
  uleb(code, funcs.length);
  for (const f of funcs) {
    const body = localRuns(f.locals);
    append(body, f.body.bytes);
    body.push(OP.end);
    uleb(code, body.length);
    append(code, body);
  }
  section(out, 10, code);
  return Uint8Array.from(out);
}
