"""Set-up shared by the core tests."""

import pytest


@pytest.fixture(params=["numba", "jax"])
def backend(request):
    """The name of each backend (JAX skipped where it is not installed); the test selects it
    itself, in its own process or with ``set_device``."""
    if request.param == "jax":
        pytest.importorskip("jax")
    return request.param
