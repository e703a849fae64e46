"""``MemristiveSNNClassifier``: train a spiking network with (memristive) STDP, freeze, test.

The protocol of Sboev et al. (2020, 2021): features are normalised, spread over Gaussian
receptive fields and coded as spike latencies (temporal) or Poisson rates; a network of
:mod:`spikeloom.tasks._networks` learns with the plasticity rule for ``epochs`` passes over
the training set (one compiled run each); then plasticity is frozen (``Synapses.plastic``),
the training set is presented once more and a decoder learns the map from the output spike
counts to the classes. ``predict`` presents new samples to the frozen network.
"""

from __future__ import annotations

import hashlib
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import units
from ..models.devices import Memristor
from ..models.plasticity import NanocompositeSTDP, PairSTDP, ParyleneSTDP, PlasticityRule
from ._names import DECODERS, ENCODINGS, NETWORKS, RULES
from ._networks import DT, ClasswiseNetwork, WTANetwork, run_networks
from ._spikes import latency_schedule, poisson_schedule
from .datasets import check_classification_data
from .decoders import make_decoder
from .encoding import FeatureScaler, GaussianReceptiveFields, LatencyEncoder, RateEncoder

#: Settings left at None take these values (searched on Iris with the NC rule, 5 folds each;
#: docs/learning.md). Currents in pA per unit weight for 4 features.
#: temporal: the neuron of the sample's class is driven (8 pA), so it learns its class's
#: fields as a positive template. rate: no drive and dense 400 Hz input, so nearest-neighbour
#: STDP depresses the fields of the neuron's own class until it is nearly silent on it (the
#: group's "rate stabilisation"); own-rate decoding then picks the most silent neuron.
TUNED = {"temporal": {"weight_scale": 10.0, "target_current": 8.0, "initial_weight": 0.05,
                      "pause": 30 * units.ms, "presentation": None, "high_rate": None,
                      "readout_current": 0.0},
         "rate": {"weight_scale": 0.7, "target_current": 0.0, "initial_weight": 0.5,
                  "pause": 50 * units.ms, "presentation": 350 * units.ms,
                  "high_rate": 400 * units.Hz, "readout_current": 0.0}}
#: the number of features the weight scales are given for (Iris)
REFERENCE_FEATURES = 4
#: nS per unit weight of the WTA input synapses (5 of 2, 5, 10 on Iris: most neurons fire)
WTA_WEIGHT_SCALE = 5.0
#: the class-wise neurons integrate longer than the group's (tau_m = 10 ms, tau_syn = 5 ms):
#: spike counts then grow with the summed input instead of saturating after a few spikes
CLASSWISE_NEURON = {"tau_m": 100 * units.ms, "tau_syn_ex": 10 * units.ms}


def make_rule(rule, device: Memristor | None = None,
              learning_rate: float = 1.0) -> PlasticityRule:
    """The plasticity rule named ``rule`` (or ``rule`` itself), with ``device`` under it.

    'stdp': additive STDP as in the group's 2020 Iris network (NEST ``stdp_nn_restr_synapse``,
    α = 1.64, τ+ = 89.4 ms, τ- = 59.96 ms, w in [0, 1]) with λ = 0.01 instead of 0.001 (ten
    times fewer epochs); 'nc': :meth:`NanocompositeSTDP.nest_fit`;
    'ppx': :meth:`ParyleneSTDP.nest_fit` (both the group's NEST defaults, clipped to [0, 1]).

    Parameters
    ----------
    rule : {'stdp', 'nc', 'ppx'} or PlasticityRule
        A rule's name, or a rule object (returned as it is).
    device : Memristor, optional
        The device under a rule given by name (a rule object carries its own).
    learning_rate : float
        Factor (> 0) on both amplitudes of a rule given by name (A+ and A- of 'stdp' and
        'nc', alpha+ and alpha- of 'ppx'): the window's shape and weight dependence stay the
        device's, each pair moves the weight ``learning_rate`` times as far (as λ in NEST's
        STDP synapses). A rule object carries its own amplitudes (1.0 only).

    Returns
    -------
    PlasticityRule
    """
    if device is not None and not isinstance(device, Memristor):
        raise TypeError(f"MemristiveSNNClassifier: device must be a Memristor or None, got "
                        f"{device!r}")
    if isinstance(rule, PlasticityRule):
        if device is not None:
            raise ValueError("MemristiveSNNClassifier: device= works with a rule given by "
                             "name; a rule object carries its own device (rule=..., "
                             "device=None)")
        if learning_rate != 1.0:
            raise ValueError(f"MemristiveSNNClassifier: learning_rate works with a rule given "
                             f"by name; a rule object carries its own amplitudes (rule=..., "
                             f"learning_rate=1.0), got learning_rate={learning_rate!r}")
        return rule
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) \
            or not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"MemristiveSNNClassifier: learning_rate must be a finite number "
                         f"> 0, got {learning_rate!r}")
    if rule == "stdp":
        return PairSTDP(A_plus=0.01 * learning_rate, A_minus=-0.01 * 1.64 * learning_rate,
                        tau_plus=89.4 * units.ms, tau_minus=59.96 * units.ms, w_min=0.0,
                        w_max=1.0, pairing="nn_restr", device=device)
    if rule == "nc":
        fit = NanocompositeSTDP.nest_fit()
        return NanocompositeSTDP.nest_fit(A_plus=fit.A_plus * learning_rate,
                                          A_minus=fit.A_minus * learning_rate, device=device)
    if rule == "ppx":
        fit = ParyleneSTDP.nest_fit()
        return ParyleneSTDP.nest_fit(alpha_plus=fit.alpha_plus * learning_rate,
                                     alpha_minus=fit.alpha_minus * learning_rate,
                                     device=device)
    raise ValueError(f"MemristiveSNNClassifier: rule must be one of {', '.join(RULES)} or a "
                     f"PlasticityRule object, got {rule!r}")


def _choice(name: str, value, allowed: tuple) -> str:
    if value not in allowed:
        raise ValueError(f"MemristiveSNNClassifier: {name} must be one of "
                         f"{', '.join(map(repr, allowed))}, got {value!r}")
    return value


class MemristiveSNNClassifier(ClassifierMixin, BaseEstimator):
    """A spiking classifier that learns with classic or memristive STDP (scikit-learn API).

    Parameters
    ----------
    rule : {'stdp', 'nc', 'ppx'} or PlasticityRule
        The plasticity of the input synapses (see :func:`make_rule`).
    network : {'classwise', 'wta'}
        One ``iaf_psc_exp`` neuron per class trained with a teacher current, or an
        unsupervised winner-take-all layer of ``n_neurons`` conductance neurons.
    encoding : {'rate', 'temporal'}
        Poisson rates up to ``high_rate`` (``presentation`` then ``pause``; the default, the
        group's code, and our best results), or, as in the 2021 paper, one spike per input,
        earlier for a stronger receptive-field response (``window`` then ``pause``).
    device : Memristor, optional
        Device model under the weights (with a rule given by name).
    epochs : int
        Passes over the training set with plasticity on (0: the random initial weights
        are kept; the frozen-weight control).
    n_fields : int
        Gaussian receptive fields per feature.
    scaler : str or None
        Normalisation before the receptive fields (see :class:`FeatureScaler`).
    decoder : {'own-rate', 'logistic', 'boosting'}
        From the frozen network's spike counts to classes.
    weight_scale : float, optional
        Synaptic current (classwise, pA) or conductance (wta, nS) of a weight of 1 for data
        with 4 features; divided by n_features/4 for other data.
    window, presentation, pause : Quantity (time), optional
        Temporal code window, rate-code presentation, silence after each sample.
    high_rate : Quantity (Hz), optional
        Rate of a full receptive-field response (rate coding; 0.1 Hz for none).
    n_neurons : int, optional
        Excitatory neurons of the WTA network (default: 10 per class).
    initial_weight : float or 'uniform', optional
        Every initial weight at this fraction of the rule's range, or drawn uniformly in it.
    target_current : float, optional
        Current (pA) given to the neuron of the sample's class while training (class-wise
        network; the group gives none and only silences the others with -1000 pA).
    input_copies : int
        Inputs per receptive field (the group's 2020 networks use 24).
    n_estimators : int
        Class-wise sub-networks trained side by side in the same runs (the group's 2023
        bagging networks; class-wise network only). Each has one neuron per class, sees
        the features of its own subset (``max_features``) and gets the same teacher; the
        own-rate decoder then averages ``|count - own rate|`` over the neurons of each class.
    max_features : int or float
        Features seen by each sub-network, drawn without replacement (as scikit-learn's
        ``BaggingClassifier(bootstrap_features=False)``): an int is a count (1 to the
        number of non-constant features), a float in (0, 1] a fraction of them (at least
        one). With 1.0 every sub-network sees every feature.
    readout_current : float, optional
        Constant current (pA) into every class-wise neuron while the frozen network is read
        (the decoder's pass over the training set and ``predict``; training runs get the
        teacher's currents). Below rheobase (about 0.25 pA) it lets the neurons that the
        learned weights leave nearly silent still fire a little, so own-rate decoding can
        rank them (class-wise network only).
    learning_rate : float
        Factor (> 0) on the amplitudes of a rule given by name (see :func:`make_rule`).

    Settings left at None take the tuned values of :data:`TUNED` for the encoding.
    random_state : int, optional
        Seed of the initial weights, the Poisson trains, the sample order and the device
        draws; ``fit`` gives the same result for the same seed.
    progress : bool
        Show a progress bar over the epochs.

    Attributes
    ----------
    classes_ : ndarray
    weights_ : ndarray (n_inputs, n_outputs)
        Weights after training (0 where a sub-network does not see the input).
    feature_subsets_ : ndarray of int (n_estimators, n_features_per_network)
        The non-constant features (indices among them) each sub-network sees; output
        neuron ``e * n_classes + c`` is sub-network e's neuron of class c.
    weight_history_ : ndarray (epochs + 1, n_inputs, n_outputs)
        Weights before training and after each epoch.
    train_counts_ : ndarray (n_samples, n_outputs)
        Spike counts of the frozen network on the training set (the decoder's input).
    decoder_ : estimator
        The fitted decoder.
    """

    def __init__(self, rule="nc", network="classwise", encoding="rate", device=None,
                 epochs: int = 4, n_fields: int = 7, scaler="minmax", decoder="own-rate",
                 weight_scale: float | None = None, window=20 * units.ms,
                 presentation=None, pause=None, high_rate=None,
                 n_neurons: int | None = None, initial_weight=None,
                 target_current: float | None = None, input_copies: int = 1,
                 n_estimators: int = 1, max_features=1.0, readout_current: float | None = None,
                 learning_rate: float = 1.0, random_state=None, progress: bool = False) -> None:
        self.rule = rule
        self.network = network
        self.encoding = encoding
        self.device = device
        self.epochs = epochs
        self.n_fields = n_fields
        self.scaler = scaler
        self.decoder = decoder
        self.weight_scale = weight_scale
        self.window = window
        self.presentation = presentation
        self.pause = pause
        self.high_rate = high_rate
        self.n_neurons = n_neurons
        self.initial_weight = initial_weight
        self.target_current = target_current
        self.input_copies = input_copies
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.readout_current = readout_current
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.progress = progress

    # -- checks ----------------------------------------------------------------------------------
    def _check_params(self) -> None:
        _choice("network", self.network, NETWORKS)
        _choice("encoding", self.encoding, ENCODINGS)
        _choice("decoder", self.decoder, DECODERS)
        make_rule(self.rule, self.device, self.learning_rate)
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int | np.integer) \
                or self.epochs < 0:
            raise ValueError(f"MemristiveSNNClassifier: epochs must be an integer >= 0, got "
                             f"{self.epochs!r}")
        if self.weight_scale is not None and not (
                isinstance(self.weight_scale, int | float) and self.weight_scale > 0):
            raise ValueError(f"MemristiveSNNClassifier: weight_scale must be a number > 0 or "
                             f"None, got {self.weight_scale!r}")
        if isinstance(self.n_estimators, bool) or not isinstance(
                self.n_estimators, int | np.integer) or self.n_estimators < 1:
            raise ValueError(f"MemristiveSNNClassifier: n_estimators must be an integer >= 1, "
                             f"got {self.n_estimators!r}")
        m = self.max_features
        if isinstance(m, bool) or not isinstance(m, int | np.integer | float) or (
                isinstance(m, float) and not 0.0 < m <= 1.0) or (
                not isinstance(m, float) and m < 1):
            raise ValueError(f"MemristiveSNNClassifier: max_features must be an integer >= 1 "
                             f"or a float in (0, 1], got {m!r}")
        if self.network != "classwise" and (self.n_estimators != 1 or m != 1.0):
            raise ValueError(f"MemristiveSNNClassifier: n_estimators and max_features work "
                             f"with network='classwise' only, got network={self.network!r}, "
                             f"n_estimators={self.n_estimators!r}, max_features={m!r}")
        current = self.readout_current
        if current is not None and (isinstance(current, bool)
                                    or not isinstance(current, int | float | np.floating)
                                    or not np.isfinite(current)):
            raise ValueError(f"MemristiveSNNClassifier: readout_current must be a finite "
                             f"number (pA) or None, got {current!r}")
        if self.network != "classwise" and current:
            raise ValueError(f"MemristiveSNNClassifier: readout_current works with "
                             f"network='classwise' only, got network={self.network!r}, "
                             f"readout_current={current!r}")

    def _n_features_per_network(self, n_features: int) -> int:
        """``max_features`` as a count of the ``n_features`` non-constant features."""
        m = self.max_features
        if isinstance(m, float):
            return max(1, int(m * n_features))
        if m > n_features:
            raise ValueError(f"MemristiveSNNClassifier: max_features={m!r} is more than the "
                             f"{n_features} non-constant features of X")
        return int(m)

    def _setting(self, name: str):
        """The parameter ``name``, or the tuned value of the encoding if it is None."""
        value = getattr(self, name)
        return TUNED[self.encoding][name] if value is None else value

    # -- encoding --------------------------------------------------------------------------------
    def _encoder(self):
        if self.encoding == "temporal":
            return LatencyEncoder(window=self.window, pause=self._setting("pause"))
        return RateEncoder(low=0.1 * units.Hz, high=self._setting("high_rate"),
                           presentation=self._setting("presentation"),
                           pause=self._setting("pause"))

    def _schedule(self, X: np.ndarray, rng: np.random.Generator | None):
        """The input spikes of the samples of ``X`` (``rng``: see :meth:`_sample_seeds`)."""
        values = self.spike_encoder_.transform(
            self.fields_.transform(self.scaler_.transform(X[:, self.informative_])))
        # each response drives input_copies inputs (the group's 2020 networks: 24 per field)
        values = np.repeat(values, self.input_copies, axis=1)
        period = int(round(self.spike_encoder_.period_ / DT))
        if self.encoding == "temporal":
            return latency_schedule(values, period, DT)
        presentation = int(round(float(self._setting("presentation") / units.second) / DT))
        return poisson_schedule(values, presentation, period, DT, self._sample_seeds(X, rng))

    def _sample_seeds(self, X: np.ndarray, rng: np.random.Generator | None) -> list:
        """Seeds of the samples' Poisson trains: fresh draws while learning (``rng``), and
        while frozen (``rng`` None) a function of the sample's values and the fit's seed, so
        a sample gets the same train in every batch, order and call."""
        if rng is not None:
            return list(rng.integers(0, 2**63 - 1, size=len(X)))
        row_seeds = [int.from_bytes(hashlib.blake2b(np.ascontiguousarray(row).tobytes(),
                                                    digest_size=8).digest(), "little")
                     for row in X]
        return [[self.network_seed_, seed] for seed in row_seeds]

    # -- fit / predict -----------------------------------------------------------------------
    def fit(self, X, y):
        """Learn with plasticity for ``epochs`` passes, freeze, fit the decoder.

        Parameters
        ----------
        X : array (n_samples, n_features)
            Finite features.
        y : array (n_samples,)
            Class labels (at least two classes).
        """
        run_requests([self._fit_runs(X, y)])
        return self

    def _fit_runs(self, X, y):
        """:meth:`fit` as a generator of its network runs (see :func:`run_requests`): it
        yields ``(network, schedule, teacher)`` and is sent back the spike counts."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite=True)
        check_classification_targets(y)
        X, y = check_classification_data(X, y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        rng = np.random.default_rng(self.random_state)
        self._fit_encoding(X)
        self.feature_subsets_ = self._feature_subsets(rng)
        net = self._build(self._n_inputs(), rng)
        # epochs shuffled passes with plasticity on; the weights after each are kept
        history = [net.weights]
        for _ in self._epochs():
            order = rng.permutation(len(X))
            yield net, self._schedule(X[order], rng), self._teacher(y_index[order], net)
            history.append(net.weights)
        self.weight_history_ = np.stack(history)
        self.weights_ = history[-1]
        # what predict's fresh network needs besides the weights: the WTA thresholds
        self.thresholds_ = net.thresholds if self.network == "wta" else None
        self.network_seed_ = self._seed(rng)
        # the decoder learns from the network predict will use (a fresh one with the trained
        # weights): a device's drift clock and read noise are then the same for both
        self.train_counts_ = yield self._frozen_network(), self._schedule(X, None), None
        self._fit_decoder(y_index, self._seed(rng))

    def _fit_decoder(self, y_index: np.ndarray, seed: int) -> None:
        self.decoder_ = make_decoder(self.decoder, random_state=seed)
        if self.decoder == "own-rate" and self.network == "wta":
            self.decoder_.set_params(neuron_classes="auto")
        elif self.decoder == "own-rate" and self.n_estimators > 1:
            # y_index labels: neuron e * n_classes + c belongs to class c
            self.decoder_.set_params(neuron_classes=np.tile(np.arange(len(self.classes_)),
                                                            self.n_estimators))
        self.decoder_.fit(self.train_counts_, y_index)

    def _fit_encoding(self, X: np.ndarray) -> None:
        """Fit the feature selection, scaling, receptive fields and spike code on ``X``."""
        # a feature constant over the training set (digits' border pixels) would drive every
        # neuron alike in every sample: it carries no class information, so it gets no input
        self.informative_ = np.ptp(X, axis=0) > 0
        if not self.informative_.any():
            raise ValueError("MemristiveSNNClassifier: every feature of X is constant over the "
                             "training samples; nothing to learn from")
        Xi = X[:, self.informative_]
        self.scaler_ = FeatureScaler(self.scaler).fit(Xi)
        self.fields_ = GaussianReceptiveFields(self.n_fields).fit(self.scaler_.transform(Xi))
        self.spike_encoder_ = self._encoder().fit(
            self.fields_.transform(self.scaler_.transform(Xi)))

    def _feature_subsets(self, rng: np.random.Generator) -> np.ndarray:
        """The features of each sub-network (sorted; all of them: no draw from ``rng``)."""
        n = self.fields_.n_features_in_
        m = self._n_features_per_network(n)
        if m == n:
            return np.tile(np.arange(n), (self.n_estimators, 1))
        return np.sort(np.stack([rng.choice(n, size=m, replace=False)
                                 for _ in range(self.n_estimators)]), axis=1)

    def _connectivity(self) -> np.ndarray | None:
        """Input-to-neuron mask of the sub-networks (None: all-to-all)."""
        n = self.fields_.n_features_in_
        if self.feature_subsets_.shape[1] == n:
            return None
        per_feature = self.n_fields * self.input_copies
        n_classes = len(self.classes_)
        mask = np.zeros((n, self.n_estimators * n_classes), dtype=bool)
        for e, subset in enumerate(self.feature_subsets_):
            mask[np.ix_(subset, np.arange(e * n_classes, (e + 1) * n_classes))] = True
        return np.repeat(mask, per_feature, axis=0)

    def _n_inputs(self) -> int:
        return self.fields_.n_features_in_ * self.n_fields * self.input_copies

    def _epochs(self):
        if self.progress:
            from tqdm.auto import trange

            return trange(self.epochs, desc=f"{self._rule_label()} epochs", leave=False)
        return range(self.epochs)

    def _rule_label(self) -> str:
        return self.rule if isinstance(self.rule, str) else type(self.rule).__name__

    @staticmethod
    def _seed(rng: np.random.Generator) -> int:
        return int(rng.integers(0, 2**31 - 1))

    def _teacher(self, y_index: np.ndarray, net) -> np.ndarray | None:
        if self.network != "classwise":
            return None
        return np.tile(np.eye(len(self.classes_), dtype=bool)[y_index], (1, self.n_estimators))

    def _build(self, n_inputs: int, rng: np.random.Generator):
        rule = make_rule(self.rule, self.device, self.learning_rate)
        seed = self._seed(rng)
        period = int(round(self.spike_encoder_.period_ / DT))
        n_classes = len(self.classes_)
        if self.network == "classwise":
            n_out = n_classes * self.n_estimators
            w = self._initial_weights(rule, rng, (n_inputs, n_out))
            return ClasswiseNetwork(n_inputs, n_out, rule, w, period,
                                    weight_unit=self._per_feature(self._setting("weight_scale"))
                                    * units.pA,
                                    neuron=CLASSWISE_NEURON, seed=seed,
                                    target_current=self._setting("target_current") * units.pA,
                                    connectivity=self._connectivity(),
                                    readout_current=self._setting("readout_current")
                                    * units.pA)
        n = self.n_neurons or 10 * n_classes
        w = self._initial_weights(rule, rng, (n_inputs, n))
        scale = WTA_WEIGHT_SCALE if self.weight_scale is None else self.weight_scale
        unit = self._per_feature(scale) * units.nS
        return WTANetwork(n_inputs, n, rule, w, period, weight_unit=unit, seed=seed)

    def _per_feature(self, scale: float) -> float:
        """``scale`` for 4 features (Iris, where it was tuned), divided by n_features/4 (the
        features one neuron sees): a sample drives about as many fields per feature, so the
        summed input stays the same."""
        return scale * REFERENCE_FEATURES / self.feature_subsets_.shape[1]

    def _initial_weights(self, rule, rng: np.random.Generator, shape) -> np.ndarray:
        """All at ``initial_weight`` (a fraction of the rule's range), or 'uniform' in it."""
        draw = rng.uniform(size=shape)
        # the WTA layer starts from the group's uniform weights: its neurons must differ
        initial = self.initial_weight if self.network == "wta" else None
        initial = "uniform" if self.network == "wta" and initial is None else (
            initial if initial is not None else self._setting("initial_weight"))
        if initial == "uniform":
            return rule.w_min + (rule.w_max - rule.w_min) * draw
        return np.full(shape, rule.w_min + initial * (rule.w_max - rule.w_min))

    def _frozen_network(self):
        """A fresh network with the trained weights, plasticity off."""
        net = self._build(self._n_inputs(), np.random.default_rng(self.network_seed_))
        net.weights = self.weights_
        if self.thresholds_ is not None:
            net.thresholds = self.thresholds_
        net.plastic = False
        return net

    def decision_counts(self, X) -> np.ndarray:
        """Spike counts (n_samples, n_outputs) of the frozen network for ``X``."""
        return run_requests([self._count_runs(X)])[0]

    def _count_runs(self, X):
        """:meth:`decision_counts` as a generator of its one run; returns the counts."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, ensure_all_finite=True)
        return (yield self._frozen_network(), self._schedule(X, None), None)

    def predict(self, X) -> np.ndarray:
        """Class of each sample of ``X`` (array (n_samples, n_features))."""
        counts = self.decision_counts(X)
        return self.classes_[self.decoder_.predict(counts)]


def run_requests(procedures) -> list:
    """Drive generators of network runs, batching the runs that are due at the same time.

    Each procedure (``MemristiveSNNClassifier._fit_runs`` or ``_count_runs``) yields
    ``(network, schedule, teacher)`` for every run it needs and is sent that run's spike
    counts back. The runs due together are one :func:`~spikeloom.run_batch` (on the JAX
    backend: one vectorised program), alone they are one ``run()``. Procedures advance in
    lock step, so they must ask for the same number of runs of equal structure (the same
    estimator parameters but the seed and the data: the folds of a cross-validation).

    Returns
    -------
    list
        What each procedure returned.
    """
    procedures = list(procedures)
    results: list = [None] * len(procedures)
    pending = {k: _advance(p, None, results, k) for k, p in enumerate(procedures)}
    pending = {k: request for k, request in pending.items() if request is not None}
    while pending:
        keys = list(pending)
        counts = run_networks([pending[k] for k in keys])
        pending = {}
        for k, c in zip(keys, counts):
            request = _advance(procedures[k], c, results, k)
            if request is not None:
                pending[k] = request
    return results


def _advance(procedure, value, results: list, k: int):
    """The procedure's next run request, or None when it has returned (kept in results)."""
    try:
        return procedure.send(value)
    except StopIteration as stop:
        results[k] = stop.value
        return None
