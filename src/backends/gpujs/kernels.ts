/**
 * gpu.js kernel sources. gpu.js parses these functions' text, so they are plain `function` expressions using only
 * the subset it understands: `this.thread`, `this.constants`, arithmetic, `if`. Each kernel computes one cell of a
 * [n x 5] output whose rows are the model's next state (v, g_e, g_i, refractory ticks left) and the spike flag; every
 * thread recomputes its neuron's update and returns the row it owns (gpu.js on webgpu/webasm has no kernel maps).
 * Arguments: s = current state rows [4][n], inE / inI = input delivered this tick, iext = external drive.
 * The arithmetic is the same, in the same order, as the float64 reference in models/neurons (lif.ts, coba.ts).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

export const lifUpdateKernel = function (this: any, s: any, inE: any, inI: any, iext: any): number {
  const i = this.thread.x;
  const row = this.thread.y;
  let e = s[1][i] + inE[i];
  let g = s[2][i] + inI[i];
  let v = s[0][i];
  let r = s[3][i];
  let spike = 0;
  if (r > 0) {
    r = r - 1;
  } else {
    const u = this.constants.vRest + this.constants.bias + iext[i];
    v = u + (v - u) * this.constants.decayM + e * this.constants.pE + g * this.constants.pI;
    if (v >= this.constants.vTh) {
      v = this.constants.vReset;
      r = this.constants.refTicks;
      spike = 1;
    }
  }
  e = e * this.constants.decayE;
  g = g * this.constants.decayI;
  if (row === 0) return v;
  if (row === 1) return e;
  if (row === 2) return g;
  if (row === 3) return r;
  return spike;
};

export const cobaUpdateKernel = function (this: any, s: any, inE: any, inI: any, iext: any): number {
  const i = this.thread.x;
  const row = this.thread.y;
  const e = s[1][i] + inE[i];
  const g = s[2][i] + inI[i];
  let v = s[0][i];
  let r = s[3][i];
  let spike = 0;
  if (r > 0) {
    r = r - 1;
  } else {
    const eBar = e * this.constants.avgE;
    const gBar = g * this.constants.avgI;
    const gTot = this.constants.gL + eBar + gBar;
    const vInf = (this.constants.gL * this.constants.eL + eBar * this.constants.eE + gBar * this.constants.eI + this.constants.bias + iext[i]) / gTot;
    v = vInf + (v - vInf) * Math.exp(-this.constants.hOverC * gTot);
    if (v >= this.constants.vTh) {
      v = this.constants.vReset;
      r = this.constants.refTicks;
      spike = 1;
    }
  }
  if (row === 0) return v;
  if (row === 1) return e * this.constants.decayE;
  if (row === 2) return g * this.constants.decayI;
  if (row === 3) return r;
  return spike;
};

/**
 * Threshold unit (models/neurons/threshold.ts): rows are v (fired, 0/1), input, and three unused rows that keep the
 * [n x 5] shape shared with the other kernels; row 4 is the spike flag.
 */
export const thresholdUpdateKernel = function (this: any, s: any, inE: any, inI: any, iext: any): number {
  const i = this.thread.x;
  const row = this.thread.y;
  const input = this.constants.bias + inE[i] + inI[i] + iext[i];
  let fire = 0;
  if (this.constants.strict > 0.5) {
    if (input > this.constants.theta) fire = 1;
  } else if (input >= this.constants.theta) fire = 1;
  if (row === 1) return input;
  if (row === 0 || row === 4) return fire;
  return s[row][i];
};

/** Reads the spike-flag row of a state handle that lives on the device (webgpu path). */
export const spikeRowKernel = function (this: any, s: any): number {
  return s[4][this.thread.x];
};

/*
 * The device-resident network (resident.ts). Delivery is a gather: synapses are stored by target in ELL form (column
 * q of target j at [q][j], -1 where target j has fewer than K inputs), so neighbouring threads read neighbouring
 * words; each target sums the spike flags of its sources for one (projection, delay) group and adds the result to
 * what earlier groups of the same receptor gave (`acc`).
 */

/** One group with one weight for all its synapses: acc[j] + w * (number of j's sources that spiked). */
export const gatherKernel = function (this: any, acc: any, s: any, col: any, w: number): number {
  const j = this.thread.x;
  let sum = 0;
  for (let q = 0; q < this.constants.K; q++) {
    const c = col[q][j];
    if (c < 0) break;
    sum += s[4][c];
  }
  return acc[j] + sum * w;
};

/** One group with a weight per synapse (ELL like `col`). */
export const gatherWeightedKernel = function (this: any, acc: any, s: any, col: any, w: any): number {
  const j = this.thread.x;
  let sum = 0;
  for (let q = 0; q < this.constants.K; q++) {
    const c = col[q][j];
    if (c < 0) break;
    sum += s[4][c] * w[q][j];
  }
  return acc[j] + sum;
};

/**
 * Spike compaction for read-back: word x holds the flags of neurons 16x .. 16x + 15 as bits (an integer below 2^16,
 * exact in float32), so a tick's spikes come back in n / 16 words.
 */
export const packKernel = function (this: any, s: any): number {
  const x = this.thread.x;
  let word = 0;
  let bit = 1;
  for (let b = 0; b < 16; b++) {
    const i = x * 16 + b;
    if (i < this.constants.n) word += s[4][i] * bit;
    bit = bit * 2;
  }
  return word;
};
