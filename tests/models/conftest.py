"""Set-up shared by the model-library tests."""

import pytest

import spikeloom


@pytest.fixture(params=["numba", "jax"])
def backend(request):
    """Run the test on each backend (JAX on its CPU device here)."""
    if request.param == "jax":
        pytest.importorskip("jax")
    spikeloom.set_device(request.param)
    yield request.param
    spikeloom.set_device("numba")
