/**
 * The batched hot loop of a binary SDM, as WebAssembly bytes built in memory (no file, no dependency): one pass over
 * the hard-location addresses answers a block of up to 32 queries.
 *
 *   block(addr, from, to, q, nq, d, out, valid) -> count, all i32 (byte offsets, counts):
 *     for i in [from, to):
 *       mask = 0
 *       for b in [0, nq):   (nq a multiple of the unroll U; U queries per step share each loaded address word)
 *         dist_b = sum_j popcnt64(load64(addr + i S + 8j) ^ load64(q + b S + 8j))  (+ popcnt of the odd last word)
 *         mask |= (dist_b <= d) << b
 *       mask &= valid
 *       if mask != 0: store the pair (i, mask) as two i32 at out + 8 count; count++
 *     return count
 *
 * S = 4 W bytes is the address stride (W = ceil(n / 32) words, as in bits.ts). The word loop is fully unrolled for
 * the given W (the module is specialised to n; or looped `step` pairs at a time), so the address row (128 bytes at
 * n = 1000) is loaded once per U queries and all U distances accumulate in registers; the query block (32 S = 4 KiB
 * at n = 1000) stays in L1. The `simd` variant sums byte lanes, so it takes at most 31 chunks: n <= 3968.
 *
 * `i64.popcnt` rather than `i8x16.popcnt`: on x86 V8 lowers i8x16.popcnt to a pshufb nibble lookup (about 7
 * instructions per 128 bits, plus a horizontal sum per distance), while scalar POPCNT retires several per cycle on
 * recent cores. Measured at n = 1000, r = 10^6, 32 queries per pass (AMD EPYC Zen 3, Node 20.20, one thread, the other
 * core busy): i64 ~105-110 queries/s at unroll 1 (2: ~100-108, 4: ~85-93, 8: ~70, 16: ~57); i8x16 ~90-98 at unroll
 * 1-4. A loop of `step` pairs instead of the fully unrolled address changed nothing measurable (step 2-4: 103-108).
 * That is ~1.7e9 XOR+popcount word pairs/s, against ~2.8e9 bare popcounts/s for the same thread in the bench's
 * limit loop: the scan is bound by instruction throughput, not memory (it streams the addresses at ~0.4 GB/s).
 *
 * The second module here sums counters (sumModuleBytes): sign-extending v128 adds into i32 accumulators took the
 * counter sums of 32 reads at w = 1000 (Int8, ~1066 active locations each) from ~117 ms in JavaScript to ~18 ms.
 */
import { uleb, wasmName, wasmSection } from '../../../core/wasm-bytes.ts';

// Opcodes (WebAssembly core spec 2.0, section 5.4).
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const GET = 0x20, SET = 0x21, TEE = 0x22, CONST = 0x41;
const I32_STORE = 0x36, I64_LOAD = 0x29, I64_LOAD32_U = 0x35;
const I32_LE_U = 0x4d, I32_GE_U = 0x4f, I32_ADD = 0x6a, I32_MUL = 0x6c, I32_AND = 0x71, I32_OR = 0x72, I32_SHL = 0x74;
const I64_POPCNT = 0x7b, I64_ADD = 0x7c, I64_XOR = 0x85, I32_WRAP_I64 = 0xa7;
const I32 = 0x7f, I64 = 0x7e, V128 = 0x7b;
// SIMD (0xfd prefix): v128.load 0, v128.xor 81, i8x16.popcnt 98, i8x16.add 110, i16x8.extadd_pairwise_i8x16_u 125,
// i32x4.extadd_pairwise_i16x8_u 127, i32x4.extract_lane 27, i32x4.add 174.
const SIMD = 0xfd;

/** Most queries in one block (the result mask is one i32). */
export const BLOCK_MAX = 32;


/** Signed LEB128 of a non-negative i32 (i32.const immediates are signed). */
function sleb(v: number): number[] {
  const o: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
}

const name = wasmName;
const section = wasmSection;

export interface BlockModuleOptions {
  /** Words per address, ceil(n / 32). */
  readonly words: number;
  /** Queries per step sharing each loaded address word (divides BLOCK_MAX). */
  readonly unroll: number;
  /** Import the memory as shared (a shared WebAssembly.Memory, for worker threads). */
  readonly shared: boolean;
  /** Use v128 loads and i8x16.popcnt on whole 128-bit chunks (i64 for the remainder) instead of i64.popcnt. */
  readonly simd?: boolean;
  /**
   * i64 path: word pairs per iteration of a loop over the address (0: the whole address unrolled). A short loop
   * body keeps TurboFan from hoisting every load to the top of one long block and spilling registers.
   */
  readonly step?: number;
}

/** The block-scan module for addresses of `words` words; exports `block` (see the file comment). */
export function blockModuleBytes(opts: BlockModuleOptions): Uint8Array {
  const { words, unroll: U, shared } = opts;
  const simd = opts.simd === true;
  if (!(BLOCK_MAX % U === 0 && U >= 1)) throw new RangeError(`block scan unroll ${U} must divide ${BLOCK_MAX}`);
  const stride = 4 * words;
  const chunks = simd ? words >>> 2 : 0; // 128-bit chunks
  const pairs = (words - 4 * chunks) >>> 1; // remaining 64-bit pairs
  const tail = words & 1;
  const pairBase = 16 * chunks;
  // params 0 addr, 1 from, 2 to, 3 q, 4 nq, 5 d, 6 out, 7 valid; i32 locals 8 count, 9 i, 10 p, 11 mask, 12 b, 13 qp,
  // 14 pa, 15 pq, 16 k; i64 locals 17 .. 17+U-1 acc_u, 17+U a; v128 locals 18+U .. 18+2U-1 vacc_u, 18+2U va.
  const ACC = 17, A = 17 + U, VACC = 18 + U, VA = 18 + 2 * U;
  const step = simd ? 0 : (opts.step ?? 0);
  const loops = step > 0 ? Math.floor(pairs / step) : 0;
  const mem64 = (op: number, off: number): number[] => [op, 3, ...uleb(off)];
  const distance: number[] = [];
  let first = true;
  const addTo = (u: number, code: number[]): void => {
    // acc_u = (first ? code : acc_u + code)
    if (first) distance.push(...code, SET, ACC + u);
    else distance.push(GET, ACC + u, ...code, I64_ADD, SET, ACC + u);
  };
  if (chunks > 0) {
    for (let c = 0; c < chunks; c++) {
      distance.push(GET, 10, SIMD, 0, 4, ...uleb(16 * c), SET, VA);
      for (let u = 0; u < U; u++) {
        const pop = [GET, VA, GET, 13, SIMD, 0, 4, ...uleb(u * stride + 16 * c), SIMD, 81, SIMD, 98];
        // byte lanes hold at most 8 per chunk: up to 31 chunks fit before a lane could pass 255
        if (c === 0) distance.push(...pop, SET, VACC + u);
        else distance.push(GET, VACC + u, ...pop, SIMD, 110, SET, VACC + u);
      }
    }
    for (let u = 0; u < U; u++) {
      // widen the byte counts to four i32 lanes and add them
      distance.push(GET, VACC + u, SIMD, 125, 1, SIMD, 127, 1, TEE, VACC + u);
      distance.push(SIMD, 27, 0, GET, VACC + u, SIMD, 27, 1, I32_ADD, GET, VACC + u, SIMD, 27, 2, I32_ADD, GET, VACC + u, SIMD, 27, 3, I32_ADD);
      distance.push(0xad, SET, ACC + u); // i64.extend_i32_u
    }
    if (chunks > 31) throw new RangeError('simd block scan: more than 31 chunks per address');
    first = false;
  }
  if (loops > 0) {
    distance.push(GET, 10, SET, 14, GET, 13, SET, 15, CONST, ...sleb(loops), SET, 16);
    for (let u = 0; u < U; u++) distance.push(0x42, 0, SET, ACC + u); // i64.const 0
    distance.push(LOOP, VOID);
    for (let k = 0; k < step; k++) {
      distance.push(GET, 14, ...mem64(I64_LOAD, 8 * k), SET, A);
      for (let u = 0; u < U; u++) distance.push(GET, ACC + u, GET, A, GET, 15, ...mem64(I64_LOAD, u * stride + 8 * k), I64_XOR, I64_POPCNT, I64_ADD, SET, ACC + u);
    }
    distance.push(GET, 14, CONST, ...sleb(8 * step), I32_ADD, SET, 14, GET, 15, CONST, ...sleb(8 * step), I32_ADD, SET, 15);
    distance.push(GET, 16, CONST, 1, 0x6b, TEE, 16, BR_IF, 0, END);
    first = false;
  }
  for (let j = loops * step; j < pairs + tail; j++) {
    const isTail = j === pairs;
    const op = isTail ? I64_LOAD32_U : I64_LOAD;
    const off = pairBase + 8 * j;
    distance.push(GET, 10, ...(isTail ? [I64_LOAD32_U, 2, ...uleb(off)] : mem64(op, off)), SET, A);
    for (let u = 0; u < U; u++) addTo(u, [GET, A, GET, 13, ...(isTail ? [I64_LOAD32_U, 2, ...uleb(u * stride + off)] : mem64(op, u * stride + off)), I64_XOR, I64_POPCNT]);
    first = false;
  }
  const setMask: number[] = [];
  for (let u = 0; u < U; u++) {
    setMask.push(GET, 11, GET, ACC + u, I32_WRAP_I64, GET, 5, I32_LE_U, GET, 12, CONST, ...sleb(u), I32_ADD, I32_SHL, I32_OR, SET, 11);
  }
  const store = [
    GET, 11, GET, 7, I32_AND, TEE, 11,
    IF, VOID,
    /**/ GET, 6, GET, 8, CONST, 3, I32_SHL, I32_ADD, GET, 9, I32_STORE, 2, 0,
    /**/ GET, 6, GET, 8, CONST, 3, I32_SHL, I32_ADD, GET, 11, I32_STORE, 2, 4,
    /**/ GET, 8, CONST, 1, I32_ADD, SET, 8,
    END,
  ];
  const code = [
    GET, 0, GET, 1, CONST, ...sleb(stride), I32_MUL, I32_ADD, SET, 10,
    GET, 1, SET, 9,
    BLOCK, VOID, LOOP, VOID,
    /**/ GET, 9, GET, 2, I32_GE_U, BR_IF, 1,
    /**/ CONST, 0, SET, 11, CONST, 0, SET, 12, GET, 3, SET, 13,
    /**/ BLOCK, VOID, LOOP, VOID,
    /*    */ GET, 12, GET, 4, I32_GE_U, BR_IF, 1,
    /*    */ ...distance,
    /*    */ ...setMask,
    /*    */ GET, 12, CONST, ...sleb(U), I32_ADD, SET, 12,
    /*    */ GET, 13, CONST, ...sleb(U * stride), I32_ADD, SET, 13,
    /*    */ BR, 0,
    /**/ END, END,
    /**/ ...store,
    /**/ GET, 9, CONST, 1, I32_ADD, SET, 9,
    /**/ GET, 10, CONST, ...sleb(stride), I32_ADD, SET, 10,
    /**/ BR, 0,
    END, END,
    GET, 8,
    END,
  ];
  const locals = simd ? [3, 9, I32, ...uleb(U + 1), I64, ...uleb(U + 1), V128] : [2, 9, I32, ...uleb(U + 1), I64];
  const func = [...locals, ...code];
  const limits = shared ? [0x03, 0x00, ...uleb(65536)] : [0x00, 0x00];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, [1, 0x60, 8, I32, I32, I32, I32, I32, I32, I32, I32, 1, I32]), // type: (i32 x 8) -> i32
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, ...limits]), // import memory env.mem
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('block'), 0x00, 0]),
    ...section(10, [1, ...uleb(func.length), ...func]),
  ]);
}

/** Accumulator slots of the sum kernel in a scanner's memory: slot 0 for the owning thread, 1.. for workers. */
export const ACC_SLOTS = 16;

/** Counters per v128 step of the sum kernel (16 bytes of 1- or 2-byte counters), and the padded row length. */
export function accStride(valueBits: number, counterBytes: 1 | 2): number {
  const per = 16 / counterBytes;
  return Math.ceil(valueBits / per) * per;
}

/**
 * The counter-summation module: exports sum8 and sum16 (Int8 and Int16 counters), both
 *
 *   sum(ctr, rowBytes, pairs, count, acc, accBytes):
 *     for each of the `count` pairs (i, mask) at `pairs` (two i32 each), for each query b set in mask:
 *       i32 acc[b accBytes + 4 j] += counter j of row i (row i at ctr + i rowBytes), j over the row in steps of 16
 *       bytes (v128 loads, sign-extended to i32x4 lanes; the lanes past the row's end land in the accumulator's
 *       padding, see `accStride`, and read at most 15 bytes past the last row).
 */
export function sumModuleBytes(shared: boolean): Uint8Array {
  // params 0 ctr, 1 rowBytes, 2 pairs, 3 count, 4 acc, 5 accBytes; i32 locals 6 end, 7 row, 8 mask, 9 j, 10 ap;
  // v128 locals 11 v, 12 h
  const add = (off: number, ext: number[]): number[] => [GET, 10, GET, 10, SIMD, 0, 4, ...uleb(off), ...ext, SIMD, 0xae, 0x01, SIMD, 11, 4, ...uleb(off)];
  const fn = (e: 1 | 2): number[] => {
    const step =
      e === 1
        ? [
            GET, 11, SIMD, 0x87, 0x01, SET, 12, // h = i16x8.extend_low_i8x16_s(v)
            ...add(0, [GET, 12, SIMD, 0xa7, 0x01]), ...add(16, [GET, 12, SIMD, 0xa8, 0x01]),
            GET, 11, SIMD, 0x88, 0x01, SET, 12, // h = i16x8.extend_high_i8x16_s(v)
            ...add(32, [GET, 12, SIMD, 0xa7, 0x01]), ...add(48, [GET, 12, SIMD, 0xa8, 0x01]),
            GET, 10, CONST, ...sleb(64), I32_ADD, SET, 10,
          ]
        : [
            ...add(0, [GET, 11, SIMD, 0xa7, 0x01]), ...add(16, [GET, 11, SIMD, 0xa8, 0x01]),
            GET, 10, CONST, ...sleb(32), I32_ADD, SET, 10,
          ];
    const code = [
      GET, 2, GET, 3, CONST, 3, I32_SHL, I32_ADD, SET, 6,
      BLOCK, VOID, LOOP, VOID,
      /**/ GET, 2, GET, 6, I32_GE_U, BR_IF, 1,
      /**/ GET, 0, GET, 2, 0x28, 2, 0, GET, 1, I32_MUL, I32_ADD, SET, 7,
      /**/ GET, 2, 0x28, 2, 4, SET, 8,
      /**/ BLOCK, VOID, LOOP, VOID,
      /*    */ GET, 8, 0x45, BR_IF, 1, // mask == 0
      /*    */ GET, 4, GET, 8, 0x68, GET, 5, I32_MUL, I32_ADD, SET, 10, // ap = acc + ctz(mask) accBytes
      /*    */ CONST, 0, SET, 9,
      /*    */ BLOCK, VOID, LOOP, VOID,
      /*        */ GET, 9, GET, 1, I32_GE_U, BR_IF, 1,
      /*        */ GET, 7, GET, 9, I32_ADD, SIMD, 0, 0, 0, SET, 11,
      /*        */ ...step,
      /*        */ GET, 9, CONST, 16, I32_ADD, SET, 9,
      /*        */ BR, 0,
      /*    */ END, END,
      /*    */ GET, 8, GET, 8, CONST, 1, 0x6b, I32_AND, SET, 8,
      /*    */ BR, 0,
      /**/ END, END,
      /**/ GET, 2, CONST, 8, I32_ADD, SET, 2,
      /**/ BR, 0,
      END, END,
      END,
    ];
    return [2, 5, I32, 2, V128, ...code];
  };
  const f8 = fn(1);
  const f16 = fn(2);
  const limits = shared ? [0x03, 0x00, ...uleb(65536)] : [0x00, 0x00];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]), // type: (i32 x 6) -> ()
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, ...limits]),
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name('sum8'), 0x00, 0, ...name('sum16'), 0x00, 1]),
    ...section(10, [2, ...uleb(f8.length), ...f8, ...uleb(f16.length), ...f16]),
  ]);
}
