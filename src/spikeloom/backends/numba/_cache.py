"""The disk cache of compiled run loops, safe against what happens to its files.

``<cache>`` (``SPIKELOOM_CACHE_DIR``, default ``~/.cache/spikeloom/numba``) holds, per loop,

- ``spikeloom_loop_<key>.py``: the generated source under a first line that names the
  library versions it was built for; ``key`` is the SHA-256 of that text (24 hex digits),
  so another model, or another version of spikeloom (or of its Numba helpers), Numba,
  NumPy, llvmlite or Python, never shares an entry;
- ``__pycache__/spikeloom_loop_<key>.run_loop-<line>.py<XY>.nbi`` and ``.<n>.nbc``: Numba's
  index and machine code, each ending in a checksum (:class:`SealedCacheFile`); the same for
  each function the loop calls (``_loop<k>``, the SIMD loops of synaptic rows), whose files
  are read only when the loop itself is compiled;
- ``__pycache__/spikeloom_loop_<key>.<python tag>.code``: the source compiled to Python
  bytecode, sealed and bound to the text it was compiled from (:func:`_code_of`).

What can happen to these files, and what follows (docs/reliability.md, "The compiled-loop
cache"; tests/backends/test_cache_faults.py):

- the ``.py`` differs from the generated text (truncated, edited, planted): it is replaced
  atomically; the loop is always compiled from the text in memory, never read back from the
  file, so a file swapped in between the check and the import is never run;
- an index or data file whose checksum does not match (truncated, flipped bytes, garbage,
  written by another program): Numba sees no entry, compiles, and overwrites it. Numba has
  no checksum of its own; it unpickles whatever it finds, which raises (``EOFError``,
  ``UnpicklingError``, LLVM errors) or kills the process (segfault, abort) for a flipped
  byte of machine code;
- a process killed while compiling or writing: every file is written under a temporary name
  and renamed (``os.replace``), so readers see a whole old file or a whole new one; stray
  temporary files are removed once they are an hour old;
- two processes compiling one model: both write whole files; the last rename wins;
- a cache directory that cannot be written: this process caches its loops in a private
  temporary directory, deleted at exit (one warning), or, failing that, compiles without a
  disk cache.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import io
import logging
import marshal
import os
import pickle
import platform
import shutil
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

import sympy

from ..._cachedir import (
    configured_dir,
    read_sealed,
    replace_atomically,
    seal,
    source_stamp,
    unseal_bytes,
    write_sealed,
)

try:  # Numba's cache classes: internal, so a Numba without them compiles without a disk cache
    from numba.core.caching import IndexDataCacheFile, NullCache
except ImportError:  # pragma: no cover - depends on the installed Numba
    IndexDataCacheFile = NullCache = None

logger = logging.getLogger("spikeloom.backends.numba")

#: temporary files older than this (seconds) are left over from a killed process
STALE_TEMPORARY_S = 3600.0

_DIRS: dict[str, Path | None] = {}  # configured directory -> the one in use (None: no disk)
_WARNED = [False]


def _warn_once(message: str, *args) -> None:
    """Log a degraded cache once per process as a warning, later ones as info."""
    if _WARNED[0]:
        logger.info(message, *args)
        return
    _WARNED[0] = True
    logger.warning(message, *args)


# -- where ----------------------------------------------------------------------------------------
def cache_dir() -> Path | None:
    """The directory of generated sources and Numba's cache, or None for no disk cache.

    The configured directory (:func:`configured_dir`) when this process can create files in
    it; else a private temporary directory, deleted at exit, with one logged warning; None
    when neither can be written. Decided once per process and configured directory.
    """
    configured = configured_dir()
    key = str(configured)
    if key not in _DIRS:
        _DIRS[key] = _usable_dir(configured)
    return _DIRS[key]


def _probe(path: Path) -> None:
    """Raise OSError unless files can be created in ``path`` (created if missing).

    A real file, not the mode bits: root writes into a mode 0o555 directory, and a path
    below a regular file fails here too.
    """
    path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=path):
        pass


def _usable_dir(configured: Path) -> Path | None:
    try:
        _probe(configured)
    except OSError as error:
        problem = f"{configured}: {error.strerror or error}"
    else:
        _sweep_temporaries(configured)
        return configured
    try:
        private = Path(tempfile.mkdtemp(prefix="spikeloom-loops-"))
    except OSError:
        _warn_once("cannot write spikeloom's compiled-loop cache (%s) nor a temporary "
                   "directory; loops are compiled without a disk cache in this process",
                   problem)
        return None
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    _warn_once("cannot write spikeloom's compiled-loop cache (%s); this process caches "
               "compiled loops in %s, deleted at exit (set SPIKELOOM_CACHE_DIR to a "
               "writable directory to keep them)", problem, private)
    return private


def _sweep_temporaries(directory: Path) -> None:
    """Remove temporary files that killed processes left (spikeloom's ``.py`` and Numba's
    index and data files); only old ones, so that a writer at work keeps its own.

    At most once per :data:`STALE_TEMPORARY_S` per directory (the time of the last sweep is
    that of the file ``.swept``): listing thousands of files cost 2 ms of every process's
    first ``run()``.
    """
    now = time.time()
    stamp = directory / ".swept"
    with contextlib.suppress(OSError):
        if now - stamp.stat().st_mtime < STALE_TEMPORARY_S:
            return
    # os.scandir, not Path.glob: the directory holds thousands of files, and this runs in
    # every process's first run() (glob's pattern matching took 5 ms of it)
    for folder, is_temporary in ((directory, _is_source_temporary),
                                 (directory / "__pycache__", _is_numba_temporary)):
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if not is_temporary(entry.name):
                    continue
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > STALE_TEMPORARY_S:
                        os.unlink(entry.path)
    with contextlib.suppress(OSError):
        stamp.touch()


def _is_source_temporary(name: str) -> bool:
    """``.spikeloom_loop_*.tmp``: a source being written (:func:`write_source`)."""
    return name.startswith(".spikeloom_loop_") and name.endswith(".tmp")


def _is_numba_temporary(name: str) -> bool:
    """``spikeloom_loop_*.tmp.*``: an index or data file being written (``SealedCacheFile``)."""
    return name.startswith("spikeloom_loop_") and ".tmp." in name


# -- what -----------------------------------------------------------------------------------------
#: What spikeloom writes into Numba's files (2: the entry point's module holds names only,
#: :class:`EntryPointCacheFile`); part of every loop's key, so that loops cached in an
#: earlier format are compiled and saved once more in this one
CACHE_FORMAT = 2


@functools.cache
def library_versions() -> str:
    """The versions a compiled loop depends on, as one line.

    spikeloom's version, a hash of the Numba helpers the loops call (inlined into them,
    so they change the machine code within one development version) and
    :data:`CACHE_FORMAT`, Numba, NumPy, llvmlite, and Python (version and bytecode tag).
    """
    import llvmlite
    import numba
    import numpy

    from ... import __version__

    helpers = hashlib.sha256()
    for name in ("_rng.py", "_support.py", "_vecmath.py"):
        try:
            helpers.update(Path(__file__).with_name(name).read_bytes())
        except OSError:  # a zipped install: the version alone must do
            helpers.update(name.encode())
    return (f"spikeloom {__version__} (helpers {helpers.hexdigest()[:12]}, cache format "
            f"{CACHE_FORMAT}), numba "
            f"{numba.__version__}, numpy {numpy.__version__}, llvmlite {llvmlite.__version__}, "
            f"python {platform.python_version()} ({sys.implementation.cache_tag})")


def module_text(source: str) -> tuple[str, str]:
    """(key, text) of a generated ``source``: the file's text is the source under a comment
    naming :func:`library_versions`; the key, 24 hex digits of the text's SHA-256."""
    text = f"# spikeloom run loop for {library_versions()}\n{source}"
    return hashlib.sha256(text.encode()).hexdigest()[:24], text


# -- the index of rendered loops ------------------------------------------------------------------
# Rendering a plan's source costs a few ms of sympy printing in each new process, a tenth
# of a small model's whole run(); the text is a function of the plan, the renderer's
# options and code, and the library versions only, so it is kept per plan in
# <cache>/plans/<digest>.txt (sealed), where digest covers all of those.
@functools.cache
def _renderer_stamp() -> bytes:
    """What a loop's text depends on besides its plan and options: the sources of this
    backend, of the printers shared by the backends and of the IR (names, sizes,
    modification times), sympy's version (it prints the expressions) and the library
    versions."""
    here = Path(__file__).parent
    stamp = source_stamp(here, here.parent, here.parent.parent / "ir")
    return stamp + f"sympy {sympy.__version__}, {library_versions()}".encode()


def plan_digest(plan, options: tuple) -> str | None:
    """32 hex digits of the SHA-256 of ``(plan, options)`` pickled by structure
    (:class:`_StructurePickler`) and of :func:`_renderer_stamp`, or None for a plan that
    cannot be pickled (never indexed)."""
    stream = io.BytesIO()
    pickler = _StructurePickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    # no memo: with it, an object met twice is written as a reference to the first, so the
    # bytes would depend on which equal objects happen to be one object
    pickler.fast = True
    try:
        pickler.dump((plan, options))
    except Exception:  # an object of a user's that pickle refuses: render every time
        return None
    return hashlib.sha256(_renderer_stamp() + stream.getvalue()).hexdigest()[:32]


class _StructurePickler(pickle.Pickler):
    """Pickles sympy expressions as their structure alone: class name, arguments, and for
    symbols their name and *given* assumptions. sympy's own pickle of a symbol also holds
    the facts derived by queries so far, which depend on what else the process computed:
    the same plan would get another digest after other work."""

    def reducer_override(self, obj):
        if not isinstance(obj, sympy.Basic):
            return NotImplemented
        if obj.is_Symbol:
            return _structure, (type(obj).__name__, obj.name,
                                tuple(sorted(obj.assumptions0.items())),
                                getattr(obj, "dummy_index", None))
        if obj.is_Atom:  # numbers (srepr keeps a Float's precision), constants
            return _structure, (type(obj).__name__, sympy.srepr(obj))
        return _structure, (type(obj).__name__, obj.args)


def _structure(*parts):  # pragma: no cover - only named by digests, never unpickled
    return parts


def _index_path(digest: str) -> Path | None:
    directory = cache_dir()
    return None if directory is None else directory / "plans" / f"{digest}.txt"


def indexed_module(digest: str) -> tuple[str, str] | None:
    """``(key, text)`` (as :func:`module_text` returns them) stored for this plan digest, or
    None: absent, damaged (checksum), or no disk cache."""
    path = _index_path(digest)
    content = None if path is None else read_sealed(path)
    if content is None:
        return None
    try:
        text = content.decode()
    except UnicodeDecodeError:
        return None
    return hashlib.sha256(content).hexdigest()[:24], text


def index_module(digest: str, text: str) -> None:
    """Keep ``text`` for this plan digest (silently not, without a writable cache)."""
    path = _index_path(digest)
    if path is not None:
        with contextlib.suppress(OSError):
            write_sealed(path, text.encode())


# -- loading --------------------------------------------------------------------------------------
def load_loop(key: str, text: str, function: str = "run_loop") -> Callable:
    """The Numba dispatcher ``function`` defined by ``text`` (see :func:`module_text`).

    The text is written to ``<cache>/spikeloom_loop_<key>.py`` (atomically, unless the file
    already holds exactly it) so that Numba caches the machine code beside it, and compiled
    from memory. Without a usable cache directory, the loop compiles without a disk cache.
    """
    module_name = f"spikeloom_loop_{key}"
    directory = cache_dir() if IndexDataCacheFile is not None else None
    if directory is not None:
        path = directory / f"{module_name}.py"
        try:
            write_source(path, text)
            module = _execute(module_name, text, str(path))
        except (OSError, RuntimeError) as error:
            # a full disk, or the file gone before Numba looked for it (a cache being
            # cleared): this loop compiles without the disk cache
            _warn_once("spikeloom cannot cache compiled loop %s on disk (%s); compiling "
                       "without the disk cache", path, error)
        else:
            for dispatcher in _dispatchers(module):  # the loop and the functions it calls
                _seal(dispatcher, entry_point=dispatcher.py_func.__name__ == function)
            logger.debug("run loop source in %s", path)
            return getattr(module, function)
    if IndexDataCacheFile is None:
        _warn_once("spikeloom: this Numba (%s) has no numba.core.caching.IndexDataCacheFile; "
                   "loops are compiled without a disk cache", _numba_version())
    # cache=True needs a source file; the renderer writes this decorator
    uncached = text.replace("@njit(cache=True", "@njit(cache=False")
    return getattr(_execute(module_name, uncached, f"<{module_name}>"), function)


def write_source(path: Path, text: str) -> None:
    """Make ``path`` hold exactly ``text``: unchanged if it does, else replaced atomically.

    The text goes to a temporary file in the same directory that is then renamed over
    ``path``: a process killed meanwhile leaves its temporary file, never half a source.
    No fsync: a file emptied by a power failure differs from the text and is rewritten.
    """
    data = text.encode()
    with contextlib.suppress(OSError):  # absent or unreadable: write it
        if path.read_bytes() == data:
            return
    replace_atomically(path, data, prefix=f".{path.stem}.", suffix=".tmp")


def _execute(module_name: str, text: str, filename: str) -> types.ModuleType:
    """Run ``text`` as module ``module_name``, its code named ``filename``.

    The code run is ``text`` itself, compiled here (or its compiled form, see
    :func:`_code_of`), never the file: a file planted or replaced after
    :func:`write_source` checked it is not executed. The file name tells Numba where to
    cache; Numba's cache checks the file's content hash (its "source stamp").
    """
    module = types.ModuleType(module_name)
    module.__file__ = filename
    code = _code_of(text, filename)
    sys.modules[module_name] = module
    exec(code, module.__dict__)
    return module


def _code_of(text: str, filename: str):
    """``compile(text, filename, "exec")``, kept beside Numba's files of the loop.

    Compiling a loop's text to Python bytecode took 1-1.5 ms of a small model's first
    ``run()`` in a new process; unmarshalling it takes 0.1 ms. The file
    ``__pycache__/<stem>.<python tag>.code`` is sealed and starts with the SHA-256 of the
    file name and the text it was compiled from: read only for that very text, compiled
    again (and replaced) when it is absent, damaged or of another text. Files named by a
    path in ``<...>`` (no disk cache) are always compiled.
    """
    path = Path(filename)
    if filename.startswith("<"):
        return compile(text, filename, "exec")
    stored = path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.code"
    binding = hashlib.sha256(f"{filename}\0{text}".encode()).digest()
    content = read_sealed(stored)
    if content is not None and content[:len(binding)] == binding:
        try:
            return marshal.loads(content[len(binding):])
        except (EOFError, ValueError, TypeError):  # pragma: no cover - sealed, so whole
            pass
    code = compile(text, filename, "exec")
    with contextlib.suppress(OSError):  # storing is an optimisation
        write_sealed(stored, binding + marshal.dumps(code))
    return code


def _dispatchers(module: types.ModuleType) -> list:
    """The jitted functions a generated module defines (the loop and its helpers), not
    those it imports."""
    return [value for value in vars(module).values()
            if hasattr(value, "py_func") and value.py_func.__module__ == module.__name__]


def _seal(loop, entry_point: bool = False) -> None:
    """Make ``loop``'s disk cache read and write :class:`SealedCacheFile` files
    (:class:`EntryPointCacheFile` for the ``entry_point``, the function spikeloom calls)."""
    cache_file = getattr(getattr(loop, "_cache", None), "_cache_file", None)
    if cache_file is None:  # no disk cache for this dispatcher
        return
    if type(cache_file) is IndexDataCacheFile:
        # same attributes, checked reads and sealed writes; set before the first call,
        # which is the first time Numba opens these files
        cache_file.__class__ = EntryPointCacheFile if entry_point else SealedCacheFile
        return
    _warn_once("spikeloom: Numba's cache of %s is a %s, not the index/data files spikeloom "
               "checks; compiling without the disk cache", loop, type(cache_file).__name__)
    loop._cache = NullCache()


def first_call(loop, call: Callable[[], object]) -> None:
    """Make the first ``call()`` of ``loop``: it loads the loop from the disk cache, or
    compiles it and saves it there.

    Checked files load; should loading still fail (a Numba that stores more than it checks)
    or saving fail (a full disk), the loop's index is removed, so the next process compiles
    afresh, and this process compiles, or keeps what it compiled, without the disk cache.
    A failure to compile is raised as it is.
    """
    try:
        call()
    except Exception as error:
        stats = loop.stats
        loading_failed = not loop.signatures and not stats.cache_misses
        saving_failed = isinstance(error, OSError) and bool(loop.signatures)
        if not (loading_failed or saving_failed):
            raise
        cache_file = getattr(loop._cache, "_cache_file", None)
        if cache_file is not None:
            with contextlib.suppress(OSError):
                os.unlink(cache_file._index_path)
        _warn_once("spikeloom: the disk cache of %s failed (%r); compiling without it",
                   loop, error)
        loop._cache = NullCache()
        call()


def _numba_version() -> str:
    import numba

    return numba.__version__


# -- Numba's files, checked -----------------------------------------------------------------------
class SealedCacheFile(IndexDataCacheFile or object):
    """Numba's index (``.nbi``) and data (``.nbc``) files of one loop, each ending in
    ``spikeloom._cachedir.SEAL`` and the SHA-256 digest of what precedes it.

    Numba writes and reads them through these methods. A file whose digest does not match
    (truncated, altered, garbage, a file of an older spikeloom) reads as absent: Numba
    compiles and overwrites it. The digest is checked on the very bytes that are unpickled
    (one read), so a file replaced meanwhile cannot slip through.
    """

    @contextlib.contextmanager
    def _open_for_write(self, filepath):
        buffer = io.BytesIO()
        yield buffer
        content = buffer.getvalue()
        # Numba's own writer: a temporary file renamed over the old one
        with super()._open_for_write(filepath) as stream:
            stream.write(seal(content))

    def _load_index(self):
        content = unseal(self._index_path)
        if content is None:
            return {}
        # as Numba's _load_index, on the checked bytes: its version, then (stamp, overloads)
        stream = io.BytesIO(content)
        if pickle.load(stream) != self._version:
            return {}
        stamp, overloads = pickle.loads(stream.read())
        return overloads if stamp == self._source_stamp else {}

    def _load_data(self, name):
        path = self._data_path(name)
        content = unseal(path)
        if content is None:
            # Numba's load() takes an OSError for a missing entry: it compiles and saves again
            raise FileNotFoundError(f"{path}: missing, or its checksum does not match")
        return pickle.loads(content)


class EntryPointCacheFile(SealedCacheFile):
    """The cache files of a run loop's entry point, saved without the LLVM bitcode that
    Numba keeps only to inline a function into its callers.

    Numba stores a compiled function as its machine code and, for callers compiled later,
    its LLVM module as bitcode, which every load parses and scans name by name (about
    5 ms of a COBA loop's 9 ms load in a new process). Nothing calls the entry point from
    compiled code, so its module is saved as :func:`symbols_only_bitcode`: the names Numba
    looks up in what it loaded, no code. A caller linking it would fail loudly (a function
    declared against a variable), never run a stub.
    """

    def _save_data(self, name, data):
        super()._save_data(name, _without_shared_code(data))


def _without_shared_code(data):
    """Numba's reduced compile result ``data`` with its library's bitcode replaced by
    :func:`symbols_only_bitcode`; any other layout (another Numba) is returned as it is."""
    library = data[0] if isinstance(data, tuple) and data else None
    if not (isinstance(library, tuple) and len(library) == 3 and library[1] == "object"
            and isinstance(library[2], tuple) and len(library[2]) == 2):
        return data
    name, kind, (object_code, bitcode) = library
    return ((name, kind, (object_code, symbols_only_bitcode(bitcode))),) + data[1:]


#: Numba's prefix of the variables that stand for functions resolved at run time: with
#: the functions themselves, the only names whose definition Numba checks
#: (``JitEngine.is_symbol_defined``)
UNRESOLVED_PREFIX = ".numba.unresolved$"


def symbols_only_bitcode(bitcode: bytes) -> bytes:
    """Bitcode of a module that defines one byte-sized global variable per function that
    ``bitcode``'s module defines, and per variable it defines whose name begins with
    :data:`UNRESOLVED_PREFIX`, under the same names, and nothing else."""
    import llvmlite.binding as llvm

    module = llvm.parse_bitcode(bitcode)
    names = [function.name for function in module.functions if not function.is_declaration]
    names += [variable.name for variable in module.global_variables
              if variable.name.startswith(UNRESOLVED_PREFIX) and not variable.is_declaration]
    text = "".join(f'@"{_llvm_escaped(name)}" = global i8 0\n' for name in names)
    return llvm.parse_assembly(text).as_bitcode()


def _llvm_escaped(name: str) -> str:
    """``name`` as the inside of a quoted LLVM IR identifier (``\\XX`` for other bytes)."""
    return "".join(chr(byte) if 0x20 <= byte < 0x7F and byte not in b'"\\' else f"\\{byte:02X}"
                   for byte in name.encode())


def unseal(path) -> bytes | None:
    """The content of a sealed file at ``path``, or None if it is absent, unreadable, or its
    digest does not match."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    content = unseal_bytes(data)
    if content is None:
        logger.info("%s fails its checksum (truncated, altered, or not written "
                    "by this spikeloom); compiling again", path)
    return content
