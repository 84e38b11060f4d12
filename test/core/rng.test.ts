import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CounterRng, philox4x32, streamId } from '../../src/core/rng.ts';

const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, '0')).join(' ');

describe('Philox4x32-10', () => {
  // Known-answer vectors from Random123 (kat_vectors, philox4x32 10 rounds).
  it('matches the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    expect(hex(philox4x32(0, 0, 0, 0, 0, 0, out))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    const f = 0xffffffff;
    expect(hex(philox4x32(f, f, f, f, f, f, out))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out))).toBe(
      'd16cfe09 94fdcceb 5001e420 24126ea1',
    );
  });

  it('is a pure function of (seed, stream, index, tick, draw)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), fc.nat(), (seed, s, i, t) => {
        const a = new CounterRng(seed).uniform(s >>> 0, i >>> 0, t >>> 0);
        const r = new CounterRng(seed);
        r.uniform(1, 2, 3); // an unrelated draw in between changes nothing
        return r.uniform(s >>> 0, i >>> 0, t >>> 0) === a && a > 0 && a < 1;
      }),
    );
  });

  it('gives uniforms with the right mean and variance and normals with the right moments', () => {
    const r = new CounterRng(42);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let z1 = 0;
    let z2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform(7, i, 0);
      s += u;
      s2 += u * u;
      const z = r.normal(8, i, 0);
      z1 += z;
      z2 += z * z;
    }
    // Standard errors: mean 1/sqrt(12 n) ~ 6.5e-4; use 5 sigma.
    expect(Math.abs(s / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - s * s / n / n - 1 / 12)).toBeLessThan(2e-3);
    expect(Math.abs(z1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(z2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('hashes stream names with FNV-1a', () => {
    // FNV-1a 32-bit reference values: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968.
    expect(streamId('')).toBe(0x811c9dc5);
    expect(streamId('a')).toBe(0xe40c292c);
    expect(streamId('foobar')).toBe(0xbf9cf968);
  });
});
