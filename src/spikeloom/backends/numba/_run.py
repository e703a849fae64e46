"""Compile a plan with Numba (cached on disk) and run it.

The generated source is written to ``<cache>/spikeloom_loop_<key>.py`` and compiled, so
Numba's ``cache=True`` stores the machine code beside it: an identical model in a new
process loads it instead of compiling (``key`` covers the source and the library versions;
every cache file is checked before it is used, see ``_cache``). The loop releases the GIL
(``nogil=True``); a Python thread reads the loop's step counter to draw the progress bar,
so the loop itself never calls Python.
The loop runs in a worker thread while the main thread waits, so that Ctrl-C is handled
at once: it sets a flag the loop polls after each step (see ``backends._interrupt``).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

from ... import ir
from ..._threads import requested_threads
from .._interrupt import StopRequest, wait_for
from ..status import STATUS_INTERRUPTED
from . import _cache, _user
from ._cache import cache_dir as cache_dir  # where loops are cached (re-exported)
from ._cache import load_loop, module_text
from ._layout import delivery_ordered, prefetched_pathways
from ._render import NumbaRenderer

logger = logging.getLogger("spikeloom.backends.numba")
_LOADED: dict[str, Callable] = {}


#: element loops at least this long are split over threads when threads are requested
#: (below, starting the threads each step costs more than it saves)
PARALLEL_MIN_ELEMENTS = 20_000


def use_threads(plan: ir.Plan, scalars: dict[str, float]) -> bool:
    """Whether to split ``plan``'s element loops over threads.

    Yes when ``SPIKELOOM_THREADS`` asks for more than one thread (and Numba has them) and
    some element loop has at least :data:`PARALLEL_MIN_ELEMENTS` elements.
    """
    import numba

    if min(requested_threads(), numba.config.NUMBA_NUM_THREADS) < 2:
        return False
    sizes = [0]
    for block in plan.blocks:
        if isinstance(block, (ir.ElementLoop, ir.Threshold)):
            stop = scalars[block.stop] if isinstance(block.stop, str) else block.stop
            start = scalars[block.start] if isinstance(block.start, str) else block.start
            sizes.append(int(stop) - int(start))
    return max(sizes) >= PARALLEL_MIN_ELEMENTS


def compile_plan(plan: ir.Plan, parallel: bool = False,
                 prefetch: tuple[str, ...] = ()) -> tuple[Callable, NumbaRenderer]:
    """Return the compiled run loop of ``plan`` (and the renderer that describes its args).

    ``plan.vector_math`` (``prefs.spikeloom.vector_math``, set by the core) chooses the
    branch-free functions of :mod:`._vecmath` over libm where loops may vectorise.
    ``prefetch``: names of the pathways whose delivery prefetches rows ahead (sorted; see
    ``_layout.prefetched_pathways``).
    """
    options = (parallel, plan.vector_math, prefetch)
    # a run chunked by network operations compiles the same plan once per chunk
    if _LAST[0] is plan and _LAST[1] == options:  # no hashing of a large plan per chunk
        return _LAST[2]
    known = _BY_PLAN.get((plan, options))
    if known is not None:
        _LAST[:] = [plan, options, known]
        return known
    for function in plan.functions:  # compiled first: an error names the function
        _user.user_function(function.key)
    renderer = NumbaRenderer(plan, parallel=parallel, vector_math=plan.vector_math,
                             prefetch=prefetch)
    digest = _cache.plan_digest(plan, options)
    indexed = None if digest is None else _cache.indexed_module(digest)
    if indexed is None:
        key, text = module_text(renderer.source())
        if digest is not None:
            _cache.index_module(digest, text)
    else:  # rendered by an earlier process (see _cache, "the index of rendered loops")
        key, text = indexed
    if key not in _LOADED:
        _LOADED[key] = load_loop(key, text)
    _remember(plan, options, (_LOADED[key], renderer))
    return _LOADED[key], renderer


#: (Plan, options) → (loop, renderer): skips rendering the source of a plan seen before.
_BY_PLAN: dict = {}


def _remember(plan: ir.Plan, options: tuple, compiled: tuple) -> None:
    if len(_BY_PLAN) >= 256:
        _BY_PLAN.pop(next(iter(_BY_PLAN)))
    _BY_PLAN[(plan, options)] = compiled
    _LAST[:] = [plan, options, compiled]


#: The plan compiled last, checked by identity first.
_LAST: list = [None, None, None]


class _Progress:
    """A tqdm bar (or, when ``desc`` is callable, that report hook) fed by a thread that
    polls the compiled loop's step counter.

    The bar (and tqdm itself) is created only once the run has lasted ``delay`` seconds,
    so short runs pay nothing for it.
    """

    def __init__(self, counter: np.ndarray, total: int, desc: str, delay: float) -> None:
        self.counter = counter
        self.total = total
        self.desc = desc
        self.delay = delay
        self.bar = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        if callable(self.desc):  # a report hook: called with the steps done
            while not self.stop.wait(0.05):
                self.desc(int(self.counter[0]))
            return
        if self.stop.wait(self.delay):
            return
        from tqdm import tqdm

        self.bar = tqdm(total=self.total, desc=self.desc, unit="step", leave=False,
                        mininterval=0.2, dynamic_ncols=True)
        while not self.stop.wait(0.2):
            self.bar.n = int(self.counter[0])
            self.bar.refresh()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        if self.bar is not None:
            self.bar.n = int(self.counter[0])
            self.bar.close()


def execute(plan: ir.Plan, arrays: dict[str, np.ndarray], scalars: dict[str, float],
            step0: int, n_steps: int, seed: int, progress: str | None = None,
            progress_delay: float = 0.0, stop: StopRequest | None = None
            ) -> tuple[dict[str, np.ndarray], np.ndarray, float]:
    """Run ``n_steps`` steps from ``step0``; return (reallocated arrays, status, compile s).

    ``arrays`` are modified in place; growable arrays the loop reallocated come back in the
    first dict. ``status`` is ``[code, step, which, element]`` (code 0: fine), where
    ``step`` is the last step done when the code is not 0. ``stop``: the flag the loop
    polls after each step (Ctrl-C; see :mod:`spikeloom.backends._interrupt`); a stop
    requested after the last step reports :data:`STATUS_INTERRUPTED` at that step.
    """
    stop = stop if stop is not None else StopRequest()
    t0 = time.perf_counter()
    # run-constant synaptic arrays in delivery order (same results, fewer cache misses)
    plan, arrays = delivery_ordered(plan, arrays, n_steps)
    parallel = use_threads(plan, scalars)
    if parallel:
        import numba

        numba.set_num_threads(min(requested_threads(), numba.config.NUMBA_NUM_THREADS))
    loop, renderer = compile_plan(plan, parallel=parallel,
                                  prefetch=prefetched_pathways(plan, arrays))
    args = []
    for decl in plan.arrays:
        value = arrays[decl.name]
        if value.dtype != np.dtype(decl.dtype):
            raise TypeError(f"array {decl.name!r}: dtype {value.dtype}, plan says {decl.dtype}")
        args.append(value)
    for name, dtype in plan.scalars:
        args.append(np.dtype(dtype).type(scalars[name]))
    counter = np.zeros(1, np.int64)
    status = np.zeros(4, np.int64)
    fixed = (np.int64(step0), np.int64(n_steps), np.int64(seed), counter, status, stop.array)
    first_call = not _has_compiled(loop)
    if first_call:
        # compile (or load from the disk cache) before timing and before the progress bar;
        # Numba's SSA pass recurses once per variable version, which large plans exceed
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 100_000))
        try:
            _cache.first_call(loop, lambda: loop(np.int64(step0), np.int64(0), np.int64(seed),
                                                 counter, status, np.zeros(1, np.int64),
                                                 *args))
        except Exception as error:
            explained = _user.loop_error(plan, error)
            if explained is None:
                raise
            raise explained from None
        finally:
            sys.setrecursionlimit(limit)
    compile_time = time.perf_counter() - t0
    if progress:
        with _Progress(counter, n_steps, progress, progress_delay):
            out = wait_for(lambda: loop(*fixed, *args), stop)
    else:
        out = wait_for(lambda: loop(*fixed, *args), stop)
    if stop.requested and status[0] == 0 and n_steps > 0:
        status[:] = (STATUS_INTERRUPTED, step0 + n_steps - 1, 0, 0)  # after the last step
    returned = dict(zip(renderer.returned(), out))
    return returned, status, compile_time


def _has_compiled(loop) -> bool:
    return bool(getattr(loop, "signatures", None))
