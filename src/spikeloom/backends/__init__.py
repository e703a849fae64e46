"""Backends: where a run's plan executes. The core talks to them through this module only.

A backend is one package under ``spikeloom.backends`` whose ``__init__`` binds ``BACKEND``,
an object with the members of :class:`Backend`; :func:`get_backend` imports it on first
use. The core hands a backend a :class:`spikeloom.ir.Plan` (what to compute, in the
backend-neutral form of ``spikeloom.ir``), the state arrays and scalars it refers to (read
and written in place), the first step and the number of steps; the backend renders the plan
into its own code, compiles it, runs it and hands back the arrays it reallocated and a
status (:mod:`spikeloom.backends.status`). Adding a backend is one package and one line in
:data:`BACKENDS` (docs/architecture.md, "Adding a backend").
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

import numpy as np

from ._interrupt import StopRequest
from .status import STATUS_INTERRUPTED, STATUS_NAN, STATUS_OK, STATUS_OVERFLOW

#: backend name -> the package that binds ``BACKEND``
BACKENDS: dict[str, str] = {
    "numba": "spikeloom.backends.numba",
    "jax": "spikeloom.backends.jax",
}


class Backend(Protocol):
    """What the core asks of a backend.

    Attributes
    ----------
    name : str
        The name ``set_device`` selects it by.
    batched : bool
        Whether :meth:`execute_batch` runs several trials as one program (otherwise
        ``run_batch`` runs the trials one after the other through :meth:`execute`).
    """

    name: str
    batched: bool

    def make_options(self, **options) -> Any:
        """The backend's run options from ``set_device(name, **options)`` (checked)."""

    def execute(self, plan, arrays: dict[str, np.ndarray], scalars: dict[str, float],
                step0: int, n_steps: int, seed: int, *, progress: str | None = None,
                progress_delay: float = 0.0, options: Any = None,
                stop: StopRequest | None = None
                ) -> tuple[dict[str, np.ndarray], np.ndarray, float]:
        """Run steps ``step0`` .. ``step0 + n_steps - 1`` of ``plan``.

        Returns
        -------
        returned : dict of str to ndarray
            The arrays the run reallocated (grown monitor buffers, queues); the others were
            written in place.
        status : ndarray of int64, shape (4,)
            ``[code, step, which, element]``, codes of :mod:`spikeloom.backends.status`.
        compile_time : float
            Seconds spent rendering and compiling (or loading from a cache), in s.
        """

    def execute_batch(self, plan, arrays: list[dict], scalars: list[dict], step0: int,
                      n_steps: int, seeds: list[int], *, progress: str | None = None,
                      progress_delay: float = 0.0, options: Any = None,
                      stop: StopRequest | None = None
                      ) -> tuple[list[dict], np.ndarray, float]:
        """Run B trials of plans of the same structure as one program (``batched``).

        Returns per-trial reallocated arrays, ``status`` of shape (B, 4) and the compile
        time (s).
        """


def get_backend(name: str) -> Backend:
    """The backend called ``name`` (its package is imported on first use).

    Parameters
    ----------
    name : str
        One of :data:`BACKENDS`.

    Returns
    -------
    Backend

    Raises
    ------
    ValueError
        For a name not in :data:`BACKENDS`.
    ImportError
        When the backend's own libraries are missing (JAX for 'jax').
    """
    if name not in BACKENDS:
        raise ValueError(f"get_backend: unknown backend {name!r}; available: "
                         f"{', '.join(map(repr, BACKENDS))}")
    return importlib.import_module(BACKENDS[name]).BACKEND


__all__ = ["BACKENDS", "STATUS_INTERRUPTED", "STATUS_NAN", "STATUS_OK", "STATUS_OVERFLOW",
           "Backend", "StopRequest", "get_backend"]
