"""The Brian2 script corpus: which scripts, how to shorten them, how to compare the runs.

Every script of ``scripts/`` (Brian2's examples) is run under Brian2 (``make_reference.py``,
output in ``reference/``) and under spikeloom with only its import lines changed
(``run_script.py``). :func:`compare` decides whether the two runs agree:

* deterministic scripts (no random numbers): every spike monitor's count agrees to 1 % (or
  one spike), every state monitor's final values to 1e-3 of the variable's range and, where
  both runs carry a downsampled trace (``run_script.py``; references made before traces
  existed have none), every traced value to 1e-3 of the variable's range over Brian2's trace;
* random scripts (``rand()``, ``xi``, Poisson inputs, random connectivity...) and the
  chaotic ones of :data:`CHAOTIC`: the statistics -- spike counts (also those behind a
  population rate) to 15 % plus 5 Poisson sigmas, the number of recorded elements likewise
  (random connectivity records a random number of synapses), the mean over recorded
  elements of each state variable to 10 % of its range (when at least 20 are recorded).

Only the documented overrides of :data:`OVERRIDES` (durations, one NumPy rename) change a
script, and they are applied to both runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
SCRIPTS = HERE / "scripts"
REFERENCE = HERE / "reference"

#: script -> literal (old, new) replacements applied to both runs, to keep runs short.
OVERRIDES: dict[str, list[tuple[str, str]]] = {
    # 4 s of a 2000-neuron network: over 10 minutes in Brian2's numpy target
    "frompapers/Brunel_Wang_2001.py": [("net.run(4 * second", "net.run(0.5 * second")],
    # 60 s of plasticity per point of the STDP curve
    "frompapers/Graupner_Brunel_2012.py": [("run(60 * second", "run(2 * second")],
    # 1200 runs of 500 ms on a process pool: Brian2 did not finish in 10 minutes
    "frompapers/Maass_Natschlaeger_Markram_2002.py": [("N_PAIRS = 200", "N_PAIRS = 10")],
    # 8 s of 4000 neurons and 3200 astrocytes: over 10 minutes in Brian2's numpy target
    "frompapers/Stimberg_et_al_2018/example_6_COBA_with_astro.py": [
        ("duration = 8*second", "duration = 1*second")],
    # 1000 Hodgkin-Huxley compartments for 10300 steps of 0.01 ms: 218 s in Brian2's numpy
    # target. The spike crosses the 10 cm axon in about 5 ms, so 10 ms of settling before
    # and 10 ms after the 3 ms injection keep the whole propagation
    "compartmental/hh_with_spikes.py": [
        ("run(50*ms, report='text')", "run(10*ms, report='text')")],
    # the same axon for 15300 steps with an LFP of 5 electrodes (over 5 minutes: the model
    # of hodgkin_huxley_1952.py took 22 ms a step): 10 ms before and after the injection
    "compartmental/lfp.py": [("run(50*ms, report='text')", "run(10*ms, report='text')"),
                             ("run(100*ms, report='text')", "run(10*ms, report='text')")],
    # NumPy 2.4 removed np.in1d (Brian2's environment has NumPy < 2.4); np.isin is its
    # successor and gives the same result
    "frompapers/Stimberg_et_al_2018/example_1_COBA.py": [("np.in1d(", "np.isin(")],
}

#: Scripts Brian2 itself cannot run here (a missing third-party package or library).
NOT_IN_CORPUS = {
    "advanced/modelfitting_sbi.py": "needs the sbi package",
    "advanced/opencv_movie.py": "needs OpenCV and a movie file",
    "frompapers/Diehl_Cook_2015.py": "needs the progressbar package and MNIST",
    "advanced/compare_GSL_to_conventional.py": "needs the GSL library (Brian2 fails too)",
    "multiprocessing/03_standalone_joblib.py": "needs the joblib package",
    "coupled_oscillators.py": "its matplotlib animation fails without a display (in Brian2 "
                              "too: 'x must be a sequence')",
    "advanced/float_32_64_benchmark.py": "a benchmark of many configurations: Brian2 did not "
                                         "finish it in 10 minutes",
}

#: Random scripts' state monitors are compared only over at least this many elements.
MIN_STATISTICS = 20

_RANDOM = re.compile(r"rand\(|randn\(|\bxi\b|xi_|Poisson|np\.random|numpy\.random|"
                     r"\bp\s*=|binomial|sample\(")


def scripts() -> list[str]:
    """Corpus scripts, relative to ``scripts/`` (helper modules and data excluded)."""
    names = []
    for path in sorted(SCRIPTS.rglob("*.py")):
        rel = path.relative_to(SCRIPTS).as_posix()
        if path.name in ("params.py", "plot_utils.py") or rel in NOT_IN_CORPUS:
            continue
        names.append(rel)
    return names


def reference_path(script: str) -> Path:
    return REFERENCE / (script.replace("/", "__") + ".json")


#: Deterministic scripts whose dynamics are chaotic: rounding differences (Brian2's C++
#: is compiled with -ffast-math) grow over the run, so they are compared as statistics.
CHAOTIC = {
    "frompapers/Stimberg_et_al_2018/example_5_astro_ring.py":
        "a chaotic calcium wave over 4000 s ('chaotic patterns', says the script)",
}


#: Monitors that random numbers make incomparable, per script, with the reason; the other
#: monitors of the script are compared as usual.
NOT_COMPARED = {
    "frompapers/Stimberg_et_al_2018/example_1_COBA.py": {
        "synapse_mon": "records the synapses of one neuron of a random network: every trace "
                       "follows that one neuron's spikes, so their mean is one random "
                       "trajectory, not a statistic",
    },
}


#: Random scripts whose spike counts vary between seeds far beyond Poisson noise (their
#: spikes are correlated): the relative part of the count tolerance, with the measurement.
SPREAD = {
    "frompapers/Brette_Guigon_2003.py": (0.3, "six spikeloom runs gave 15738 to 19868 spikes; "
                                              "Brian2's one run 17408"),
    "frompapers/Wang_2002.py": (0.3, "the losing population of this decision network fired "
                                     "2239, 2542 and 2843 spikes in three Brian2 runs, "
                                     "2542 to 2920 in four spikeloom runs"),
}


def is_random(script: str) -> bool:
    """Whether the script's results are statistics (random numbers or chaos)."""
    return script in CHAOTIC or bool(_RANDOM.search((SCRIPTS / script).read_text()))


def load_reference(script: str) -> dict | None:
    path = reference_path(script)
    return json.loads(path.read_text()) if path.exists() else None


def _range(*arrays) -> float:
    values = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays])
    values = values[np.isfinite(values)]
    return float(values.max() - values.min()) if values.size else 0.0


def _compare_spikes(name, ours, ref, random, spread=0.15) -> list[str]:
    a, b = ours["num_spikes"], ref["num_spikes"]
    agree = _similar_count(a, b, spread) if random else abs(a - b) <= max(1, 0.01 * b)
    if not agree:
        return [f"{name}: {a} spikes, Brian2 {b}"]
    return []


def _similar_count(a: int, b: int, spread: float = 0.15) -> bool:
    """Two counts of a random process agree (15 % -- or a script's measured spread -- plus
    5 Poisson sigmas)."""
    return abs(a - b) <= spread * b + 5 * np.sqrt(b) + 1


def _compare_states(name, ours, ref, random) -> list[str]:
    problems = []
    for var, expected in ref["variables"].items():
        got = ours["variables"].get(var)
        if got is None:
            problems.append(f"{name}.{var}: not recorded")
            continue
        key = "mean" if random else "final"
        a, b = np.asarray(got[key], float), np.asarray(expected[key], float)
        if a.shape != b.shape and not (random and _similar_count(a.size, b.size)):
            # random connectivity records a random number of synapses: only their count
            # (to Poisson precision) and their mean must agree
            problems.append(f"{name}.{var}: shape {a.shape}, Brian2 {b.shape}")
            continue
        if random and a.size < MIN_STATISTICS:
            continue  # a few random traces have no statistics to compare
        scale = _range(expected["final"], expected["mean"]) or float(np.abs(b).max()) or 1.0
        tolerance = (0.1 if random else 1e-3) * scale
        if random:  # statistics: the average over the recorded elements
            bad = abs(a.mean() - b.mean()) > tolerance
        else:
            bad = np.abs(a - b) > tolerance
        if np.any(bad):
            shown = abs(a.mean() - b.mean()) if random else np.abs(a - b).max()
            problems.append(f"{name}.{var}: {key} differs by up to {shown:.3g} (allowed "
                            f"{tolerance:.3g})")
        elif not random and "trace" in got and "trace" in expected:
            problems += _compare_trace(f"{name}.{var}", got["trace"], expected["trace"])
    return problems


def _compare_trace(name: str, ours: dict, ref: dict) -> list[str]:
    """Differences between two downsampled traces of a deterministic run: the same recorded
    times and elements, and every value within 1e-3 of the range of Brian2's trace."""
    for key in ("times", "elements"):
        if ours[key] != ref[key]:
            return [f"{name}: trace at other {key} than Brian2's (another number of "
                    f"recorded {key})"]
    a, b = np.asarray(ours["values"], float), np.asarray(ref["values"], float)
    scale = _range(b) or float(np.abs(b).max(initial=0.0)) or 1.0
    tolerance = 1e-3 * scale
    error = np.abs(a - b)
    error[np.isnan(error)] = np.inf  # a NaN in either trace fails
    if np.any(error > tolerance):
        worst = np.unravel_index(np.argmax(error), error.shape)
        return [f"{name}: trace of recorded element {ref['elements'][worst[0]]} differs by "
                f"{error[worst]:.3g} at recorded time {ref['times'][worst[1]]} (allowed "
                f"{tolerance:.3g})"]
    return []


def _compare_rate(name, ours, ref, random, spread=0.15) -> list[str]:
    a, b = ours["mean_rate"], ref["mean_rate"]
    if random and "n_spikes" in ref and "n_spikes" in ours:
        if _similar_count(ours["n_spikes"], ref["n_spikes"], spread):
            return []
        return [f"{name}: {ours['n_spikes']} spikes (mean rate {a:.4g} Hz), Brian2 "
                f"{ref['n_spikes']} ({b:.4g} Hz)"]
    if abs(a - b) > (0.15 if random else 0.01) * abs(b) + 1e-9:
        return [f"{name}: mean rate {a:.4g} Hz, Brian2 {b:.4g} Hz"]
    return []


def compare(ours: dict, ref: dict, random: bool, skip=(), spread: float = 0.15) -> list[str]:
    """Differences between a spikeloom run and Brian2's (empty when they agree); monitors
    named in ``skip`` are not compared; ``spread`` is the relative tolerance of random
    counts."""
    if ours.get("status") != "ok":
        return [f"spikeloom: {ours.get('error', ours.get('status'))}"]
    problems = []
    for name, expected in ref.get("monitors", {}).items():
        if name in skip:
            continue
        got = ours["monitors"].get(name)
        if got is None or got.get("kind") != expected.get("kind"):
            problems.append(f"{name}: monitor missing or of another kind")
            continue
        kind = expected["kind"]
        if kind == "states":
            problems += _compare_states(name, got, expected, random)
        elif kind in ("spikes", "rate"):
            check = _compare_spikes if kind == "spikes" else _compare_rate
            problems += check(name, got, expected, random, spread)
    return problems
