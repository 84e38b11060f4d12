"""Brian2's CUBA example (examples/CUBA.py) as a cpp_standalone binary, timed, for purkinje's benchmark.

The same network as bench/brian2_cuba.py, built into a C++ project with Debian's python3-brian and g++ (the first
run compiles it, about 20 s, and is not timed). The binary is then run again `repeats` times; for each run the script
records the simulation time Brian2's binary measures itself (`net.run`, results/last_run_info.txt) and the whole
binary's wall time (its synapse creation and result files included). Prints one JSON line with the best of each.
Usage: /usr/bin/python3 bench/brian2_cuba_standalone.py [duration_s] [repeats]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from brian2 import (NeuronGroup, Synapses, SpikeMonitor, defaultclock, device, ms, mV, run, second, seed,
                    set_device)

duration = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
directory = tempfile.mkdtemp(prefix="brian2-cuba-")
set_device("cpp_standalone", directory=directory)
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
run(duration * second)  # builds, compiles and runs once (not timed)
spikes = int(s_mon.num_spikes)
nsyn = len(Ce) + len(Ci)

sim_times, wall_times = [], []
for _ in range(repeats):
    t0 = time.perf_counter()
    subprocess.run(["./main"], cwd=directory, check=True, stdout=subprocess.DEVNULL)
    wall_times.append(time.perf_counter() - t0)
    with open(os.path.join(directory, "results", "last_run_info.txt")) as f:
        sim_times.append(float(f.read().split()[0]))

shutil.rmtree(directory, ignore_errors=True)
print(json.dumps({
    "simulator": "brian2",
    "target": "cpp_standalone",
    "duration_s": duration,
    "sim_s": min(sim_times),
    "sim_s_all": sim_times,
    "binary_wall_s": min(wall_times),
    "binary_wall_s_all": wall_times,
    "spikes": spikes,
    "rate_hz": spikes / 4000 / duration,
    "synapses": int(nsyn),
}))
