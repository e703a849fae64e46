"""Shared test set-up: a headless matplotlib and a fresh scope for every test."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest


@pytest.fixture(autouse=True)
def _fresh_scope():
    """Each test starts with an empty magic network, the default dt and no seed."""
    import spikeloom
    from spikeloom.core import _base

    spikeloom.start_scope()
    spikeloom.defaultclock.dt = 0.1 * spikeloom.ms
    _base._seed_state["seed"] = None
    yield
    spikeloom.set_device("numba")
