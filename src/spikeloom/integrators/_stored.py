"""Integrated systems kept on disk, so that a new process does not derive them again.

Symbolic integration is the slowest part of preparing a run: a Hodgkin-Huxley neuron's
exponential-Euler update takes about 0.5 s of sympy, paid again by every script that runs
the model. :func:`load` and :func:`save` keep ``(method name, statements)`` per system in
``<cache>/integrations/`` (``<cache>`` is ``SPIKELOOM_CACHE_DIR``, default
``~/.cache/spikeloom/numba``, the compiled loops' directory).

The file name is a SHA-256 of the system's full structure (:func:`structure`: names,
assumptions, numbers) and of everything the result depends on: the sources of this package
(names, sizes and modification times, so a change to an integrator never reuses an old
result), sympy's and Python's versions.
A file holds that structure beside the result, is read only when the two match, and ends in
a checksum of its content: a truncated or damaged file, or one that cannot be read or
unpickled, counts as absent and is overwritten. Files are written under a temporary name and
renamed, so a reader sees a whole file or none. Nothing here raises: without a writable
directory the integration is simply not stored.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import platform
from pathlib import Path

import sympy
from sympy.core.function import AppliedUndef

from .._cachedir import configured_dir, read_sealed, source_stamp, write_sealed


def directory() -> Path:
    """Where integrated systems are kept: ``<SPIKELOOM_CACHE_DIR>/integrations``."""
    return configured_dir() / "integrations"


@functools.cache
def _fingerprint() -> bytes:
    """The sources of ``spikeloom.integrators`` (names, sizes, modification times) and the
    versions results depend on."""
    versions = f"sympy {sympy.__version__} python {platform.python_version()}".encode()
    return source_stamp(Path(__file__).parent) + versions


def describe(key: tuple) -> str | None:
    """The full structure of an integration key (see ``integrators._cache_key``) as text,
    or None when it names a method object (only method names are stored)."""
    methods, variables, drift, diffusion, dt, t = key
    names = methods if isinstance(methods, tuple) else (methods,)
    if not all(name is None or isinstance(name, str) for name in names):
        return None
    parts = [repr(methods), repr(variables), structure(dt), structure(t)]
    parts += [f"{var}:{structure(expr)}" for var, expr in drift]
    parts += [f"{var}:{noise}:{structure(g)}" for var, terms in diffusion
              for noise, g in terms]
    return "\n".join(parts)


def structure(value) -> str:
    """Text that tells apart any two sympy expressions that are not equal.

    What sympy compares (``==``): each node's class name and its hashable content (the
    arguments; a symbol's name and assumptions; a number's digits and precision), and an
    undefined function's assumptions (which ``sympy.srepr`` leaves out). About twenty times
    faster than ``srepr``, which took a tenth of a small network's preparation in a new
    process.
    """
    if isinstance(value, sympy.Basic):
        name = type(value).__name__
        if isinstance(value, AppliedUndef):
            name += repr(sorted(getattr(type(value), "_kwargs", {}).items()))
        return f"{name}({','.join(map(structure, value._hashable_content()))})"
    if isinstance(value, tuple | list):
        return f"({','.join(map(structure, value))})"
    return repr(value)


def _path(text: str) -> Path:
    return directory() / f"{hashlib.sha256(_fingerprint() + text.encode()).hexdigest()[:32]}.pkl"


def load(text: str):
    """The stored ``(method name, statements)`` of the system described by ``text``, or
    None (absent, damaged, stored for another system)."""
    content = read_sealed(_path(text))
    if content is None:
        return None
    try:
        stored_text, result = pickle.loads(content)
    except Exception:  # any unreadable file counts as absent
        return None
    return result if stored_text == text else None


def save(text: str, result) -> None:
    """Keep ``result`` for the system described by ``text`` (silently not, if the
    directory cannot be written or the result cannot be pickled)."""
    try:
        write_sealed(_path(text), pickle.dumps((text, result), protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # storing is an optimisation: a run never fails on it
        return
