"""The Numba backend: renders a plan into one compiled loop (see ``_render.py``, ``_run.py``).

Importing it initialises Numba (its import and the first dispatch of a cached function cost
about 0.5 s once per process), so that ``run()`` pays only for its own model.
"""

from ._support import _clip


def _prime() -> None:
    _clip(1.0, 0.0, 2.0)


_prime()
