"""Brian2's CUBA example (examples/CUBA.py), timed, for purkinje's benchmark.

Runs with Debian's python3-brian (`apt-get install python3-brian`), cython target. A warm-up run of 100 ms compiles
and caches the code first, so the timed run excludes compilation. Prints one JSON line.
Usage: /usr/bin/python3 bench/brian2_cuba.py [duration_s]
"""
import json
import sys
import time

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs, ms, mV, second, seed,
                    start_scope)

prefs.codegen.target = "cython"
duration = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0


def build():
    start_scope()
    seed(1)
    defaultclock.dt = 0.1 * ms
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = NeuronGroup(4000, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms, method="exact")
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    we = (60 * 0.27 / 10) * mV
    wi = (-20 * 4.5 / 10) * mV
    Ce = Synapses(P[:3200], P, on_pre="ge += we")
    Ci = Synapses(P[3200:], P, on_pre="gi += wi")
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    s_mon = SpikeMonitor(P)
    net = Network(P, Ce, Ci, s_mon)
    return net, s_mon, len(Ce) + len(Ci), locals()


net, mon, nsyn, ns = build()
net.run(100 * ms, namespace=ns)  # warm-up: compile and cache
net, mon, nsyn, ns = build()
t0 = time.perf_counter()
net.run(duration * second, namespace=ns)
wall = time.perf_counter() - t0
print(json.dumps({
    "simulator": "brian2",
    "target": "cython",
    "duration_s": duration,
    "wall_s": wall,
    "spikes": int(mon.num_spikes),
    "rate_hz": mon.num_spikes / 4000 / duration,
    "synapses": int(nsyn),
}))
