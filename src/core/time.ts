/**
 * The integer time grid. Simulation time is a tick count k; the time it stands for is k * dt (ms).
 * Conversions round to the nearest tick and refuse values that are not within 1e-6 ticks of the grid where exactness
 * matters (durations, delays), so that `0.3 ms` on a 0.1 ms grid is 3 ticks, not 2.9999.
 */

export const DEFAULT_DT_MS = 0.1;

/** Nearest tick count for a time in ms. */
export function toTicks(ms: number, dtMs: number): number {
  return Math.round(ms / dtMs);
}

/** True when `ms` lies on the dt grid (within 1e-6 of a tick). */
export function onGrid(ms: number, dtMs: number): boolean {
  const t = ms / dtMs;
  return Math.abs(t - Math.round(t)) < 1e-6;
}

/** Time in ms of tick k. */
export function tickToMs(tick: number, dtMs: number): number {
  return tick * dtMs;
}
