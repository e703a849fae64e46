"""Integrated systems kept on disk, so that a new process does not derive them again.

Symbolic integration is the slowest part of preparing a run: a Hodgkin-Huxley neuron's
exponential-Euler update takes about 0.5 s of sympy, paid again by every script that runs
the model. :func:`load` and :func:`save` keep ``(method name, statements)`` per system in
``<cache>/integrations/`` (``<cache>`` is ``SPIKELOOM_CACHE_DIR``, default
``~/.cache/spikeloom/numba``, the compiled loops' directory).

The file name is a SHA-256 of the system's full structure (``sympy.srepr``: names,
assumptions, numbers) and of everything the result depends on: the source of this package
(so a change to an integrator never reuses an old result), sympy's and Python's versions.
A file holds that structure beside the result, is read only when the two match, and ends in
a checksum of its content: a truncated or damaged file, or one that cannot be read or
unpickled, counts as absent and is overwritten. Files are written under a temporary name and
renamed, so a reader sees a whole file or none. Nothing here raises: without a writable
directory the integration is simply not stored.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import platform
import tempfile
from pathlib import Path

import sympy

from .._cachedir import configured_dir, seal, unseal_bytes


def directory() -> Path:
    """Where integrated systems are kept: ``<SPIKELOOM_CACHE_DIR>/integrations``."""
    return configured_dir() / "integrations"


@functools.cache
def _fingerprint() -> bytes:
    """The sources of ``spikeloom.integrators`` and the versions results depend on."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + path.read_bytes())
    digest.update(f"sympy {sympy.__version__} python {platform.python_version()}".encode())
    return digest.digest()


def describe(key: tuple) -> str | None:
    """The full structure of an integration key (see ``integrators._cache_key``) as text,
    or None when it names a method object (only method names are stored)."""
    methods, variables, drift, diffusion, dt, t = key
    names = methods if isinstance(methods, tuple) else (methods,)
    if not all(name is None or isinstance(name, str) for name in names):
        return None
    parts = [repr(methods), repr(variables), sympy.srepr(dt), sympy.srepr(t)]
    parts += [f"{var}:{sympy.srepr(expr)}" for var, expr in drift]
    parts += [f"{var}:{noise}:{sympy.srepr(g)}" for var, terms in diffusion
              for noise, g in terms]
    return "\n".join(parts)


def _path(text: str) -> Path:
    return directory() / f"{hashlib.sha256(_fingerprint() + text.encode()).hexdigest()[:32]}.pkl"


def load(text: str):
    """The stored ``(method name, statements)`` of the system described by ``text``, or
    None (absent, damaged, stored for another system)."""
    try:
        content = unseal_bytes(_path(text).read_bytes())
        if content is None:
            return None
        stored_text, result = pickle.loads(content)
    except Exception:  # any unreadable file counts as absent
        return None
    return result if stored_text == text else None


def save(text: str, result) -> None:
    """Keep ``result`` for the system described by ``text`` (silently not, if the
    directory cannot be written or the result cannot be pickled)."""
    try:
        content = pickle.dumps((text, result), protocol=pickle.HIGHEST_PROTOCOL)
        path = _path(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(seal(content))
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except Exception:  # storing is an optimisation: a run never fails on it
        return
