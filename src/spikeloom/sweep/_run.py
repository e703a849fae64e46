"""Running a sweep on Dask: one task per row, rows written as they arrive, reruns resume.

Every (configuration, seed) is a task ``run_configuration(experiment, params, seed)``, a pure
function submitted under its stable key (plus a token of the run), so a task lost with its
worker is simply computed again (``retries`` covers tasks that raised). The
client writes each row as one Parquet file ``<key>.parquet`` (under a temporary name, then
``os.replace``: an interrupted write leaves no half file), so ``out/`` is a Parquet dataset
and a rerun computes only the keys that are not there yet. The workers need spikeloom
importable, nothing else: they never touch ``out/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._config import Sweep, Task
from ._experiments import EXPERIMENTS, Experiment, run_configuration

logger = logging.getLogger("spikeloom.sweep")

#: environment variable naming the scheduler run_sweep connects to by default
SCHEDULER_ENV = "SPIKELOOM_SCHEDULER"
#: seconds to wait for a scheduler to answer before giving up
CONNECT_TIMEOUT_S = 3.0
#: workers of the default LocalCluster (one thread each: the loops are single-threaded)
DEFAULT_WORKERS = 2
#: retries of a task that raised (a task lost with its worker is recomputed anyway)
DEFAULT_RETRIES = 2
ROW_SUFFIX = ".parquet"
#: prefix of Dask keys, so a shared scheduler's dashboard shows whose tasks they are
DASK_KEY_PREFIX = "spikeloom-"

_COLUMN_TYPES = {"choice": pa.string(), "str": pa.string(), "int": pa.int64(),
                 "float": pa.float64(), "float_list": pa.list_(pa.float64())}


class SchedulerUnreachableError(ConnectionError):
    """No Dask scheduler answered at the address given to :func:`run_sweep`."""


def run_sweep(sweep: Sweep, out, *, workers: int | None = None, scheduler: str | None = None,
              client=None, progress: bool = True, retries: int = DEFAULT_RETRIES,
              on_result: Callable[[dict], None] | None = None) -> pd.DataFrame:
    """Run every configuration and seed of ``sweep`` that ``out`` does not hold yet.

    Parameters
    ----------
    sweep : Sweep
        What to run (checked when it was built).
    out : str or Path
        Results folder (created if needed): one Parquet file per row, ``<key>.parquet``,
        and the sweep's configuration as ``_sweep-<hash>.json`` (ignored by Parquet
        readers, as every name starting with ``_`` or ``.``).
    workers : int, optional
        Worker processes of the LocalCluster started when neither ``scheduler`` nor
        ``client`` is given (default 2, one thread each).
    scheduler : str, optional
        Address of a running Dask scheduler (``'tcp://host:8786'``) to run the tasks on
        instead; default: the environment variable ``SPIKELOOM_SCHEDULER``, if set.
    client : distributed.Client, optional
        An open client to use (left open); excludes ``scheduler`` and ``workers``.
    progress : bool
        Show a progress bar over the tasks to compute (on stderr).
    retries : int
        Times a task that raised is tried again (>= 0).
    on_result : callable, optional
        Called with each row (a dict) right after it is written; an exception it raises
        stops the sweep (the rows written so far stay; a rerun computes the rest).

    Returns
    -------
    pandas.DataFrame
        One row per configuration and seed of the sweep, in the sweep's order (see
        :func:`load_results` for the columns). ``attrs`` holds ``computed`` (rows computed
        now), ``skipped`` (rows already in ``out``), ``wall_s`` (s) and ``out``.

    Raises
    ------
    ValueError
        For a bad argument (naming it, its value and what is allowed).
    SchedulerUnreachableError
        If no scheduler answers at ``scheduler`` (or ``SPIKELOOM_SCHEDULER``) within 3 s,
        before anything is submitted or written. A sweep with nothing left to compute
        connects to nothing.
    RuntimeError
        If tasks failed (after their retries): the other rows are written, and a rerun
        computes only the missing ones.
    """
    start = time.perf_counter()
    _check_arguments(sweep, workers, scheduler, client, retries)
    out = _results_folder(out)
    tasks = sweep.tasks()
    stored = stored_keys(out)
    pending = [task for task in tasks if task.key not in stored]
    if pending:
        with _connect(workers, scheduler, client) as dask_client:
            _write_provenance(out, sweep)
            _compute(dask_client, sweep, pending, out, progress, retries, on_result,
                     skipped=len(tasks) - len(pending))
    frame = load_results(out, keys=[task.key for task in tasks])
    frame.attrs.update(computed=len(pending), skipped=len(tasks) - len(pending),
                       wall_s=time.perf_counter() - start, out=str(out))
    logger.info("sweep: %d rows computed, %d already in %s", len(pending),
                len(tasks) - len(pending), out)
    return frame


def _check_arguments(sweep, workers, scheduler, client, retries) -> None:
    if not isinstance(sweep, Sweep):
        raise TypeError(f"run_sweep: sweep must be a Sweep (Sweep(...) or "
                        f"Sweep.from_toml(path)), got {type(sweep).__name__}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"run_sweep: workers must be an integer >= 1 or None, got "
                         f"{workers!r}")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"run_sweep: scheduler must be an address such as "
                         f"'tcp://host:8786' or None, got {scheduler!r}")
    if client is not None and scheduler is not None:
        raise ValueError(f"run_sweep: give client or scheduler, not both (got scheduler="
                         f"{scheduler!r} and a client)")
    if workers is not None and (scheduler is not None or client is not None):
        raise ValueError(f"run_sweep: workers={workers!r} sets the size of the LocalCluster; "
                         "with scheduler= or client= the cluster's own workers run the tasks")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"run_sweep: retries must be an integer >= 0, got {retries!r}")


def _results_folder(out) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"run_sweep: out must be a folder, but {str(out)!r} is a file")
    return out


def stored_keys(out) -> set[str]:
    """Keys of the rows in the results folder ``out`` (empty if it does not exist)."""
    out = Path(out)
    if not out.is_dir():
        return set()
    return {path.name[:-len(ROW_SUFFIX)] for path in _row_files(out)}


def _row_files(out: Path) -> list[Path]:
    # Parquet readers skip names starting with '.' or '_' (temporary files, provenance)
    return sorted(path for path in out.glob(f"*{ROW_SUFFIX}")
                  if not path.name.startswith((".", "_")))


@contextlib.contextmanager
def _connect(workers, scheduler, client):
    """A Dask client: the one given, one connected to a scheduler, or a LocalCluster's."""
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    address = scheduler if scheduler is not None else os.environ.get(SCHEDULER_ENV) or None
    if address is not None and workers is not None:
        raise ValueError(f"run_sweep: workers={workers!r} sets the size of the LocalCluster, "
                         f"but {SCHEDULER_ENV}={address!r} names a scheduler; unset it, or "
                         "leave workers out to run on that scheduler's workers")
    if address is None:
        # no dashboard: it needs bokeh and a free port, and the progress bar says enough
        with LocalCluster(n_workers=workers or DEFAULT_WORKERS, threads_per_worker=1,
                          processes=True, dashboard_address=None) as cluster, \
                Client(cluster, set_as_default=False) as local:
            yield local
        return
    try:
        remote = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, or garbage from a wrong server
        source = "scheduler" if scheduler is not None else SCHEDULER_ENV
        raise SchedulerUnreachableError(
            f"run_sweep: no Dask scheduler answered at {address!r} ({source}) within "
            f"{CONNECT_TIMEOUT_S:g} s ({type(exc).__name__}: {exc}); start one with "
            f"`dask scheduler` (and workers with `dask worker {address}`), or give no "
            f"scheduler (and unset {SCHEDULER_ENV}) to run on a LocalCluster") from None
    with remote:  # closes the connection only; the scheduler and its workers go on
        yield remote


def _write_provenance(out: Path, sweep: Sweep) -> Path:
    """``_sweep-<hash>.json``: the sweep as given (and its TOML text), one file per sweep."""
    config = sweep.to_dict()
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]
    path = out / f"_sweep-{digest}.json"
    if not path.exists():
        from .. import __version__

        out.mkdir(parents=True, exist_ok=True)
        record = {"config": config, "toml": sweep.source, "spikeloom": __version__,
                  "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        _atomic_write(path, json.dumps(record, indent=2).encode())
    return path


def _compute(client, sweep: Sweep, pending: list[Task], out: Path, progress: bool,
             retries: int, on_result, skipped: int) -> None:
    """Submit the pending tasks; write each row as it arrives; raise for failed tasks."""
    from distributed import as_completed
    from tqdm.auto import tqdm

    schema = row_schema(sweep.spec)

    # the row's key, and a token of this run: after a cancellation (an interrupted run) the
    # scheduler keeps cancelling a key for a while (seconds, with distributed 2026.8), so a
    # rerun's task of the same key would be cancelled too
    token = uuid.uuid4().hex[:8]
    futures = {client.submit(run_configuration, sweep.experiment, task.params, task.seed,
                             key=f"{DASK_KEY_PREFIX}{task.key}-{token}", retries=retries): task
               for task in pending}
    failed = []
    bar = tqdm(total=len(pending), desc=f"{sweep.experiment} sweep", unit="row",
               disable=not progress, postfix={"already done": skipped} if skipped else None)
    try:
        for future in as_completed(futures, loop=client.loop):
            task = futures[future]
            if future.status != "finished":
                failed.append((task, _failure(future)))
            else:
                row = future.result()
                _store(row, task, out, schema)
                bar.update()
                if on_result is not None:
                    on_result(row)
            future.release()  # the scheduler may forget the result now
    finally:
        bar.close()
        client.cancel([f for f in futures if not f.done()])
    if failed:
        raise RuntimeError(_failure_message(failed, len(pending)))


def _store(row: dict, task: Task, out: Path, schema: pa.Schema) -> None:
    # a worker with another spikeloom version could compute another key for the same task
    if row.get("key") != task.key:
        raise RuntimeError(f"run_sweep: a worker returned the row of key {row.get('key')!r} "
                           f"for task {task.key!r}; do the workers run the same spikeloom "
                           "version as this client?")
    write_row(out, row, schema)


def _failure(future) -> str:
    if future.status == "cancelled":
        return "cancelled (by another client of the scheduler?)"
    exc = future.exception()
    return f"{type(exc).__name__}: {exc}"


def _failure_message(failed: list, total: int) -> str:
    lines = [f"run_sweep: {len(failed)} of {total} tasks failed; their rows are missing, "
             "the others are written (a rerun computes only the missing rows):"]
    for task, reason in failed[:5]:
        lines.append(f"  {task.key} {task.params} seed={task.seed}: {reason}")
    if len(failed) > 5:
        lines.append(f"  ... and {len(failed) - 5} more")
    return "\n".join(lines)


def row_schema(experiment: Experiment) -> pa.Schema:
    """Parquet schema of the experiment's rows: key, experiment, parameters, seed, measures.

    Every row file has this schema, so the folder reads as one table.

    Parameters
    ----------
    experiment : Experiment
        The experiment whose rows are stored.

    Returns
    -------
    pyarrow.Schema
    """
    fields = [pa.field("key", pa.string()), pa.field("experiment", pa.string())]
    fields += [pa.field(name, _COLUMN_TYPES[spec.kind])
               for name, spec in experiment.parameters.items()]
    fields.append(pa.field("seed", pa.int64()))
    fields += [pa.field(name, _COLUMN_TYPES[kind])
               for name, kind in experiment.measures.items()]
    return pa.schema(fields)


def write_row(out, row: dict, schema: pa.Schema) -> Path:
    """Write ``row`` as ``out/<key>.parquet``, atomically (temporary file, then rename)."""
    out = Path(out)
    if set(row) != set(schema.names):
        raise ValueError(f"write_row: the row's columns {sorted(row)} differ from the "
                         f"schema's {sorted(schema.names)}")
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist([row], schema=schema), buffer)
    path = out / f"{row['key']}{ROW_SUFFIX}"
    _atomic_write(path, buffer.getvalue().to_pybytes())
    return path


def _atomic_write(path: Path, data: bytes) -> None:
    # the temporary name starts with '.', so a reader of the folder never sees it
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def load_results(results, keys=None) -> pd.DataFrame:
    """The rows of a results folder as a DataFrame.

    Parameters
    ----------
    results : str or Path
        Folder written by :func:`run_sweep`.
    keys : sequence of str, optional
        Return these rows, in this order (default: every row, sorted by the parameters
        and the seed).

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``experiment``, every parameter of the experiment (integer
        parameters that may be None, such as ``levels``, as pandas' nullable ``Int64``),
        ``seed``, and the experiment's measures (for 'classify': ``f1_mean``, ``f1_sd``,
        ``f1`` (array, one F1-macro per fold) and ``wall_s``). One row per key.
    """
    out = Path(results)
    files = _row_files(out) if out.is_dir() else []
    if not files:
        raise ValueError(f"load_results: no result rows (*{ROW_SUFFIX}) in "
                         f"{str(results)!r}")
    frame = pd.read_parquet(out)
    # run_sweep writes each key once; a copied-in duplicate file must not count twice
    frame = frame.drop_duplicates(subset="key", keep="first")
    experiment = EXPERIMENTS.get(str(frame["experiment"].iloc[0]))
    if experiment is not None:
        for name, spec in experiment.parameters.items():
            if spec.kind == "int" and name in frame:
                frame[name] = frame[name].astype("Int64")
    if keys is not None:
        present = set(frame["key"])
        missing = [key for key in keys if key not in present]
        if missing:
            raise ValueError(f"load_results: {len(missing)} requested keys are not in "
                             f"{str(results)!r}, e.g. {missing[0]!r}")
        return frame.set_index("key").loc[list(keys)].reset_index()
    order = [c for c in (list(experiment.parameters) if experiment else []) + ["seed"]
             if c in frame]
    return frame.sort_values(order, na_position="first", kind="stable",
                             ignore_index=True)
