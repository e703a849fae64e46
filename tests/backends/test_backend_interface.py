"""The core reaches the backends through ``spikeloom.backends`` only (issue: a backend
interface): no private backend module or name is imported by ``core/``, and a backend that
is only registered in ``BACKENDS`` runs the core's networks.
"""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import spikeloom
from spikeloom import Network, NeuronGroup, StateMonitor, ms, set_device
from spikeloom.backends import BACKENDS, STATUS_NAN, get_backend
from spikeloom.core._device import device, reset_device

CORE = Path(spikeloom.__file__).parent / "core"


def _backend_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every import in ``path`` (module level or inside functions) that
    reaches into spikeloom.backends, relative imports resolved."""
    package = ["spikeloom", "core"]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + (node.module.split(".") if node.module else []))
            found += [(module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return [(m, n) for m, n in found if m.startswith("spikeloom.backends")]


def test_core_imports_no_private_backend_module_or_name():
    """Every import of the backends from core/ names a public module and public names (a
    ``from ..backends.numba import _run`` or ``from ..backends._interrupt import ...``
    fails here, with the file)."""
    files = sorted(CORE.glob("*.py"))
    assert len(files) > 10
    seen = 0
    for path in files:
        for module, name in _backend_imports(path):
            seen += 1
            parts = module.split(".") + ([name] if name else [])
            private = [p for p in parts if p.startswith("_")]
            assert not private, f"{path.name} imports {module}.{name}: private {private}"
    assert seen >= 2  # the walk does find the core's imports of the interface


def test_backends_share_one_table_of_status_codes():
    """The renderers write the codes the core reads: the NaN check of both backends reports
    STATUS_NAN (a backend that kept its own numbering would break the core's message)."""
    import spikeloom.backends.numba._render as numba_render

    assert numba_render.STATUS_NAN == STATUS_NAN == 1
    jax = pytest.importorskip("jax")
    del jax
    import spikeloom.backends.jax._render as jax_render

    assert jax_render.STATUS_NAN == STATUS_NAN


class _Recording:
    """A backend that runs through Numba's and records what the core asked of it."""

    name, batched = "recording", False

    def __init__(self):
        self.calls = []

    def make_options(self, **options):
        return dict(options)

    def execute(self, plan, arrays, scalars, step0, n_steps, seed, **kwargs):
        self.calls.append((step0, n_steps, kwargs["options"]))
        return get_backend("numba").execute(plan, arrays, scalars, step0, n_steps, seed,
                                            **kwargs)

    def execute_batch(self, *args, **kwargs):
        raise NotImplementedError


@pytest.fixture
def recording_backend(monkeypatch):
    module = types.ModuleType("spikeloom_test_recording_backend")
    module.BACKEND = _Recording()
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(BACKENDS, "recording", module.__name__)
    yield module.BACKEND
    reset_device()


def test_a_registered_backend_runs_the_core_networks(recording_backend):
    """One line in BACKENDS makes a backend selectable; the core hands it each run's steps
    and options, and its results come back: v = exp(-t/tau) at 1 ms and 3 ms (the exact
    integrator), the steps (0, 10) then (10, 20) at dt = 0.1 ms."""
    set_device("recording", level=3)
    assert device.name == "recording" and device.options == {"level": 3}
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", method="exact")
    G.v = 1
    M = StateMonitor(G, "v", record=0)
    net = Network(G, M)
    net.run(1 * ms)
    net.run(2 * ms)
    assert recording_backend.calls == [(0, 10, {"level": 3}), (10, 20, {"level": 3})]
    np.testing.assert_allclose(G.v[0], np.exp(-0.3), rtol=1e-12)
    np.testing.assert_allclose(M.v[0], np.exp(-np.arange(30) * 0.01), rtol=1e-12)


def test_unknown_backend_and_device_names_raise():
    with pytest.raises(ValueError, match="get_backend: unknown backend 'cuda'"):
        get_backend("cuda")
    with pytest.raises(ValueError, match="set_device: unknown device 'cuda'"):
        set_device("cuda")
    with pytest.raises(TypeError, match=r"set_device\('numba'\): unexpected options"):
        set_device("numba", unroll=4)
    reset_device()
