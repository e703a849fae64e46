"""Checkpoint files: a network's complete state as plain arrays plus a JSON header.

Used by ``Network.run(..., checkpoint_every=, checkpoint_path=)``,
``Network.load_checkpoint`` and ``Network.store/restore(filename=...)``. The format is
documented in ``docs/reliability.md``; in short, an uncompressed ``.npz`` archive (a zip of
``.npy`` files) holding

* ``__header__``: the UTF-8 bytes of a JSON document (as a ``uint8`` array): format name
  and version, spikeloom's version, one entry per stored state (time, step, dt, seed, the
  objects with their variables' dtypes and shapes, and the state tree), the list of arrays
  with dtype and shape, and a SHA-256 checksum;
* one member per array of the state, named by its path (``default/neurongroup/__variables__/v``).

Loading never executes anything from the file: arrays are read with
``allow_pickle=False``, the header is JSON, and the state tree holds only numbers, strings,
lists, tuples, dicts, arrays and unit-carrying arrays (``Quantity``). Files are written to
a temporary file in the same directory, flushed and fsynced, then renamed over the old
one, so a crash while writing leaves the previous file intact.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..exceptions import CheckpointError
from ..units import Quantity
from ..units._dimensions import Dimension

FORMAT = "spikeloom-checkpoint"
#: version of the layout below; a reader refuses files with a larger one
VERSION = 1
HEADER = "__header__"
#: array attributes of monitors that hold one row per record; saved up to the fill mark
#: only (the rest is room reserved for the run in progress)
ROW_BUFFERS = ("_i", "_steps", "_times", "_rate", "_columns")


# -- writing ---------------------------------------------------------------------------------

def save(path, snapshots: dict[str, dict], extra: dict[str, dict]) -> None:
    """Write ``snapshots`` (state name → ``Network._snapshot()``) atomically to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to (over)write; its directory must exist.
    snapshots : dict
        State name → snapshot (the network's fields and one state dict per object).
    extra : dict
        State name → header fields stored beside its tree (time, structure...).
    """
    arrays: dict[str, np.ndarray] = {}
    entries = {}
    for name, snapshot in snapshots.items():
        entries[name] = dict(extra[name], state=_encode(_trimmed(snapshot), (name,), arrays))
    header = {"format": FORMAT, "format_version": VERSION,
              "spikeloom_version": _version(), "snapshots": entries,
              "arrays": {k: {"dtype": a.dtype.str, "shape": list(a.shape)}
                         for k, a in sorted(arrays.items())}}
    header["checksum"] = {"algorithm": "sha256", "hex": _checksum(header, arrays)}
    _write_atomically(Path(os.fspath(path)), header, arrays)


def _version() -> str:
    from .. import __version__

    return __version__


def _trimmed(snapshot: dict) -> dict:
    """The snapshot with monitors' row buffers cut at their fill mark (views, no copy)."""
    out = {}
    for key, state in snapshot.items():
        if isinstance(state, dict) and "_fill" in state:
            fill = int(np.asarray(state["_fill"])[0])
            state = dict(state)
            for name in ROW_BUFFERS:
                value = state.get(name)
                if isinstance(value, np.ndarray):
                    state[name] = value[:fill]
                elif isinstance(value, dict):
                    state[name] = {k: v[:fill] for k, v in value.items()}
        out[key] = state
    return out


def _encode(value, path: tuple, arrays: dict):
    """A JSON-able tree for ``value``; its arrays go to ``arrays`` under path-like keys."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int) and not isinstance(value, np.integer):
        return value
    if isinstance(value, float) and not isinstance(value, np.floating):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, np.generic):
        if value.dtype.hasobject:
            raise TypeError(f"checkpoint: {'/'.join(map(str, path))} is a NumPy object "
                            "scalar; only numbers, strings, arrays and containers are saved")
        return {"scalar": value.dtype.str, "value": _encode(value.item(), path, arrays)}
    if isinstance(value, np.ndarray):
        key = _array_key(path, arrays)
        arrays[key] = _contiguous(np.asarray(value))
        if isinstance(value, Quantity):
            return {"array": key, "dim": list(value.dim.dims)}
        return {"array": key}
    if isinstance(value, list | tuple):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(v, path + (k,), arrays) for k, v in enumerate(value)]}
    if isinstance(value, dict):
        return {"dict": [[_encode(k, path, arrays), _encode(v, path + (k,), arrays)]
                         for k, v in value.items()]}
    raise TypeError(f"checkpoint: {'/'.join(map(str, path))} holds a {type(value).__name__}; "
                    "only numbers, strings, arrays and containers of them are saved")


def _contiguous(array: np.ndarray) -> np.ndarray:
    """C-ordered (``np.ascontiguousarray`` would turn a 0-d array into a 1-d one)."""
    return array if array.flags.c_contiguous else array.copy(order="C")


def _array_key(path: tuple, arrays: dict) -> str:
    base = "/".join(str(p) for p in path) or "array"
    key, n = base, 1
    while key in arrays or key == HEADER:
        key, n = f"{base}~{n}", n + 1
    return key


def _checksum(header: dict, arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of the header without its checksum (canonical JSON) and of every array's
    key and bytes, in key order."""
    digest = hashlib.sha256()
    body = {k: v for k, v in header.items() if k != "checksum"}
    digest.update(json.dumps(body, sort_keys=True, separators=(",", ":"),
                             allow_nan=False).encode())
    for key in sorted(arrays):
        digest.update(key.encode() + b"\0")
        digest.update(memoryview(_contiguous(arrays[key])).cast("B"))
    return digest.hexdigest()


def _write_atomically(path: Path, header: dict, arrays: dict[str, np.ndarray]) -> None:
    """Temporary file in the same directory, flush + fsync, rename over ``path``."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, header, arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _write_npz(f, header: dict, arrays: dict[str, np.ndarray]) -> None:
    """An ``.npz`` as ``numpy.savez`` writes it (stored, not compressed: a checkpoint is
    written often and must not slow the run), with pickling refused."""
    text = json.dumps(header, sort_keys=True, indent=1, allow_nan=False).encode()
    members = [(HEADER, np.frombuffer(text, np.uint8))] + sorted(arrays.items())
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, value in members:
            with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, value, allow_pickle=False)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX; elsewhere a no-op)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- reading ---------------------------------------------------------------------------------

def load(path) -> dict[str, dict]:
    """The stored states of the file at ``path``: name → header entry with ``state``
    decoded. Raises :class:`CheckpointError` for anything but an intact spikeloom file."""
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {str(path)!r}: no such file")
    header, arrays = _read(path)
    out = {}
    for name, entry in header["snapshots"].items():
        try:
            state = _decode(entry["state"], arrays)
        except (KeyError, TypeError, ValueError, RecursionError) as exc:
            raise CheckpointError(f"checkpoint {str(path)!r}: state {name!r} is malformed "
                                  f"({exc})") from None
        out[name] = dict(entry, state=state)
    return out


def _read(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    where = f"checkpoint {str(path)!r}"
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as exc:  # pickle, truncated zip, random bytes: all refused alike
        raise CheckpointError(f"{where}: not a readable spikeloom checkpoint (an .npz of "
                              f"plain arrays); the file is truncated, corrupted or of "
                              f"another kind ({type(exc).__name__}: {exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise CheckpointError(f"{where}: a single .npy array, not a spikeloom checkpoint "
                              "(.npz archive)")
    with archive:
        if HEADER not in archive.files:
            raise CheckpointError(f"{where}: no {HEADER!r} member; not a spikeloom "
                                  "checkpoint")
        header = _header(_member(archive, HEADER, where), where)
        listed = header["arrays"]
        unknown = sorted(set(archive.files) - set(listed) - {HEADER})
        if unknown:
            raise CheckpointError(f"{where}: members {unknown[:5]} are not listed in the "
                                  "header; the file was modified")
        arrays = {key: _member(archive, key, where) for key in listed}
    for key, meta in listed.items():
        if arrays[key].dtype.str != meta["dtype"] or list(arrays[key].shape) != meta["shape"]:
            raise CheckpointError(f"{where}: array {key!r} is {arrays[key].dtype.str} "
                                  f"{list(arrays[key].shape)}, the header says "
                                  f"{meta['dtype']} {meta['shape']}; the file was modified")
    expected = header["checksum"]
    if expected.get("algorithm") != "sha256" or expected.get("hex") != _checksum(header,
                                                                                 arrays):
        raise CheckpointError(f"{where}: checksum mismatch (SHA-256 of the header and "
                              "arrays); the file is corrupted or was modified. Use an older "
                              "checkpoint or rerun")
    return header, arrays


def _member(archive, key: str, where: str) -> np.ndarray:
    try:
        value = archive[key]
    except Exception as exc:  # object arrays (pickles), CRC errors, cut members
        raise CheckpointError(f"{where}: member {key!r} cannot be read safely "
                              f"({type(exc).__name__}: {exc}); checkpoints hold plain arrays "
                              "only and are never unpickled") from None
    if not isinstance(value, np.ndarray) or value.dtype.hasobject:
        raise CheckpointError(f"{where}: member {key!r} is not a plain NumPy array; refused")
    return value


def _header(raw: np.ndarray, where: str) -> dict:
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CheckpointError(f"{where}: header is not valid JSON ({exc}); the file is "
                              "corrupted") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"{where}: format {_get(header, 'format')!r}, expected "
                              f"{FORMAT!r}")
    version = header.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= VERSION:
        raise CheckpointError(f"{where}: format version {version!r}; this spikeloom "
                              f"({_version()}) reads versions 1 to {VERSION}")
    for field, kind in (("snapshots", dict), ("arrays", dict), ("checksum", dict)):
        if not isinstance(header.get(field), kind):
            raise CheckpointError(f"{where}: header field {field!r} missing or malformed")
    return header


def _get(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


def _decode(node, arrays: dict[str, np.ndarray]):
    """Inverse of :func:`_encode`: builds only numbers, strings, containers and arrays."""
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, dict) and len(node) >= 1:
        if "array" in node:
            value = arrays[node["array"]]
            if "dim" in node:
                return Quantity(value, dim=Dimension(float(d) for d in node["dim"]))
            return value
        if "float" in node:
            return float(node["float"])  # 'nan', 'inf', '-inf' only (float() parses)
        if "scalar" in node:
            dtype = np.dtype(node["scalar"])
            if dtype.hasobject:
                raise ValueError(f"object scalar {node['scalar']!r} refused")
            return dtype.type(_decode(node["value"], arrays))
        if "list" in node:
            return [_decode(v, arrays) for v in node["list"]]
        if "tuple" in node:
            return tuple(_decode(v, arrays) for v in node["tuple"])
        if "dict" in node:
            return {_decode(k, arrays): _decode(v, arrays) for k, v in node["dict"]}
    raise ValueError(f"unknown node {str(node)[:80]}")


# -- structure ---------------------------------------------------------------------------------

def describe(objects) -> list[dict]:
    """What must match between a checkpoint and the network it is loaded into: each
    object's name and type, its variables' dtypes and shapes, its synaptic pathways."""
    out = []
    for obj in objects:
        entry: dict = {"name": obj.name, "type": type(obj).__name__}
        variables = getattr(obj, "variables", None)
        if variables is not None and not hasattr(obj, "parent"):
            entry["variables"] = {n: {"dtype": v.values.dtype.str,
                                      "shape": list(np.shape(v.values))}
                                  for n, v in variables.items() if v.values is not None}
        pathways = [p.name for p in getattr(obj, "pathways", [])]
        if pathways:
            entry["pathways"] = pathways
        out.append(entry)
    return out


def differences(stored: list[dict], current: list[dict]) -> list[str]:
    """Human-readable differences between two :func:`describe` results (empty: same)."""
    old = {e["name"]: e for e in stored}
    new = {e["name"]: e for e in current}
    out = []
    if set(old) - set(new):
        out.append(f"objects in the checkpoint but not in this network: "
                   f"{sorted(set(old) - set(new))}")
    if set(new) - set(old):
        out.append(f"objects in this network but not in the checkpoint: "
                   f"{sorted(set(new) - set(old))}")
    for name in sorted(set(old) & set(new)):
        a, b = old[name], new[name]
        if a["type"] != b["type"]:
            out.append(f"{name!r} is a {a['type']} in the checkpoint, a {b['type']} here")
            continue
        out += _variable_differences(name, a.get("variables", {}), b.get("variables", {}))
        if a.get("pathways", []) != b.get("pathways", []):
            out.append(f"{name!r}: pathways {a.get('pathways', [])} in the checkpoint, "
                       f"{b.get('pathways', [])} here")
    return out


def _variable_differences(name: str, old: dict, new: dict) -> list[str]:
    out = []
    if set(old) != set(new):
        out.append(f"{name!r}: variables {sorted(old)} in the checkpoint, {sorted(new)} here")
    for var in sorted(set(old) & set(new)):
        a, b = old[var], new[var]
        if a["shape"] != b["shape"]:
            out.append(f"{name!r}: variable {var!r} has shape {tuple(a['shape'])} in the "
                       f"checkpoint, {tuple(b['shape'])} here")
        elif a["dtype"] != b["dtype"]:
            out.append(f"{name!r}: variable {var!r} has dtype {np.dtype(a['dtype'])} in the "
                       f"checkpoint, {np.dtype(b['dtype'])} here")
    return out

