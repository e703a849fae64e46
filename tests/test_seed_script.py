"""The forum seed script runs unchanged (apart from its import line) in spikeloom.

``examples/seed_memristor_stdp.py`` is the memristor-STDP script from the Brian2
forum thread in ``../shared/seeds/000_c167d71a0e1fe918.txt`` with
``from brian2 import *`` replaced by ``from spikeloom import *``.

Reference: Brian2 2.9.0, numpy target, data from
``tests/reference/make_brian2_reference.py`` (``tests/reference/data/seed_memristor_stdp.npz``:
``w`` = ``S.w[:]`` and ``spike_when_ms`` = ``G.spike_when[:]/ms`` after the run).
Acceptance: the weight changes match Brian2's to 1e-9.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "seed_memristor_stdp.py"
REFERENCE = REPO / "tests" / "reference" / "data" / "seed_memristor_stdp.npz"
SEED_FILE = REPO.parent / "shared" / "seeds" / "000_c167d71a0e1fe918.txt"
FENCE = "``````"


def _reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


@pytest.fixture
def seed_namespace(monkeypatch):
    """Execute the example script in a fresh namespace with a non-interactive backend."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns: dict = {"__name__": "__seed_memristor_stdp__", "__file__": str(EXAMPLE)}
    try:
        with warnings.catch_warnings():
            # plt.show() under Agg: "FigureCanvasAgg is non-interactive, and thus cannot be shown"
            warnings.filterwarnings("ignore", message=".*non-interactive.*", category=UserWarning)
            exec(compile(EXAMPLE.read_text(), str(EXAMPLE), "exec"), ns)
        yield ns
    finally:
        plt.close("all")


def test_seed_script_weights_match_brian2(seed_namespace):
    """S.w[:] after the seed script equals Brian2 2.9.0's (numpy target) to 1e-9."""
    ref = _reference()
    w = np.asarray(seed_namespace["S"].w[:], dtype=np.float64)
    assert w.shape == ref["w"].shape
    np.testing.assert_allclose(w, ref["w"], rtol=0, atol=1e-9)
    spike_when = np.asarray(
        seed_namespace["G"].spike_when[:] / seed_namespace["ms"], dtype=np.float64
    )
    np.testing.assert_allclose(spike_when, ref["spike_when_ms"], rtol=1e-12, atol=1e-12)


def test_example_first_line_is_spikeloom_import():
    text = EXAMPLE.read_text()
    assert text.split("\n", 1)[0] == "from spikeloom import *"


def test_example_differs_from_seed_only_in_import_line():
    """The example is byte-identical to the forum script except for its first line."""
    if not SEED_FILE.exists():
        pytest.skip(f"seed file {SEED_FILE} not available")
    parts = SEED_FILE.read_text().split(FENCE)
    assert len(parts) >= 3, "no fenced script in the seed file"
    seed_script = parts[1]  # the code starts right after the opening fence
    seed_first, _, seed_rest = seed_script.partition("\n")
    ex_first, _, ex_rest = EXAMPLE.read_text().partition("\n")
    assert seed_first == "from brian2 import *"
    assert ex_first == "from spikeloom import *"
    assert ex_rest == seed_rest
