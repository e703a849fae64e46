"""The Numba backend: renders a plan into one compiled loop (see ``_render.py``, ``_run.py``).

Importing it initialises Numba (its import and the first dispatch of a cached function cost
about 0.5 s once per process) and imports the renderer and runner, and the helper modules
every generated loop imports, so that ``run()`` pays only for its own model.
"""

from . import _rng, _vecmath  # imported by every generated loop module
from ._run import execute as _execute
from ._support import _clip


def _prime() -> None:
    _clip(1.0, 0.0, 2.0)


_prime()


class NumbaBackend:
    """The default backend: one Numba-compiled loop on the CPU (:class:`Backend`).

    Takes no options; ``run_batch`` runs its trials one after the other.
    """

    name = "numba"
    batched = False

    def make_options(self, **options) -> None:
        """None: the Numba backend takes no options (``set_device('numba')``)."""
        if options:
            raise TypeError(f"set_device('numba'): unexpected options {sorted(options)}; the "
                            "Numba backend takes none")
        return None

    def execute(self, plan, arrays, scalars, step0, n_steps, seed, *, progress=None,
                progress_delay=0.0, options=None, stop=None):
        """:meth:`spikeloom.backends.Backend.execute` (``options`` must be None)."""
        return _execute(plan, arrays, scalars, step0, n_steps, seed, progress=progress,
                        progress_delay=progress_delay, stop=stop)

    def execute_batch(self, *args, **kwargs):
        """Not batched: ``run_batch`` calls :meth:`execute` once per trial."""
        raise NotImplementedError("the Numba backend runs the trials of a batch one by one "
                                  "(batched = False)")


BACKEND = NumbaBackend()
