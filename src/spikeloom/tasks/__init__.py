"""Learning tasks: spiking classifiers and a closed-loop controller trained with classic or
memristive STDP.

Sits above the model library: datasets, encoders (scaling, Gaussian receptive fields, rate
and latency codes), the group's two networks built from :mod:`spikeloom.models`, decoders
and the scikit-learn estimator :class:`MemristiveSNNClassifier` (``docs/learning.md``); the
closed loop between an environment and a network, and CartPole learned from a teacher
(:func:`train_cartpole`, ``docs/closed_loop.md``).

The names below are imported on first use (PEP 562): ``import spikeloom.tasks`` alone does not
load scikit-learn, so the ``spikeloom`` command starts as fast as before.
"""

from importlib import import_module

from ._names import DATASETS as DATASETS
from ._names import DECODERS as DECODERS
from ._names import ENCODINGS as ENCODINGS
from ._names import NETWORKS as NETWORKS
from ._names import RULES as RULES

_LAZY = {
    "MemristiveSNNClassifier": "._estimator", "make_rule": "._estimator",
    "ClassificationResult": "._experiment", "cross_validate": "._experiment",
    "fit_predict_together": "._experiment",
    "results_table": "._report", "write_report": "._report",
    "PUBLISHED": ".datasets", "load_dataset": ".datasets",
    "OwnRateDecoder": ".decoders", "make_decoder": ".decoders",
    "FeatureScaler": ".encoding", "GaussianReceptiveFields": ".encoding",
    "LatencyEncoder": ".encoding", "RateEncoder": ".encoding",
    "CartPole": ".cartpole", "CartPoleResult": ".cartpole", "make_env": ".cartpole",
    "train_cartpole": ".cartpole", "cartpole_teacher": ".cartpole",
    "ObservationFields": "._closedloop", "SpikingPolicy": "._closedloop",
    "run_episode": "._closedloop", "choose_actions": "._closedloop",
}

__all__ = ["DATASETS", "DECODERS", "ENCODINGS", "NETWORKS", "RULES", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
