"""Where spikeloom keeps what it derives once per model, and how its files are checked.

``SPIKELOOM_CACHE_DIR``, else ``~/.cache/spikeloom/numba``: compiled loops there, stored
integrations in ``integrations/`` below it. Every file ends in :data:`SEAL` and the SHA-256
digest of what precedes it (:func:`seal`); :func:`unseal` returns the content only when the
digest matches. One definition for the layers that use it (the Numba backend, the
integrators), which must not import each other.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: what ends every sealed file: this marker, then the SHA-256 digest of everything before it
SEAL = b"\nspikeloom-sha256:"
_DIGEST_SIZE = 32


def configured_dir() -> Path:
    """``SPIKELOOM_CACHE_DIR`` if set, else ``~/.cache/spikeloom/numba``."""
    root = os.environ.get("SPIKELOOM_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "spikeloom" / "numba"


def seal(content: bytes) -> bytes:
    """``content`` followed by :data:`SEAL` and its SHA-256 digest."""
    return content + SEAL + hashlib.sha256(content).digest()


def unseal_bytes(data: bytes) -> bytes | None:
    """The content of sealed ``data``, or None if its digest does not match."""
    end = len(data) - len(SEAL) - _DIGEST_SIZE
    if end < 0 or data[end:end + len(SEAL)] != SEAL or \
            hashlib.sha256(data[:end]).digest() != data[-_DIGEST_SIZE:]:
        return None
    return data[:end]
