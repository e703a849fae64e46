"""Where spikeloom keeps what it derives once per model: ``SPIKELOOM_CACHE_DIR``, else
``~/.cache/spikeloom/numba`` (compiled loops there, stored integrations in
``integrations/`` below it). One definition for the layers that use it (the Numba backend,
the integrators), which must not import each other."""

from __future__ import annotations

import os
from pathlib import Path


def configured_dir() -> Path:
    """``SPIKELOOM_CACHE_DIR`` if set, else ``~/.cache/spikeloom/numba``."""
    root = os.environ.get("SPIKELOOM_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "spikeloom" / "numba"
