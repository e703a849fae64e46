"""The Kurchatov group's two classifier networks, assembled from :mod:`spikeloom.models`.

Both take their input from one :class:`~spikeloom.SpikeGeneratorGroup` that holds every
sample of a run (``_spikes.py``), so a whole epoch is one compiled run: the teacher current
is a :class:`~spikeloom.TimedArray` with one row per sample, the reset between samples a
``run_regularly`` operation, and the per-sample spike counts are binned from one
:class:`~spikeloom.SpikeMonitor`. Between runs only values change (spikes, the teacher's
rows, ``plastic``, thresholds), so every run after the first reuses the compiled loop.

* :class:`ClasswiseNetwork` -- one NEST ``iaf_psc_exp`` neuron per class, all-to-all plastic
  input synapses; while training, the neurons of the other classes are silenced by a
  suppressing current (Sboev et al. 2020; the group's ``base_classwise_bagging_network``).
* :class:`WTANetwork` -- Diehl & Cook (2015) style: conductance LIF neurons with an adaptive
  threshold, each driving one inhibitory partner that inhibits all the others.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import units
from ..core import Network, SpikeGeneratorGroup, SpikeMonitor, Synapses, TimedArray, run_batch
from ..models.neurons import iaf_cond_exp, iaf_psc_exp
from ._spikes import SpikeSchedule, counts_per_sample

#: time step of every task network, seconds (the group's NEST resolution)
DT = 1e-4
#: the suppressing current of the neurons of the other classes during training (the group's)
TEACHER_CURRENT = -1000 * units.pA
#: statements that end a neuron's refractory period at a sample's start (the reset of V_m
#: that follows is then not held back by a spike at the end of the previous pause)
FORGET = "lastspike = -1e4*second\nnot_refractory = True\n"


class _TaskNetwork:
    """What both networks share: the input generator, runs over schedules, the weights."""

    def __init__(self, n_inputs: int, n_outputs: int, period_steps: int, seed: int) -> None:
        self.n_inputs = int(n_inputs)
        self.n_outputs = int(n_outputs)
        self.period_steps = int(period_steps)
        #: seed of every run's random draws (a device's pulse and read noise): a network
        #: built with the same seed draws the same numbers, whatever the global seed()
        self.seed = int(seed)
        self.inputs = SpikeGeneratorGroup(self.n_inputs, np.zeros(0, np.int64),
                                          np.zeros(0) * units.second, dt=DT * units.second)
        self.synapses: Synapses | None = None
        self.monitor: SpikeMonitor | None = None
        self.network: Network | None = None

    # -- state ---------------------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """Plastic weights as a matrix (n_inputs, n_outputs)."""
        S = self.synapses
        matrix = np.zeros((self.n_inputs, self.n_outputs))
        matrix[S.i, S.j] = S.w[:]
        return matrix

    @weights.setter
    def weights(self, matrix: np.ndarray) -> None:
        S = self.synapses
        S.w = np.asarray(matrix, dtype=np.float64)[S.i, S.j]

    @property
    def plastic(self) -> bool:
        return self.synapses.plastic

    @plastic.setter
    def plastic(self, value: bool) -> None:
        self._set_plastic(value)

    def _set_plastic(self, value: bool) -> None:
        self.synapses.plastic = value

    # -- runs ------------------------------------------------------------------------------------
    def _namespace(self, schedule: SpikeSchedule, teacher, start: int) -> dict:
        raise NotImplementedError

    def run(self, schedule: SpikeSchedule, teacher: np.ndarray | None = None) -> np.ndarray:
        """Present every sample of ``schedule`` in one run; return spike counts per sample.

        Parameters
        ----------
        schedule : SpikeSchedule
            The input spikes; its period must be this network's.
        teacher : ndarray of bool (n_samples, n_outputs), optional
            True for the neuron of each sample's class (it gets the target current, the
            others the suppressing one); None: no teacher (all neurons free).

        Returns
        -------
        ndarray of int (n_samples, n_outputs)
        """
        return run_networks([(self, schedule, teacher)])[0]

    def _start(self, schedule: SpikeSchedule, teacher) -> tuple[dict, int, int]:
        """Load the schedule's spikes; (the run's namespace, its first step, spikes so far)."""
        if schedule.period_steps != self.period_steps:
            raise ValueError(f"{type(self).__name__}.run: the schedule has "
                             f"{schedule.period_steps} steps per sample, the network "
                             f"{self.period_steps}")
        start = int(round(self.network.t_ / DT))
        self.inputs.set_spikes(schedule.indices, (schedule.steps + start) * DT * units.second)
        return self._namespace(schedule, teacher, start), start, self.monitor.num_spikes

    def _counts(self, schedule: SpikeSchedule, start: int, seen: int) -> np.ndarray:
        """Spike counts per sample of the run that started at step ``start``."""
        idx = np.asarray(self.monitor.i[seen:], dtype=np.int64)
        steps = np.round(np.asarray(self.monitor.t_[seen:]) / DT).astype(np.int64) - start
        return counts_per_sample(idx, steps, self.n_outputs, schedule)


def run_networks(requests) -> list[np.ndarray]:
    """Run several task networks side by side; the spike counts per sample of each.

    Parameters
    ----------
    requests : sequence of (network, schedule, teacher)
        As for :meth:`_TaskNetwork.run`. The runs are one :func:`~spikeloom.run_batch`
        (one vectorised program on the JAX backend when there are several), which needs
        networks of the same structure at the same time; each runs with its own
        ``seed``. Schedules with fewer samples than the longest get silent samples at
        their end (their counts are dropped), so every trial runs as long; then, unlike
        separate runs, the later runs of the shorter trials start later.

    Returns
    -------
    list of ndarray of int (n_samples, n_outputs)
    """
    requests = list(requests)
    n_samples = max(schedule.n_samples for _, schedule, _ in requests)
    started = []
    for net, schedule, teacher in requests:
        padded = dataclasses.replace(schedule, n_samples=n_samples)
        if teacher is not None:
            teacher = np.concatenate([teacher, np.zeros((n_samples - schedule.n_samples,
                                                         teacher.shape[1]), bool)])
        started.append(net._start(padded, teacher))
    run_batch([net.network for net, _, _ in requests],
              n_samples * requests[0][1].period_steps * DT * units.second,
              seeds=[net.seed for net, _, _ in requests],
              namespaces=[namespace for namespace, _, _ in started])
    return [net._counts(schedule, start, seen)
            for (net, schedule, _), (_, start, seen) in zip(requests, started)]


class ClasswiseNetwork(_TaskNetwork):
    """One ``iaf_psc_exp`` neuron per class behind all-to-all plastic synapses.

    Parameters
    ----------
    n_inputs, n_classes : int
    rule : PlasticityRule
        The plasticity of the input synapses (its weights are current amplitudes in units of
        ``weight_unit``).
    w_init : ndarray (n_inputs, n_classes)
        Initial weights.
    period_steps : int
        Steps per sample; the membrane is reset to E_L at every sample start.
    weight_unit : Quantity (amp)
        Current of a weight of 1.
    neuron : dict
        ``iaf_psc_exp`` parameters (the group's defaults: C_m = 1.537 pF, tau_m = 10 ms,
        t_ref = 3 ms, V_th = -54 mV, tau_syn_ex = 5 ms).
    seed : int
        Seed of the rule's per-device draws and of the runs' draws (pulse, read noise).
    connectivity : ndarray of bool (n_inputs, n_classes), optional
        Which input reaches which neuron (None: all-to-all). The bagged sub-networks of
        the group's 2023 code each see a subset of the features: their neurons are
        connected to the inputs of those features only; absent synapses read as weight 0
        in :attr:`weights` and are never created, so they cannot learn.
    readout_current : Quantity (amp)
        Constant current into every neuron in runs without a teacher (the frozen network's
        passes): a bias below rheobase (about 0.25 pA here) that lets weakly driven neurons
        reach threshold, so fewer samples leave a neuron at zero spikes, where own-rate
        decoding cannot tell them apart. Training runs get the teacher's currents instead.
    """

    NEURON = {"C_m": 1.537 * units.pF, "E_L": -70 * units.mV, "V_reset": -70 * units.mV,
              "V_th": -54 * units.mV, "tau_m": 10 * units.ms, "t_ref": 3 * units.ms,
              "tau_syn_ex": 5 * units.ms, "tau_syn_in": 5 * units.ms}

    def __init__(self, n_inputs: int, n_classes: int, rule, w_init: np.ndarray,
                 period_steps: int, weight_unit=1 * units.pA, neuron: dict | None = None,
                 target_current=0 * units.pA, seed: int = 0,
                 connectivity: np.ndarray | None = None,
                 readout_current=0 * units.pA) -> None:
        super().__init__(n_inputs, n_classes, period_steps, seed)
        self.target_current = target_current
        self.readout_current = readout_current
        params = {**self.NEURON, **(neuron or {})}
        self.neurons = iaf_psc_exp(n_classes, **params)
        # at each sample's start: the neuron is reset (refractoriness included, so no sample
        # depends on the one before), and the sample's teacher current is set (a constant
        # over the sample, so NEST's exact integration still holds)
        self.neurons.run_regularly(FORGET + "V_m = E_L\nI_syn_ex = 0*pA\n"
                                   "I_e = teacher(t - t_run, i)",
                                   dt=period_steps * DT * units.second)
        self.weight_unit = weight_unit
        connect = True
        if connectivity is not None:
            connectivity = np.asarray(connectivity, dtype=bool)
            if connectivity.shape != (self.n_inputs, self.n_outputs):
                raise ValueError(f"{type(self).__name__}: connectivity must have shape "
                                 f"{(self.n_inputs, self.n_outputs)}, got "
                                 f"{connectivity.shape}")
            pre, post = np.nonzero(connectivity)
            connect = {"i": pre, "j": post}
        self.synapses = rule.attach(self.inputs, self.neurons, connect=connect, w=None,
                                    on_pre="I_syn_ex_post += w*w_unit", transmit="after",
                                    seed=seed, dt=DT * units.second)
        self.weights = w_init
        self.monitor = SpikeMonitor(self.neurons)
        self.network = Network(self.inputs, self.neurons, self.synapses, self.monitor)

    def _teacher_array(self, teacher, n_samples: int) -> TimedArray:
        """Per-sample teacher current (``target_current`` for the sample's class, the
        suppressing current for the others; ``readout_current`` for all without a teacher):
        row k is sample k's, read at ``t - t_run``; the row after the last is zero."""
        period = self.period_steps * DT
        rows = np.zeros((n_samples + 1, self.n_outputs))
        if teacher is None:
            rows[:n_samples] = float(self.readout_current / units.amp)
        else:
            teacher = np.asarray(teacher, dtype=bool)
            if teacher.shape != (n_samples, self.n_outputs):
                raise ValueError(f"{type(self).__name__}.run: teacher must have shape "
                                 f"{(n_samples, self.n_outputs)}, got {teacher.shape}")
            rows[:n_samples] = np.where(teacher, float(self.target_current / units.amp),
                                        float(TEACHER_CURRENT / units.amp))
        return TimedArray(rows * units.amp, dt=period * units.second)

    def _namespace(self, schedule: SpikeSchedule, teacher, start: int) -> dict:
        return {"teacher": self._teacher_array(teacher, schedule.n_samples),
                "t_run": start * DT * units.second, "w_unit": self.weight_unit}


class WTANetwork(_TaskNetwork):
    """Diehl & Cook (2015): excitatory neurons with adaptive thresholds, lateral inhibition.

    Each excitatory neuron drives one inhibitory partner (one-to-one); each inhibitory
    neuron inhibits every excitatory neuron but its partner. Learning is unsupervised; the
    adaptive thresholds (theta) are frozen together with the weights for testing.

    Parameters
    ----------
    n_inputs, n_neurons : int
    rule : PlasticityRule
    w_init : ndarray (n_inputs, n_neurons)
    period_steps : int
    weight_unit : Quantity (siemens)
        Conductance of a weight of 1.
    w_exc_inh, w_inh_exc : Quantity (siemens)
        Static conductances excitatory → inhibitory partner and inhibitory → others.
    theta_plus : Quantity (volt)
        Threshold increase per spike while learning.
    seed : int
    """

    #: excitatory and inhibitory parameters of the group's ``diehl_network.py`` (NESTML)
    EXCITATORY = {"C_m": 100 * units.pF, "g_L": 1 * units.nS, "E_L": -65 * units.mV,
                  "E_ex": 0 * units.mV, "E_in": -100 * units.mV, "V_reset": -65 * units.mV,
                  "V_th": -52 * units.mV, "t_ref": 5 * units.ms, "tau_syn_ex": 1 * units.ms,
                  "tau_syn_in": 2 * units.ms, "tau_theta": 1e7 * units.ms}
    INHIBITORY = {"C_m": 10 * units.pF, "g_L": 1 * units.nS, "E_L": -60 * units.mV,
                  "E_ex": 0 * units.mV, "E_in": -100 * units.mV, "V_reset": -45 * units.mV,
                  "V_th": -40 * units.mV, "t_ref": 2 * units.ms, "tau_syn_ex": 1 * units.ms,
                  "tau_syn_in": 2 * units.ms}

    def __init__(self, n_inputs: int, n_neurons: int, rule, w_init: np.ndarray,
                 period_steps: int, weight_unit=1 * units.nS, w_exc_inh=10.4 * units.nS,
                 w_inh_exc=17 * units.nS, theta_plus=0.05 * units.mV, seed: int = 0) -> None:
        super().__init__(n_inputs, n_neurons, period_steps, seed)
        dt = DT * units.second
        self.theta_plus = theta_plus
        self.exc = iaf_cond_exp(n_neurons, adaptive_threshold=True, theta_plus=theta_plus,
                                **self.EXCITATORY)
        self.inh = iaf_cond_exp(n_neurons, **self.INHIBITORY)
        for group in (self.exc, self.inh):
            group.run_regularly(FORGET + "V_m = E_L\ng_ex = 0*nS\ng_in = 0*nS",
                                dt=period_steps * dt)
        self.weight_unit = weight_unit
        self.synapses = rule.attach(self.inputs, self.exc, w=None,
                                    on_pre="g_ex_post += w*w_unit", transmit="after",
                                    seed=seed, dt=dt)
        self.weights = w_init
        self.exc_inh = Synapses(self.exc, self.inh, on_pre="g_ex_post += w_exc_inh", dt=dt)
        self.exc_inh.connect(j="i")
        self.inh_exc = Synapses(self.inh, self.exc, on_pre="g_in_post += w_inh_exc", dt=dt)
        self.inh_exc.connect(condition="i != j")
        self.w_exc_inh, self.w_inh_exc = w_exc_inh, w_inh_exc
        self.monitor = SpikeMonitor(self.exc)
        self.network = Network(self.inputs, self.exc, self.inh, self.synapses, self.exc_inh,
                               self.inh_exc, self.monitor)

    def _set_plastic(self, value: bool) -> None:
        """Weights and thresholds learn together and freeze together (frozen thresholds
        neither grow nor decay: a time constant of 1e300 s makes the decay factor 1.0)."""
        self.synapses.plastic = value
        self.exc.theta_plus = self.theta_plus if value else 0 * units.mV
        self.exc.tau_theta = self.EXCITATORY["tau_theta"] if value else 1e300 * units.second

    @property
    def thresholds(self) -> np.ndarray:
        """The adaptive threshold increments theta of the excitatory neurons (volt)."""
        return np.asarray(self.exc.theta_[:], dtype=np.float64)

    @thresholds.setter
    def thresholds(self, theta: np.ndarray) -> None:
        self.exc.theta_ = np.asarray(theta, dtype=np.float64)

    def _namespace(self, schedule: SpikeSchedule, teacher, start: int) -> dict:
        if teacher is not None:
            raise ValueError("WTANetwork.run: the WTA network learns without a teacher; "
                         "pass teacher=None")
        return {"w_unit": self.weight_unit, "w_exc_inh": self.w_exc_inh,
                "w_inh_exc": self.w_inh_exc}
