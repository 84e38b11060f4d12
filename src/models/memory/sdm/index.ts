/** Algebraic Sparse Distributed Memory (Kanerva 1988): binary, continuous, top-k and pattern-based reads. */
export * from './bits.ts';
export * from './binary.ts';
export * from './continuous.ts';
export * from './patterns.ts';
export * from './scan.ts';
export * from './scan-block.ts';
export * from './batch.ts';
export * from './threshold.ts';
export * from './activity.ts';
