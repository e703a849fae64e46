"""Acceptance: the COBA benchmark from the model library equals the equation-string version.

``examples/coba_library.py`` builds ``LifRef + Expon + COBA + FixedProb(0.02)`` and
``spikeloom.demo.build_coba`` after the same ``seed``: the test checks that both get the same
synapses and initial potentials (so they are the same network, not just the same statistics),
that the spike trains are identical (round-off in the differently ordered arithmetic may
only make them part after a long chaotic amplification: required identical for at least
200 ms), and that the mean rates agree within 1 %.
"""

from __future__ import annotations

import gc
import importlib.util
import sys
from pathlib import Path

import pytest

import spikeloom as sl

ROOT = Path(__file__).resolve().parents[2]


def _example():
    spec = importlib.util.spec_from_file_location("example_coba_library",
                                                  ROOT / "examples" / "coba_library.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed_value", [2026, 7])
def test_coba_library_equals_equation_strings(seed_value):
    sl.start_scope()
    gc.collect()  # frees the names of the previous parametrisation's objects
    result = _example().compare(n_neurons=4000, duration_ms=1000.0, seed_value=seed_value)
    assert result["synapses"] > 300_000
    assert result["same_synapses"], result
    assert result["same_initial_V"], result
    assert result["identical_until_ms"] >= 200.0, result
    assert result["rate_library_hz"] == pytest.approx(result["rate_strings_hz"], rel=0.01)
    assert 5 < result["rate_strings_hz"] < 60, result
