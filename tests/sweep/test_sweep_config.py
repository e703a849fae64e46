"""Sweep configurations: TOML and Python, grids, random search, keys, validation, devices.

Nothing here starts a cluster or runs a network (the mapping onto cross_validate is checked
with a stand-in that records its arguments).
"""

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

# the [sweep] extra (part of [dev]); without it these tests are skipped
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from sklearn.model_selection import ParameterGrid

from spikeloom import units
from spikeloom.sweep import (
    Sweep,
    classify_device,
    load_results,
    row_schema,
    run_configuration,
    task_key,
)
from spikeloom.sweep._experiments import CLASSIFY, CLASSIFY_PARAMETERS
from spikeloom.sweep._run import write_row

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

TOML = """
[sweep]
experiment = "classify"
seeds = [0, 1, 2]

[fixed]
dataset = "iris"
folds = 3

[[grid]]
rule = ["nc", "ppx", "stdp"]
c2c = [0.0, 0.1, 0.2]

[[grid]]
rule = ["nc", "ppx", "stdp"]
levels = [2, 4, 8, 16]
"""


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return path


# -- grids ------------------------------------------------------------------------------------

def test_toml_grids_expand_like_parameter_grid_with_fixed_and_defaults(tmp_path):
    """Two grids concatenated (9 + 12 configurations), each the product of its lists in
    ParameterGrid's order; [fixed] and the experiment's defaults fill the rest."""
    sweep = Sweep.from_toml(_write(tmp_path, TOML))
    grids = [{"rule": ["nc", "ppx", "stdp"], "c2c": [0.0, 0.1, 0.2]},
             {"rule": ["nc", "ppx", "stdp"], "levels": [2, 4, 8, 16]}]
    expected = list(ParameterGrid(grids))
    assert len(sweep.configurations) == len(expected) == 21
    for config, given in zip(sweep.configurations, expected):
        assert {k: config[k] for k in given} == given
        assert config["dataset"] == "iris" and config["folds"] == 3
        assert config["encoding"] == "rate" and config["network"] == "classwise"
        assert config["epochs"] == 4 and config["decoder"] == "own-rate"
        untouched = {"levels", "c2c"} - set(given)
        assert all(config[k] == CLASSIFY_PARAMETERS[k].default for k in untouched)
    tasks = sweep.tasks()
    assert len(tasks) == 21 * 3
    assert [t.seed for t in tasks[:4]] == [0, 1, 2, 0]  # configuration-major
    assert sweep.source.startswith("\n[sweep]")


def test_toml_and_python_give_the_same_tasks(tmp_path):
    from_toml = Sweep.from_toml(_write(tmp_path, TOML))
    from_python = Sweep("classify", seeds=[0, 1, 2], fixed={"dataset": "iris", "folds": 3},
                        grid=[{"rule": ["nc", "ppx", "stdp"], "c2c": [0.0, 0.1, 0.2]},
                              {"rule": ["nc", "ppx", "stdp"], "levels": [2, 4, 8, 16]}])
    assert from_toml.tasks() == from_python.tasks()
    assert Sweep.from_dict(from_toml.to_dict()).tasks() == from_toml.tasks()


def test_no_grid_is_one_configuration_and_a_scalar_is_a_list_of_one():
    single = Sweep("classify", fixed={"rule": "ppx", "c2c": 0.1})
    assert len(single.configurations) == 1
    assert single.configurations[0]["rule"] == "ppx"
    assert Sweep(grid={"rule": "ppx", "c2c": [0.1, 0.2]}).varying() == ("c2c",)


def test_configurations_that_resolve_alike_run_once():
    """c2c = 0 given in one grid and left out in the other is one configuration; an alias
    of a data set is the data set."""
    sweep = Sweep(grid=[{"rule": ["nc"], "c2c": [0, 0.1]}, {"rule": ["nc"], "levels": [4]},
                        {"rule": ["nc"], "dataset": ["iris"]}])
    assert len(sweep.configurations) == 3
    assert sweep.configurations[0]["c2c"] == 0.0 and isinstance(sweep.configurations[0]["c2c"],
                                                               float)
    wisconsin = Sweep(grid={"dataset": ["wisconsin", "breast_cancer"]})
    assert [c["dataset"] for c in wisconsin.configurations] == ["wisconsin"]


# -- keys -------------------------------------------------------------------------------------

def test_keys_are_stable_and_tell_configurations_and_seeds_apart():
    """The key is a hash of the resolved configuration and seed: the same across processes
    and versions of the code that give the same parameters (a rerun must find old rows)."""
    sweep = Sweep(seeds=[0, 1], grid={"c2c": [0.1, 0.2]})
    keys = [t.key for t in sweep.tasks()]
    assert len(set(keys)) == 4
    assert all(len(k) == 20 and int(k, 16) >= 0 for k in keys)
    # an explicit default gives the same key as leaving the parameter out
    explicit = Sweep(seeds=[0, 1], fixed={"rule": "nc", "epochs": 4},
                     grid={"c2c": [0.1, 0.2], "levels": [None]})
    assert [t.key for t in explicit.tasks()] == keys
    # pinned, as documented: changing how keys are made orphans every stored result
    params = sweep.configurations[0]
    canonical = json.dumps({"experiment": "classify", "params": params, "seed": 0},
                           sort_keys=True, separators=(",", ":"))
    assert '"c2c":0.1' in canonical and '"levels":null' in canonical
    assert task_key("classify", params, 0) == keys[0] == \
        hashlib.sha256(canonical.encode()).hexdigest()[:20] == "242cefd5e66ca45ac3de"


# -- random search ---------------------------------------------------------------------------

RANDOM = {"n": 200, "seed": 7, "c2c": {"uniform": [0.05, 0.5]},
          "stuck": {"log_uniform": [1e-4, 1e-1]}, "levels": {"choice": [2, 4, 8, 16]},
          "rule": "ppx"}


def test_random_search_is_reproducible_for_its_seed_and_stays_in_bounds():
    first = Sweep(random=RANDOM).configurations
    again = Sweep(random=dict(RANDOM)).configurations
    other = Sweep(random={**RANDOM, "seed": 8}).configurations
    assert first == again
    assert first != other
    assert len(first) == 200
    c2c = np.array([c["c2c"] for c in first])
    stuck = np.array([c["stuck"] for c in first])
    assert np.all((c2c >= 0.05) & (c2c < 0.5)) and np.all((stuck >= 1e-4) & (stuck <= 1e-1))
    assert {c["levels"] for c in first} == {2, 4, 8, 16}
    assert {c["rule"] for c in first} == {"ppx"}
    # log-uniform: half the draws below the geometric mean of the bounds (uniform: ~1 %)
    assert 0.4 < np.mean(stuck < math.sqrt(1e-4 * 1e-1)) < 0.6
    assert 0.4 < np.mean(c2c < 0.275) < 0.6


def test_random_search_and_grids_are_concatenated():
    sweep = Sweep(grid={"rule": ["nc", "stdp"]},
                  random={"n": 5, "c2c": {"uniform": [0.1, 0.2]}})
    assert len(sweep.configurations) == 2 + 5
    assert [c["c2c"] for c in sweep.configurations[:2]] == [0.0, 0.0]


# -- validation -------------------------------------------------------------------------------

BAD = [
    # (arguments of Sweep, fragments the message must contain)
    ({"grid": {"c2c_noise": [0.1]}}, ["unknown parameter 'c2c_noise'", "allowed:", "c2c",
                                      "levels", "stuck"]),
    ({"fixed": {"lr": 0.1}}, ["[fixed]", "'lr'", "allowed:"]),
    ({"grid": [{"rule": ["nc"]}, {}]}, ["[[grid]] 2 is empty", "allowed:"]),
    ({"grid": {"c2c": []}}, ["[[grid]] 1", "c2c has no values", "a number >= 0"]),
    ({"grid": {"c2c": [0.1, -0.1]}}, ["c2c must be a number >= 0", "got -0.1"]),
    ({"grid": {"levels": [4, 1]}}, ["levels must be an integer >= 2", "got 1"]),
    ({"grid": {"levels": [4.0]}}, ["levels must be an integer", "got 4.0"]),
    ({"fixed": {"stuck": 1.5}}, ["stuck must be a number >= 0 and <= 1", "got 1.5"]),
    ({"fixed": {"c2c": "0.1"}}, ["c2c must be a number", "got '0.1'"]),
    ({"grid": {"rule": ["nc", "hebb"]}}, ["rule must be one of 'stdp', 'nc', 'ppx'",
                                          "got 'hebb'"]),
    ({"fixed": {"folds": 51}}, ["folds must be <= 50", "'iris'", "got 51"]),
    ({"fixed": {"n_neurons": 30}}, ["n_neurons", "network='wta'", "got n_neurons=30"]),
    ({"fixed": {"c2c": 0.1}, "grid": {"c2c": [0.2]}}, ["c2c is given in [fixed] and in "
                                                       "[[grid]] 1"]),
    ({"random": {"n": 3, "c2c": {"normal": [0, 1]}}},
     ["[random]", "c2c = {'normal': [0, 1]} is not a distribution", "uniform", "choice"]),
    ({"random": {"n": 3, "c2c": {"uniform": [0.5, 0.1]}}},
     ["c2c = {'uniform': [0.5, 0.1]}", "[low, high]", "low <= high"]),
    ({"random": {"n": 3, "stuck": {"log_uniform": [0, 0.1]}}},
     ["stuck = {'log_uniform': [0, 0.1]}", "0 < low <= high"]),
    ({"random": {"n": 3, "c2c": {"uniform": [-1, 0.1]}}}, ["c2c must be a number >= 0",
                                                            "got -1"]),
    ({"random": {"n": 3, "levels": {"uniform": [2, 16]}}}, ["levels", "use {choice = [...]}"]),
    ({"random": {"n": 3, "levels": {"choice": []}}}, ["levels has no values"]),
    ({"random": {"n": 3, "levels": [2, 4]}}, ["levels = [2, 4] is a list",
                                              "{choice = [2, 4]}"]),
    ({"random": {"c2c": {"uniform": [0, 1]}}}, ["n (the number of configurations) must be "
                                                "an integer >= 1", "got None"]),
    ({"seeds": [0, 0]}, ["seeds must be a non-empty list of distinct integers", "[0, 0]"]),
    ({"seeds": []}, ["seeds must be a non-empty list", "got []"]),
]


@pytest.mark.parametrize(("kwargs", "fragments"), BAD,
                         ids=[", ".join(f"{k}" for k in kw) + f"-{i}"
                              for i, (kw, _) in enumerate(BAD)])
def test_bad_configurations_name_the_argument_the_value_and_what_is_allowed(kwargs, fragments):
    with pytest.raises(ValueError) as info:
        Sweep("classify", **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_unknown_experiment():
    with pytest.raises(ValueError, match=r"experiment must be one of 'classify', got 'reg"):
        Sweep("regress")


@pytest.mark.parametrize(("text", "fragments"), [
    ("[sweep]\nseeds = [0]\n[grids]\nc2c = [0.1]\n", ["unknown section [grids]", "[grid]",
                                                     "[random]"]),
    ("[sweep]\nseed = [0]\n", ["[sweep]: unknown key 'seed'", "experiment, seeds"]),
    ("[sweep]\nexperiment = 'classify'\n[[grid]]\n", ["[[grid]] 1 is empty"]),
    ("[sweep\n", ["is not valid TOML"]),
])
def test_bad_toml_files(tmp_path, text, fragments):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError) as info:
        Sweep.from_toml(path)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_missing_toml_file_names_it(tmp_path):
    with pytest.raises(ValueError, match="cannot read .*nowhere.toml"):
        Sweep.from_toml(tmp_path / "nowhere.toml")


# -- devices and the mapping onto cross_validate ---------------------------------------------

def _config(**given):
    return Sweep(fixed=given).configurations[0]


def test_no_device_parameter_means_an_ideal_weight():
    assert classify_device(_config()) is None
    assert classify_device(_config(c2c=0.0, stuck=0.0, rule="ppx")) is None


@pytest.mark.parametrize(("given", "expected"), [
    ({"levels": 4}, {"n_levels": 4, "c2c": 0.0, "d2d": {}, "p_stuck_min": 0.0,
                     "drift": None, "read_noise": 0.0}),
    ({"c2c": 0.2}, {"n_levels": None, "c2c": 0.2, "c2c_mode": "relative"}),
    ({"d2d": 0.3}, {"d2d": {"G_max": 0.3}, "n_levels": None}),
    ({"stuck": 0.1}, {"p_stuck_min": 0.05, "p_stuck_max": 0.05}),
    ({"drift": 0.05}, {"drift": "power-law", "drift_nu": 0.05}),
    ({"read_noise": 0.02}, {"read_noise": 0.02, "c2c": 0.0}),
    ({"levels": 16, "c2c": 0.1, "stuck": 0.02},
     {"n_levels": 16, "c2c": 0.1, "p_stuck_min": 0.01, "p_stuck_max": 0.01}),
])
def test_device_parameters_map_onto_the_memristor(given, expected):
    device = classify_device(_config(**given))
    for name, value in expected.items():
        assert getattr(device, name) == value, name
    # the sweep's devices: G_min = 0 (w = G/G_max), 100 uS, drift reference 1 s
    assert float(device.G_min / units.siemens) == 0.0
    assert float(device.G_max / units.uS) == pytest.approx(100.0)
    assert float(device.drift_t0 / units.second) == pytest.approx(1.0)


def test_a_task_gives_cross_validate_every_parameter(monkeypatch, tmp_path):
    """A stand-in for cross_validate records what the task asks for; the row carries the
    key, the parameters, the seed and the scores, and reads back from its Parquet file."""
    import spikeloom.tasks._experiment as experiment_module

    calls = []

    class Result:
        f1 = np.array([0.5, 0.75])
        mean, sd = 0.625, 0.125

    def fake(dataset, rule, **kwargs):
        calls.append((dataset, rule, kwargs))
        return Result()

    monkeypatch.setattr(experiment_module, "cross_validate", fake)
    sweep = Sweep(seeds=[3], fixed={"dataset": "wisconsin", "rule": "ppx",
                                    "encoding": "temporal", "network": "wta", "folds": 4,
                                    "epochs": 2, "n_neurons": 12, "decoder": "logistic",
                                    "levels": 8, "c2c": 0.1})
    task = sweep.tasks()[0]
    row = run_configuration("classify", task.params, task.seed)
    (dataset, rule, kwargs), = calls
    assert (dataset, rule) == ("wisconsin", "ppx")
    assert kwargs["folds"] == 4 and kwargs["encoding"] == "temporal"
    assert kwargs["network"] == "wta" and kwargs["random_state"] == 3
    assert kwargs["controls"] is False and kwargs["progress"] is False
    params = kwargs["params"]
    assert (params["epochs"], params["n_neurons"], params["decoder"]) == (2, 12, "logistic")
    assert params["device"].n_levels == 8 and params["device"].c2c == 0.1
    assert row["key"] == task.key and row["seed"] == 3 and row["levels"] == 8
    assert (row["f1_mean"], row["f1_sd"], row["f1"]) == (0.625, 0.125, [0.5, 0.75])
    assert row["wall_s"] >= 0
    write_row(tmp_path, row, row_schema(CLASSIFY))
    (back,) = load_results(tmp_path).to_dict("records")
    assert back["levels"] == 8 and back["n_neurons"] == 12 and list(back["f1"]) == [0.5, 0.75]
    assert {k: back[k] for k in task.params if k not in ("levels", "n_neurons")} == \
        {k: v for k, v in task.params.items() if k not in ("levels", "n_neurons")}


# -- the shipped examples ---------------------------------------------------------------------

def test_smoke_example_is_a_small_valid_sweep():
    sweep = Sweep.from_toml(EXAMPLES / "sweep_smoke.toml")
    assert len(sweep.configurations) >= 20
    assert all(c["folds"] == 2 and c["epochs"] == 1 for c in sweep.configurations)


def test_robustness_example_covers_c2c_and_levels_for_three_rules():
    sweep = Sweep.from_toml(EXAMPLES / "sweep_robustness_iris.toml")
    configs = sweep.configurations
    assert sweep.seeds == (0, 1, 2)
    assert {c["rule"] for c in configs} == {"nc", "ppx", "stdp"}
    assert all(c["dataset"] == "iris" and c["folds"] == 5 for c in configs)
    c2c = {c["c2c"] for c in configs if c["levels"] is None}
    levels = {c["levels"] for c in configs if c["c2c"] == 0.0} - {None}
    assert c2c == {0.0, 0.05, 0.1, 0.2, 0.3, 0.5}
    assert levels == {2, 4, 8, 16, 32, 64, 128, 256}
    # the ideal device appears once per rule (c2c = 0 without levels)
    assert len(configs) == 3 * (6 + 8)
