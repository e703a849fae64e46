"""Memory estimates made before large allocations: a clear error instead of the OOM killer.

``Synapses.connect`` estimates the synapses it will create, and the bytes they need, before
allocating them; ``Network.run`` estimates the buffers that monitors allocate for the run
and the network's arrays as a whole. An estimate that does not fit raises
:class:`~spikeloom.exceptions.MemoryEstimateError` (a ``MemoryError``). Preferences:
``prefs.spikeloom.memory_check`` (default True) and ``prefs.spikeloom.memory_check_fraction``
(default 0.9: the share of the memory an estimate may take). See docs/reliability.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..exceptions import MemoryEstimateError
from ._device import prefs

#: bytes per synapse that connect() holds besides the stored arrays while it builds them
#: (the candidate (i, j) pairs, int64 at most)
CONNECT_WORKING_BYTES = 16
#: a cgroup limit at or above this is "no limit" (cgroup v1 writes 2**63 rounded to pages)
_NO_LIMIT = 1 << 60
_HOW_TO_SWITCH_OFF = "switch this check off with prefs.spikeloom.memory_check = False"
#: estimates below this many bytes are not checked: no machine lacks them, and reading the
#: memory figures for every small connect() of a script would cost more than it tells
NEGLIGIBLE_BYTES = 16 << 20


# -- what the machine has -------------------------------------------------------------------------
def _meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes ({} where there is none)."""
    values = {}
    try:
        with open("/proc/meminfo") as stream:
            for line in stream:
                name, _, rest = line.partition(":")
                parts = rest.split()
                if parts and parts[0].isdigit():
                    values[name] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    except OSError:
        pass
    return values


def _sysconf_bytes(name: str) -> int | None:
    try:
        return os.sysconf(name) * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not on this platform
        return None


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # cgroup v2 writes "max" for no limit


def _stat_value(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key and value.strip().isdigit():
                return int(value)
    except OSError:
        pass
    return 0


def _cgroup_dirs() -> list[tuple[Path, str, str, str]]:
    """(directory, limit file, usage file, reclaimable-cache key of memory.stat) of this
    process's memory cgroup and its ancestors, cgroup v2 and v1."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            root, files = Path("/sys/fs/cgroup"), ("memory.max", "memory.current",
                                                   "inactive_file")
        elif "memory" in controllers.split(","):
            root, files = Path("/sys/fs/cgroup/memory"), ("memory.limit_in_bytes",
                                                          "memory.usage_in_bytes",
                                                          "total_inactive_file")
        else:
            continue
        here = root / path.lstrip("/")
        # a container often sees its own cgroup as the root: look there too
        for directory in [here, *here.parents]:
            found.append((directory, *files))
            if directory == root:
                break
    return found


def _cgroup_memory() -> tuple[int | None, int | None]:
    """(limit, room) of the tightest cgroup memory limit on this process, bytes; room is the
    limit less the usage, plus the page cache the kernel reclaims first. (None, None)
    without a limit."""
    limit = room = None
    for directory, limit_file, usage_file, cache_key in _cgroup_dirs():
        value = _read_int(directory / limit_file)
        usage = _read_int(directory / usage_file)
        if value is None or value >= _NO_LIMIT or usage is None:
            continue
        free = value - usage + _stat_value(directory / "memory.stat", cache_key)
        limit = value if limit is None else min(limit, value)
        room = free if room is None else min(room, free)
    return limit, room


def available_bytes() -> int | None:
    """Memory a new allocation can take without swapping, bytes; None when unknown.

    ``MemAvailable`` of /proc/meminfo (else the free pages ``os.sysconf`` reports), lowered
    to the room a cgroup memory limit leaves (``memory.max`` or ``memory.limit_in_bytes``
    less usage, plus reclaimable page cache).
    """
    machine = _meminfo().get("MemAvailable") or _sysconf_bytes("SC_AVPHYS_PAGES")
    room = _cgroup_memory()[1]
    known = [value for value in (machine, room) if value is not None]
    return max(0, min(known)) if known else None


def total_bytes() -> int | None:
    """All the memory this process may use, bytes: the physical memory (``MemTotal``), or
    a cgroup limit if smaller; None when unknown."""
    machine = _meminfo().get("MemTotal") or _sysconf_bytes("SC_PHYS_PAGES")
    limit = _cgroup_memory()[0]
    known = [value for value in (machine, limit) if value is not None]
    return min(known) if known else None


# -- the check -------------------------------------------------------------------------------------
def size(n_bytes: float) -> str:
    """``n_bytes`` for people: '1.5 GB' (decimal units, as memory is sold)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if abs(n_bytes) < 1000 or unit == "PB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError  # pragma: no cover


def _allowed(total: bool) -> tuple[int, int] | None:
    """(memory, bytes an estimate may take) of the available (or, ``total``, all the)
    memory; None when unknown."""
    memory = total_bytes() if total else available_bytes()
    if memory is None:
        return None
    return memory, int(memory * float(prefs.spikeloom.memory_check_fraction))


def fits(needed: int, total: bool = False) -> bool:
    """Whether ``needed`` bytes pass :func:`check_fits` (True when the check is off, the
    estimate negligible or the memory unknown)."""
    if not prefs.spikeloom.memory_check or needed < NEGLIGIBLE_BYTES:
        return True
    allowed = _allowed(total)
    return allowed is None or needed <= allowed[1]


def check_fits(what: str, needed: int, fix: str, total: bool = False) -> None:
    """Raise :class:`MemoryEstimateError` if ``needed`` bytes do not fit.

    Parameters
    ----------
    what : str
        Where and what, e.g. "Synapses 'syn'.connect(p=0.5) would create 10**11 synapses".
    needed : int
        Estimated bytes (B).
    fix : str
        How to need less, e.g. "use fewer neurons or a lower p".
    total : bool
        Compare with all the memory (:func:`total_bytes`) instead of the memory still
        available (:func:`available_bytes`): for arrays that partly exist already.
    """
    if fits(needed, total):
        return
    memory, allowed = _allowed(total)
    fraction = float(prefs.spikeloom.memory_check_fraction)
    kind = "memory in all" if total else "available memory"
    raise MemoryEstimateError(
        f"{what}, needing about {needed} bytes ({size(needed)}); {allowed} bytes "
        f"({size(allowed)}) may be used: prefs.spikeloom.memory_check_fraction = {fraction:g} "
        f"of {memory} bytes ({size(memory)}) of {kind}. To proceed, {fix}; or allow more "
        f"with prefs.spikeloom.memory_check_fraction, or {_HOW_TO_SWITCH_OFF}.",
        needed=needed, available=allowed)


# -- synapses --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SynapseEstimate:
    """What a ``connect`` needs.

    Attributes
    ----------
    synapses : int
        Synapses it creates.
    stored : int
        Bytes of the arrays that hold them: the pre- and postsynaptic indices, every
        per-synapse variable and each pathway's delays (B).
    working : int
        Bytes held besides while connecting (the candidate pairs) (B).
    """

    synapses: int
    stored: int
    working: int

    @property
    def needed(self) -> int:
        return self.stored + self.working


def bytes_per_synapse(synapses) -> int:
    """Bytes each new synapse of ``synapses`` takes in its arrays (B): one element of each
    per-synapse array that ``connect`` grows (indices, variables, delays)."""
    from ._variables import DerivedVariable

    return sum(var.values.dtype.itemsize for var in synapses.variables.values()
               if not isinstance(var, DerivedVariable) and var.values is not None
               and not var.shared)


def estimate_synapses(synapses, count: int) -> SynapseEstimate:
    """The memory ``count`` new synapses of ``synapses`` take (see :class:`SynapseEstimate`)."""
    count = int(count)
    return SynapseEstimate(count, count * bytes_per_synapse(synapses),
                           count * CONNECT_WORKING_BYTES)


def check_synapses(synapses, count: int, how: str, fix: str, working: bool = True) -> None:
    """Raise :class:`MemoryEstimateError` if ``count`` new synapses cannot fit.

    ``how``: how the count came about, for the message ("1000000 x 1000000 pairs x p=0.5").
    ``working``: count the memory held while connecting too (False once it is held).
    """
    if not prefs.spikeloom.memory_check:
        return
    estimate = estimate_synapses(synapses, count)
    extra = f", plus {CONNECT_WORKING_BYTES} each while connecting" if working else ""
    check_fits(f"{synapses.owner}.connect would create about {estimate.synapses} synapses "
               f"({how}) at {bytes_per_synapse(synapses)} bytes each for indices, variables "
               f"and delays{extra}", estimate.needed if working else estimate.stored, fix)


# -- runs ------------------------------------------------------------------------------------------
def held_bytes(arrays) -> int:
    """Bytes of the memory behind ``arrays`` (B), each buffer counted once (views, such as
    a subgroup's, share their base's)."""
    seen: dict[int, int] = {}
    for array in arrays:
        while isinstance(array.base, np.ndarray):
            array = array.base
        seen[id(array)] = array.nbytes
    return sum(seen.values())


def check_run(owner: str, objects, network, arrays=None) -> None:
    """Raise :class:`MemoryEstimateError` before a run that cannot fit.

    Two estimates: the buffers the objects' ``before_run`` allocates (monitors recording
    every step) against the available memory, and, when ``arrays`` (the arrays the objects
    hold) are given, those plus the new buffers against all the memory.
    """
    if not prefs.spikeloom.memory_check:
        return
    new = [(obj, obj.before_run_bytes(network)) for obj in objects
           if hasattr(obj, "before_run_bytes")]
    new = sorted(((obj, n) for obj, n in new if n > 0), key=lambda item: -item[1])
    growth = sum(n for _, n in new)
    steps = network._pending_steps
    biggest = "; ".join(f"{type(obj).__name__} {obj.name!r}: {size(n)}" for obj, n in new[:3])
    fix = ("record fewer variables or elements (record=[...]), record less often "
           "(StateMonitor dt=...), or run for a shorter time")
    if growth:
        check_fits(f"{owner}.run for {steps} steps would allocate monitor buffers "
                   f"({biggest})", growth, fix)
    if arrays is not None:
        held = held_bytes(arrays)
        check_fits(f"{owner}.run: the network's arrays ({size(held)} of state arrays and "
                   f"buffers, {size(growth)} of new monitor buffers) would not fit",
                   held + growth, f"build a smaller network, or {fix}", total=True)
