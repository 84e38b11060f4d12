/** Order statistics shared by the models (the notebooks' k-winners, the kwta_unit population's k-th largest field). */

/**
 * In-place selection: the value of rank `target` (0 = smallest) among a[0 .. length) (Hoare/Wirth with
 * median-of-three pivots).
 */
export function selectRank(a: Float64Array | Float32Array, target: number, length: number = a.length): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p0 = a[lo]!;
    const p1 = a[mid]!;
    const p2 = a[hi]!;
    const pivot = p0 < p1 ? (p1 < p2 ? p1 : p0 < p2 ? p2 : p0) : p0 < p2 ? p0 : p1 < p2 ? p2 : p1;
    let i = lo;
    let j = hi;
    do {
      while (a[i]! < pivot) i++;
      while (pivot < a[j]!) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < target) lo = i;
    if (target < i) hi = j;
  }
  return a[target]!;
}
