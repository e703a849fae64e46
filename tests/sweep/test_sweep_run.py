"""Running sweeps on a LocalCluster: a killed worker, resuming, results, scheduler, CLI.

The configurations are the real 'classify' experiment, made small: Iris, temporal code,
2 folds, 1 epoch (~0.3 s a row once compiled). They all share one network structure (PPX
rule, levels and c2c on), so a cold cache compiles one loop per process.
"""

import os
import signal
import socket
import time
from types import SimpleNamespace

import numpy as np
import pytest

# the [sweep] extra (part of [dev]); without it these tests are skipped
distributed = pytest.importorskip("distributed")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import pandas as pd

import spikeloom
from spikeloom import units
from spikeloom.cli import main
from spikeloom.models.devices import Memristor
from spikeloom.sweep import (
    SchedulerUnreachableError,
    Sweep,
    load_results,
    run_sweep,
    task_key,
)
from spikeloom.sweep import _run as sweep_run
from spikeloom.tasks import cross_validate

SMALL = {"dataset": "iris", "rule": "ppx", "encoding": "temporal", "folds": 2, "epochs": 1}


@pytest.fixture(scope="module")
def client():
    """One LocalCluster of two single-threaded worker processes for the whole module."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


@pytest.fixture(autouse=True)
def _no_scheduler_from_the_environment(monkeypatch):
    monkeypatch.delenv("SPIKELOOM_SCHEDULER", raising=False)


def _row_files(folder):
    return sorted(p.name for p in folder.glob("*.parquet"))


class StopSweep(Exception):
    pass


# -- a worker killed mid-sweep ---------------------------------------------------------------

def test_a_killed_worker_loses_no_row_and_duplicates_none(client, tmp_path):
    """20 configurations on 2 workers; after 3 rows, the worker running a task is SIGKILLed.
    Its task is computed again elsewhere: every row is there exactly once."""
    sweep = Sweep(seeds=[0], fixed=SMALL, grid={"levels": [16, 64, 256, 1024],
                                                "c2c": [0.05, 0.1, 0.2, 0.3, 0.4]})
    assert len(sweep.configurations) == 20
    killed = []

    def kill_a_busy_worker(row):
        if killed or len(_row_files(tmp_path)) < 3:
            return
        pids = client.run(os.getpid)
        busy = [address for address, keys in client.processing().items() if keys]
        victim = pids[busy[0]] if busy else next(iter(pids.values()))
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    rows = run_sweep(sweep, tmp_path, client=client, progress=False,
                     on_result=kill_a_busy_worker)
    assert killed, "no worker was killed"
    assert killed[0] not in client.run(os.getpid).values()
    keys = [task.key for task in sweep.tasks()]
    assert _row_files(tmp_path) == sorted(f"{key}.parquet" for key in keys)
    stored = pd.read_parquet(tmp_path)
    assert len(stored) == 20 and stored["key"].is_unique
    assert list(rows["key"]) == keys and rows.attrs["computed"] == 20
    # each row holds the configuration its key was made from
    names = list(sweep.configurations[0])
    for _, row in rows.iterrows():
        params = {name: (None if pd.isna(row[name]) else row[name]) for name in names}
        params = {k: int(v) if k in ("folds", "epochs", "levels") and v is not None else v
                  for k, v in params.items()}
        assert task_key("classify", params, int(row["seed"])) == row["key"]
    assert np.all((rows["f1_mean"] >= 0) & (rows["f1_mean"] <= 1))
    assert all(len(f1) == 2 for f1 in rows["f1"])


# -- interrupting and resuming ---------------------------------------------------------------

RESUMED = Sweep(seeds=[0, 1, 2], fixed=SMALL, grid={"levels": [16, 64], "c2c": [0.1, 0.3]})


@pytest.fixture(scope="module")
def resumed(client, tmp_path_factory):
    """RESUMED (12 rows) stopped after 5 rows, 2 of those deleted, then run again."""
    out = tmp_path_factory.mktemp("resumed")

    def stop_after_five(row):
        if len(_row_files(out)) == 5:
            raise StopSweep

    with pytest.raises(StopSweep):
        run_sweep(RESUMED, out, client=client, progress=False, on_result=stop_after_five)
    after_stop = _row_files(out)
    for name in after_stop[:2]:
        (out / name).unlink()
    kept = {name: (out / name).stat().st_mtime_ns for name in after_stop[2:]}
    rows = run_sweep(RESUMED, out, client=client, progress=False)
    return {"out": out, "after_stop": after_stop, "kept": kept, "rows": rows}


def test_an_interrupted_sweep_recomputes_only_the_missing_rows(resumed):
    assert len(resumed["after_stop"]) == 5
    rows = resumed["rows"]
    assert rows.attrs["computed"] == 12 - 3 and rows.attrs["skipped"] == 3
    assert len(rows) == 12 and rows["key"].is_unique
    assert list(rows["key"]) == [task.key for task in RESUMED.tasks()]
    # the surviving rows were not written again
    for name, mtime in resumed["kept"].items():
        assert (resumed["out"] / name).stat().st_mtime_ns == mtime
    assert not list(resumed["out"].glob(".*"))  # no temporary file left behind


def test_a_complete_sweep_computes_nothing_and_needs_no_cluster(resumed):
    again = run_sweep(RESUMED, resumed["out"], scheduler="tcp://127.0.0.1:1", progress=False)
    assert again.attrs["computed"] == 0 and again.attrs["skipped"] == 12
    pd.testing.assert_frame_equal(again, resumed["rows"])


@pytest.mark.parametrize(("levels", "c2c", "seed"), [(64, 0.3, 2), (16, 0.1, 1)])
def test_rows_equal_cross_validate_run_directly(resumed, levels, c2c, seed):
    """An independent path: the device built by hand, cross_validate called directly."""
    rows = resumed["rows"]
    row = rows[(rows["levels"] == levels) & (rows["c2c"] == c2c) & (rows["seed"] == seed)]
    assert len(row) == 1
    device = Memristor(G_min=0 * units.siemens, G_max=100 * units.uS, n_levels=levels, c2c=c2c)
    spikeloom.seed(seed)
    direct = cross_validate("iris", "ppx", folds=2, encoding="temporal",
                            params={"epochs": 1, "device": device}, random_state=seed,
                            progress=False, controls=False)
    np.testing.assert_array_equal(row["f1"].iloc[0], direct.f1)
    assert row["f1_mean"].iloc[0] == pytest.approx(direct.mean, abs=1e-12)
    assert row["f1_sd"].iloc[0] == pytest.approx(direct.sd, abs=1e-12)


def test_rows_of_different_configurations_differ(resumed):
    """The scores depend on the parameters (else the equality above could not tell)."""
    rows = resumed["rows"]
    assert rows["f1_mean"].nunique() >= 6


def test_the_folder_is_a_parquet_dataset_with_the_config_beside_it(resumed):
    out = resumed["out"]
    assert len(pd.read_parquet(out)) == 12
    (config,) = out.glob("_sweep-*.json")
    assert '"c2c": [' in config.read_text() and '"experiment": "classify"' in config.read_text()
    loaded = load_results(out)
    assert loaded["key"].is_unique and len(loaded) == 12
    assert str(loaded["levels"].dtype) == "Int64"


# -- the scheduler ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_fails_fast_before_anything_is_written(tmp_path, monkeypatch):
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.perf_counter()
    with pytest.raises(SchedulerUnreachableError) as info:
        run_sweep(RESUMED, tmp_path / "out", scheduler=address, progress=False)
    assert time.perf_counter() - start < 10
    assert address in str(info.value) and "dask scheduler" in str(info.value)
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr(sweep_run, "CONNECT_TIMEOUT_S", 0.5)  # the default is tested above
    monkeypatch.setenv("SPIKELOOM_SCHEDULER", address)
    with pytest.raises(SchedulerUnreachableError, match="SPIKELOOM_SCHEDULER"):
        run_sweep(RESUMED, tmp_path / "out", progress=False)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"workers": 0}, "workers must be an integer >= 1 or None, got 0"),
    ({"workers": 2, "scheduler": "tcp://127.0.0.1:1"}, "workers=2 sets the size of the "
                                                       "LocalCluster"),
    ({"retries": -1}, "retries must be an integer >= 0, got -1"),
])
def test_bad_run_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_sweep(RESUMED, tmp_path, **kwargs)


# -- the command line ------------------------------------------------------------------------

# long (a cold run compiles several networks): in the slow set
@pytest.mark.slow
def test_cli_runs_a_toml_sweep_on_a_scheduler_resumes_and_plots(client, tmp_path, capsys):
    config = tmp_path / "tiny.toml"
    config.write_text('[sweep]\nseeds = [0]\n[fixed]\ndataset = "iris"\nrule = "ppx"\n'
                      'encoding = "temporal"\nfolds = 2\nepochs = 1\n'
                      '[[grid]]\nlevels = [16]\nc2c = [0.1, 0.3]\n'
                      '[[grid]]\nlevels = [64]\nc2c = [0.1]\n')
    out = tmp_path / "results"
    address = client.scheduler.address
    argv = ["sweep", str(config), "--scheduler", address, "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("classify sweep: 3 rows, 3 computed and 0 already there")
    assert lines[-1].startswith(f"results: {out}")
    assert main(argv) == 0
    assert "3 rows, 0 computed and 3 already there" in capsys.readouterr().out
    assert main(["sweep", "--plot", str(out), "--out", str(tmp_path / "f.png")]) == 0
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out.strip() == f"figure: {tmp_path / 'f.png'}"


def test_cli_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sweep_run, "CONNECT_TIMEOUT_S", 0.5)
    assert main(["sweep"]) == 2
    assert "give CONFIG.toml to run a sweep or --plot" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[[grid]]\nc2c = [-1]\n")
    assert main(["sweep", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "c2c must be a number >= 0, got -1" in capsys.readouterr().err
    address = f"tcp://127.0.0.1:{_free_port()}"
    good = tmp_path / "good.toml"
    good.write_text("[fixed]\nfolds = 2\n")
    assert main(["sweep", str(good), "--scheduler", address, "--out",
                 str(tmp_path / "o")]) == 2
    assert address in capsys.readouterr().err


def test_jax_backend_runs_the_folds_as_one_batch(monkeypatch):
    """backend='jax': the task's cross_validate runs under the JAX device with batch=True,
    and the device is back to what it was afterwards (the worker's next task)."""
    from spikeloom.sweep._experiments import run_classify
    from spikeloom.tasks import _experiment

    seen = {}

    def spy(*args, **kwargs):
        seen.update(device=spikeloom.get_device().name, batch=kwargs["batch"])
        return SimpleNamespace(mean=0.5, sd=0.0, f1=np.array([0.5, 0.5]))

    monkeypatch.setattr(_experiment, "cross_validate", spy)
    params = Sweep(fixed={**SMALL, "backend": "jax"}).configurations[0]
    spikeloom.set_device("numba")
    run_classify(params, 0)
    assert seen == {"device": "jax", "batch": True}
    assert spikeloom.get_device().name == "numba"
    run_classify({**params, "backend": "numba"}, 0)
    assert seen == {"device": "numba", "batch": False}
