"""Learning a policy from a teacher with STDP: error-driven corrections, DAgger, pocket.

The learning signal (see ``docs/closed_loop.md``):

* **Who acts.** The network itself, frozen (:class:`SpikingPolicy`): batches of episodes are
  run in closed loop and every state the network visits is labelled with the teacher's
  action (DAgger, Ross et al. 2011: the network learns on the states its own mistakes lead
  to, not only on the teacher's).
* **When it learns.** Only where it is wrong (a perceptron's rule): the visited states, and
  as many states drawn from all earlier batches, are presented to a plastic copy of the
  network (:class:`CorrectionLearner`), which first decides (plasticity off); the states
  where its action differs from the teacher's -- or is a tie -- are then corrected.
* **How it learns: by spike timing only.** A correction is a short spike pattern: the
  neuron of the wrong action fires, ``Δt-`` later every sensory neuron of a strongly
  responding field (response >= 0.5) fires once, ``Δt+`` after that the neuron of the
  teacher's action fires. The rule itself turns these pairs into weight changes: depression
  of the active fields' synapses onto the wrong action, potentiation onto the right one.
  While correcting, the synapses transmit nothing (their current is scaled by 0), so the
  output spikes are the teacher's alone.
* **The step size is a spike timing.** ``Δt+`` and ``Δt-`` are chosen from the rule's own
  window (:meth:`PlasticityRule.delta_w`) so that one pair changes a mid-range weight by
  ``step`` of the weight range (or as near as the window allows); the step shrinks from
  batch to batch (``step / (1 + anneal·batch)``).
* **Which weights are kept.** Training on a teacher the network cannot copy exactly does not
  converge: the weights that drove the best training batch are kept (the pocket algorithm,
  Gallant 1990). Only training episodes take part in that choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import units
from ..core import TimedArray
from ..models._validation import check_int, check_real
from ._closedloop import (
    INPUT_CURRENT,
    PERIOD,
    WEIGHT_CURRENT,
    ObservationFields,
    SpikingPolicy,
    _AgentLayers,
    choose_actions,
)
from ._networks import DT

#: resolution of the teacher's and the sensory drive in the learner, and of Δt (ms)
DRIVE_MS = 1
#: current of a 1 ms pulse that makes a resting neuron fire exactly once, 0.1 ms later
PULSE = 200 * units.pA
#: the wrong action's neuron fires this long after a correction sample starts (ms)
LEAD_MS = 2
#: a field takes part in a correction when its response reaches this value
ACTIVE_RESPONSE = 0.5


@dataclass(frozen=True)
class CorrectionTiming:
    """The spike pattern of one correction (all times in whole ms).

    Attributes
    ----------
    before_ms : int
        Wrong action's spike → sensory spikes (Δt- = -before_ms: depression).
    after_ms : int
        Sensory spikes → teacher action's spike (Δt+ = after_ms: potentiation).
    steps : tuple of float
        |Δw| of one pair at mid-range weight (depression, potentiation), fraction of the
        weight range.
    sample_ms : int
        Length of one correction sample: the pattern plus the rule's reach, so that no pair
        forms across samples (a whole number of periods).
    """

    before_ms: int
    after_ms: int
    steps: tuple
    sample_ms: int


def _window(rule, milliseconds: np.ndarray, sign: int) -> np.ndarray:
    """|Δw| of one isolated pair at Δt = sign·ms and a mid-range weight (fraction of range)."""
    span = rule.w_max - rule.w_min
    middle = rule.w_min + 0.5 * span
    return np.abs(rule.delta_w(sign * milliseconds * units.ms, middle)) / span


def correction_timing(rule, step: float, period_ms: int = 20) -> CorrectionTiming:
    """The pair intervals whose weight change is ``step`` (fraction of the weight range).

    For each side the shortest whole-ms interval (1 to 200 ms) whose |Δw| at mid-range lies
    within 25 % of ``step``; if none does (the window never reaches it, e.g. additive STDP
    with λ = 0.01 and step 0.02), the interval that comes nearest.

    Parameters
    ----------
    rule : PlasticityRule
    step : float
        Wanted |Δw| per pair, fraction of w_max - w_min (> 0).
    period_ms : int
        The sample length is rounded up to whole periods.
    """
    step = check_real("correction_timing", "step", step, 0.0, 1.0, low_open=True)
    grid = np.arange(1, 201, dtype=np.float64)
    chosen, sizes = [], []
    for sign in (-1, +1):
        size = _window(rule, grid, sign)
        near = np.nonzero(np.abs(size - step) <= 0.25 * step)[0]
        k = near[0] if near.size else int(np.argmin(np.abs(size - step)))
        chosen.append(int(grid[k]))
        sizes.append(float(size[k]))
    end = LEAD_MS + chosen[0] + chosen[1]
    sample = end + _reach_ms(rule)
    sample = int(np.ceil(sample / period_ms)) * period_ms
    return CorrectionTiming(chosen[0], chosen[1], tuple(sizes), sample)


def _reach_ms(rule, fraction: float = 0.01) -> int:
    """The longest |Δt| (ms, up to 2 s) at which a pair still changes a mid-range weight by
    ``fraction`` of the largest change: beyond it pairs across samples do not count."""
    grid = np.arange(1, 2001, dtype=np.float64)
    size = np.maximum(_window(rule, grid, -1), _window(rule, grid, +1))
    return int(grid[np.nonzero(size >= fraction * size.max())[0][-1]])


class CorrectionLearner(_AgentLayers):
    """One plastic copy of the network, driven by per-sample currents (TimedArrays).

    :meth:`decide` presents observations (plasticity off, one period each) and returns the
    actions the network would take; :meth:`correct` plays the correction pattern of
    :class:`CorrectionTiming` for given states (plasticity on, transmission off). The
    sensory and action neurons get their currents from two TimedArrays read every ms, so
    every run after the first reuses the compiled loop.

    Parameters are those of :class:`SpikingPolicy` (one copy).
    """

    def __init__(self, fields: ObservationFields, n_actions: int, rule, weights,
                 period=PERIOD, weight_current=WEIGHT_CURRENT, input_current=INPUT_CURRENT,
                 seed: int = 0) -> None:
        super().__init__(fields, n_actions, rule, weights, 1, period, weight_current,
                         input_current, seed)
        drive_dt = DRIVE_MS * units.ms
        self.sensory.run_regularly("I_e = sensory_drive(t - t_run, i)", dt=drive_dt)
        self.action.run_regularly("I_e = teacher_drive(t - t_run, i)", dt=drive_dt)
        self.network = self._network(self.sensory, self.action, self.synapses, self.monitor)
        self.period_ms = self.period_steps // 10

    def _run(self, sensory_rows: np.ndarray, teacher_rows: np.ndarray, n_periods: int,
             transmit: bool, plastic: bool):
        start = int(round(self.network.t_ / DT))
        seen = self.monitor.num_spikes
        self.synapses.plastic = plastic
        namespace = {
            "w_unit": self.weight_current if transmit else 0 * units.pA,
            "t_run": start * DT * units.second,
            "sensory_drive": TimedArray(sensory_rows * units.amp, dt=DRIVE_MS * units.ms),
            "teacher_drive": TimedArray(teacher_rows * units.amp, dt=DRIVE_MS * units.ms)}
        self.network.run(n_periods * self.period_steps * DT * units.second,
                         namespace=namespace)
        return seen, start

    def decide(self, observations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Spike counts and first-spike steps (n, n_actions), one period per observation,
        plasticity off: what :class:`SpikingPolicy` would see for these observations."""
        n = len(observations)
        currents = self.fields.transform(observations) * float(self.input_current / units.amp)
        rows = np.repeat(currents, self.period_ms // DRIVE_MS, axis=0)
        seen, start = self._run(rows, np.zeros((1, self.n_actions)), n, True, False)
        return self._period_spikes(seen, start, n)

    def correct(self, observations: np.ndarray, wrong: np.ndarray, right: np.ndarray,
                timing: CorrectionTiming) -> None:
        """Play one correction per observation (plasticity on, no transmission)."""
        n = len(observations)
        per_sample = timing.sample_ms // DRIVE_MS
        base = np.arange(n) * per_sample
        pulse = float(PULSE / units.amp)
        sensory = np.zeros((n * per_sample + 1, self.n_inputs))
        teacher = np.zeros((n * per_sample + 1, self.n_actions))
        active = self.fields.transform(observations) >= ACTIVE_RESPONSE
        sensory[base + LEAD_MS + timing.before_ms] = np.where(active, pulse, 0.0)
        teacher[base + LEAD_MS, wrong] = pulse
        teacher[base + LEAD_MS + timing.before_ms + timing.after_ms, right] = pulse
        self._run(sensory, teacher, n * timing.sample_ms // self.period_ms, False, True)


@dataclass
class ImitationResult:
    """What :func:`imitate` learned.

    Attributes
    ----------
    weights : ndarray (n_inputs, n_actions)
        The kept (pocket) weights.
    final_weights : ndarray (n_inputs, n_actions)
        The weights after the last correction.
    batch_lengths : list of ndarray
        Episode lengths of each training batch (the network acting, frozen).
    best_batch : int
        The batch whose weights were kept.
    corrections : list of int
        Corrections played after each batch.
    """

    weights: np.ndarray
    final_weights: np.ndarray
    batch_lengths: list
    best_batch: int
    corrections: list


def imitate(teacher, make_env, fields: ObservationFields, n_actions: int, rule, seeds,
            *, batch_size: int = 10, step: float = 0.02, anneal: float = 0.5,
            replay: int = 1000, chunk: int = 200, initial_weight: float = 0.5,
            rng: np.random.Generator, progress=None, policy_kwargs: dict | None = None
            ) -> ImitationResult:
    """Train a spiking policy on a teacher's actions (see the module docstring).

    Parameters
    ----------
    teacher : callable
        ``teacher(observations (n, n_obs)) -> actions (n,)``.
    make_env : callable
        ``make_env() -> environment`` (gymnasium API).
    fields : ObservationFields
    n_actions : int
    rule : PlasticityRule
    seeds : sequence of int
        Reset seed of each training episode (their number is the number of episodes).
    batch_size : int
        Episodes run side by side between two rounds of corrections.
    step : float
        |Δw| per correction pair in the first round, fraction of the weight range.
    anneal : float
        Round k corrects with ``step / (1 + anneal·k)``.
    replay : int
        States drawn from all earlier batches and corrected with each new batch.
    chunk : int
        States decided at once before their errors are corrected.
    initial_weight : float
        Every weight starts at this fraction of the rule's range.
    rng : numpy.random.Generator
        Draws the replayed states and their order.
    progress : callable, optional
        Called with the number of episodes of each finished batch.
    policy_kwargs : dict, optional
        ``period``, ``weight_current``, ``input_current``, ``seed`` of the networks.
    """
    owner = "imitate"
    seeds = list(seeds)
    batch_size = check_int(owner, "batch_size", batch_size, 1)
    check_real(owner, "initial_weight", initial_weight, 0.0, 1.0)
    kwargs = dict(policy_kwargs or {})
    start = rule.w_min + initial_weight * (rule.w_max - rule.w_min)
    weights = np.full((fields.n_inputs, n_actions), start)
    learner = CorrectionLearner(fields, n_actions, rule, weights, **kwargs)
    policy = SpikingPolicy(fields, n_actions, rule, weights,
                           copies=min(batch_size, len(seeds)), **kwargs)
    seen_states = np.zeros((0, fields.n_observations))
    lengths, corrections = [], []
    best, best_weights, best_batch = -np.inf, weights, 0
    for k, first in enumerate(range(0, len(seeds), batch_size)):
        batch_seeds = seeds[first:first + batch_size]
        policy.weights = learner.weights
        batch = policy.run_episodes([make_env() for _ in batch_seeds], batch_seeds,
                                    record=True)
        lengths.append(batch.lengths)
        if batch.lengths.mean() >= best:  # ties: the later, more trained weights
            best, best_weights, best_batch = batch.lengths.mean(), learner.weights, k
        visited = np.concatenate(batch.observations)
        timing = correction_timing(rule, step / (1.0 + anneal * k), learner.period_ms)
        states = _with_replay(visited, seen_states, replay, rng)
        corrections.append(_correct_errors(learner, teacher, states, timing, chunk))
        seen_states = np.concatenate([seen_states, visited])
        if progress is not None:
            progress(len(batch_seeds))
    return ImitationResult(best_weights, learner.weights, lengths, best_batch, corrections)


def _with_replay(visited: np.ndarray, earlier: np.ndarray, replay: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Up to ``replay`` of the new states and up to ``replay`` earlier ones, shuffled."""
    drawn = earlier[rng.choice(len(earlier), min(replay, len(earlier)), replace=False)]
    new = visited[rng.choice(len(visited), min(replay, len(visited)), replace=False)]
    states = np.concatenate([new, drawn])
    return states[rng.permutation(len(states))]


def _correct_errors(learner: CorrectionLearner, teacher, states: np.ndarray,
                    timing: CorrectionTiming, chunk: int) -> int:
    """Decide ``states`` chunk by chunk and correct the wrong decisions; returns how many."""
    done = 0
    for begin in range(0, len(states), chunk):
        part = states[begin:begin + chunk]
        target = np.asarray(teacher(part), dtype=np.int64)
        counts, first = learner.decide(part)
        # a tie is an error: with -1 as the "previous action" it matches no target
        chosen = choose_actions(counts, first, np.full(len(part), -1))
        wrong = chosen != target
        if wrong.any():
            # the neuron to depress: the chosen one, or for a tie the strongest other one
            runner_up = _strongest_other(counts, first, target)
            loser = np.where(chosen >= 0, chosen, runner_up)
            learner.correct(part[wrong], loser[wrong], target[wrong], timing)
            done += int(wrong.sum())
    return done


def _strongest_other(counts: np.ndarray, first: np.ndarray, target: np.ndarray) -> np.ndarray:
    """For each row, the action other than ``target`` with the most (then earliest) spikes."""
    score = counts * 1e9 - np.minimum(first, 1e9 - 1)
    score[np.arange(len(target)), target] = -np.inf
    return np.argmax(score, axis=1)
