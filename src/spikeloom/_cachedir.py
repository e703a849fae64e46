"""Where spikeloom keeps what it derives once per model, and how its files are checked.

``SPIKELOOM_CACHE_DIR``, else ``~/.cache/spikeloom/numba``: compiled loops there, stored
integrations in ``integrations/`` and the index of rendered loops in ``plans/`` below it.
Every file ends in :data:`SEAL` and the SHA-256 digest of what precedes it (:func:`seal`);
:func:`unseal` returns the content only when the digest matches. One definition for the
layers that use it (the Numba backend, the integrators), which must not import each other.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
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


def read_sealed(path: Path) -> bytes | None:
    """The content of the sealed file ``path``, or None (absent, unreadable, damaged)."""
    try:
        return unseal_bytes(path.read_bytes())
    except OSError:
        return None


def write_sealed(path: Path, content: bytes) -> None:
    """Write ``content``, sealed, to ``path``: to a temporary file in its directory, then
    renamed over it, so that a reader sees a whole old file or a whole new one.

    Raises
    ------
    OSError
        When the directory cannot be created or written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, seal(content), prefix=".tmp-", suffix=path.suffix)


def replace_atomically(path: Path, data: bytes, prefix: str, suffix: str) -> None:
    """Make ``path`` hold ``data``: written to a temporary file ``<prefix>*<suffix>`` in the
    same directory, then renamed over ``path``; a process killed meanwhile leaves only its
    temporary file, never half a file. Raises OSError (the temporary file removed)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def source_stamp(*directories: Path) -> bytes:
    """A SHA-256 digest of the name, size and modification time (ns) of every ``.py`` file
    in ``directories``: it changes whenever one of those sources is edited, added or
    removed, and costs a directory listing, not a read of each file."""
    digest = hashlib.sha256()
    for directory in directories:
        try:
            with os.scandir(directory) as listing:
                entries = sorted((e.name, e.stat()) for e in listing if e.name.endswith(".py"))
        except OSError:  # a zipped install: the versions the callers add must do
            digest.update(f"{directory}: not listed".encode())
            continue
        for name, stat in entries:
            digest.update(f"{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.digest()
