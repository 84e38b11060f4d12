/*
 * The C floor of purkinje's LIF update loop (src/backends/cpu/jit.ts lifLoopSource): the same arithmetic in the same
 * order, per neuron and tick: ring read and clear, synaptic decay, refractory countdown, exact propagator, threshold,
 * reset, spike list. Compiled by bench/lif-floor.ts with gcc -O3 -march=native, in float64 and in float32 (REAL).
 * Usage: lif_loop N TICKS; prints "updates_per_s spikes".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef REAL
#define REAL double
#endif

int main(int argc, char **argv) {
  const int n = atoi(argv[1]);
  const int ticks = atoi(argv[2]);
  /* CUBA parameters (Brette et al. 2007 benchmark 2), dt 0.1 ms; v_rest above threshold so every cell fires. */
  const REAL decayM = (REAL)0.99501247919268232, decayE = (REAL)0.98019867330675525, decayI = (REAL)0.99004983374916811;
  const REAL pE = (REAL)0.0049007908462798, pI = (REAL)0.0049626097088683;
  const REAL u = (REAL)-49.0, vTh = (REAL)-50.0, vReset = (REAL)-60.0;
  const REAL refTicks = (REAL)50;
  const int slots = 2;
  REAL *v = malloc(sizeof(REAL) * n), *ge = malloc(sizeof(REAL) * n), *gi = malloc(sizeof(REAL) * n), *refr = malloc(sizeof(REAL) * n);
  REAL *ringE = calloc((size_t)n * slots, sizeof(REAL)), *ringI = calloc((size_t)n * slots, sizeof(REAL));
  unsigned *spikes = malloc(sizeof(unsigned) * n);
  for (int i = 0; i < n; i++) {
    v[i] = (REAL)(-60.0 + 10.0 * (i % 1000) / 1000.0);
    ge[i] = gi[i] = refr[i] = 0;
  }
  long total = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int k = 0; k < ticks; k++) {
    const int off = (k % slots) * n;
    int count = 0;
    for (int i = 0; i < n; i++) {
      const REAL e = ge[i] + ringE[off + i];
      const REAL g = gi[i] + ringI[off + i];
      ringE[off + i] = 0;
      ringI[off + i] = 0;
      ge[i] = e * decayE;
      gi[i] = g * decayI;
      const REAL ref = refr[i];
      if (ref > 0) { refr[i] = ref - 1; continue; }
      const REAL vn = u + (v[i] - u) * decayM + e * pE + g * pI;
      if (vn >= vTh) { v[i] = vReset; refr[i] = refTicks; spikes[count++] = (unsigned)i; }
      else v[i] = vn;
    }
    total += count;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  printf("%.6e %ld\n", (double)n * ticks / s, total);
  return 0;
}
