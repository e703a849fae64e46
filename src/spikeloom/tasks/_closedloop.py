"""Closed loop: an environment's observation sets the input spikes, output spikes act.

Every ``period`` of simulated time (20 ms by default: CartPole's τ, so the network lives in
the cart's time) the loop

1. sets the input currents of a sensory layer from the observation (Gaussian receptive fields
   over fixed ranges, :class:`ObservationFields`): one NEST ``iaf_psc_exp`` neuron per field,
   driven by a current proportional to the field's response, fires a regular train -- the
   same observation gives the same spikes;
2. runs the network for ``period``: the sensory spikes reach one ``iaf_psc_exp`` neuron per
   action through the plastic synapses of a rule (``rule.attach``);
3. counts the spikes of the action neurons in that period and picks the action
   (:func:`choose_actions`), and steps the environment.

Both layers are reset at the start of every period, so an action depends on the current
observation only (a Markov policy, as the teacher it learns from).

**The compiled loop is left once per period, and nowhere else.** A batch of episodes is one
:meth:`Network.run` with a :class:`~spikeloom.NetworkOperation` every period: the run is cut
into compiled chunks of one period, the operation steps the environments in Python between
them and writes the next input currents *into* the existing arrays (values, not code), so
the loop is lowered and compiled once for the whole batch. ``copies`` identical networks in
one :class:`~spikeloom.Network` act in ``copies`` environments side by side: 100 evaluation
episodes of up to 500 steps cost at most 500 chunks, not 50 000 runs.

Any environment with gymnasium's API works: ``reset(seed=...) -> (observation, info)`` and
``step(action) -> (observation, reward, terminated, truncated, info)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from .. import units
from ..core import Network, NetworkOperation, SpikeMonitor, stop
from ..models._validation import check_int, check_real, check_time
from ..models.neurons import iaf_psc_exp
from ._networks import DT, FORGET
from .encoding import GaussianReceptiveFields

#: NEST ``iaf_psc_exp`` parameters of both layers: the group's class-wise neuron
#: (``ClasswiseNetwork.NEURON``) with t_ref = 2 ms, so a strongly driven neuron can fire up
#: to 10 times in a 20 ms period
NEURON = {"C_m": 1.537 * units.pF, "E_L": -70 * units.mV, "V_reset": -70 * units.mV,
          "V_th": -54 * units.mV, "tau_m": 10 * units.ms, "t_ref": 2 * units.ms,
          "tau_syn_ex": 5 * units.ms, "tau_syn_in": 5 * units.ms}
#: statements run at the start of each period in both layers: membrane, synaptic current
#: and refractoriness forget the previous period
RESET = FORGET + "V_m = E_L\nI_syn_ex = 0*pA\n"
#: input current of a sensory neuron at a full receptive-field response (about 20 times the
#: rheobase of 2.5 pA: ~400 Hz; a response of 0.1 gives ~115 Hz, 0.05 none)
INPUT_CURRENT = 50 * units.pA
#: synaptic current of a weight of 1 (each spike adds w·WEIGHT_CURRENT to I_syn_ex)
WEIGHT_CURRENT = 0.7 * units.pA
PERIOD = 20 * units.ms
#: no spike yet in this period (a step index no period reaches)
NO_SPIKE = np.iinfo(np.int64).max
_netop_ids = itertools.count()


class ObservationFields:
    """Gaussian receptive fields over fixed ranges of each observation.

    Field j of observation k is centred at ``low[k] + j·(high[k] - low[k])/(n_fields - 1)``
    with the width rule of :class:`GaussianReceptiveFields` (σ = (2/3)·range/(n_fields - 2));
    observations outside ``[low, high]`` are clipped to it, so the edge fields stand for
    "this far or farther".

    Parameters
    ----------
    low, high : array_like (n_observations,)
        Range of each observation (in its own unit; high > low).
    n_fields : int
        Fields per observation (>= 3).
    cutoff : float
        Responses below it are 0 (the sensory neuron of that field stays silent).

    Examples
    --------
    >>> fields = ObservationFields([-1.0], [1.0], n_fields=3)
    >>> fields.transform([[0.0], [5.0]]).round(3).tolist()
    [[0.755, 1.0, 0.755], [0.325, 0.755, 1.0]]
    """

    def __init__(self, low, high, n_fields: int = 9, cutoff: float = 0.09) -> None:
        owner = "ObservationFields"
        self.low = np.atleast_1d(np.asarray(low, dtype=np.float64))
        self.high = np.atleast_1d(np.asarray(high, dtype=np.float64))
        if self.low.ndim != 1 or self.low.shape != self.high.shape:
            raise ValueError(f"{owner}: low and high must be 1-D and of the same length, got "
                             f"shapes {self.low.shape} and {self.high.shape}")
        if not (np.all(np.isfinite(self.low)) and np.all(np.isfinite(self.high))
                and np.all(self.high > self.low)):
            raise ValueError(f"{owner}: every range needs finite low < high, got low="
                             f"{self.low.tolist()}, high={self.high.tolist()}")
        self.n_fields = check_int(owner, "n_fields", n_fields, 3)
        self.cutoff = check_real(owner, "cutoff", cutoff, 0.0, 1.0, high_open=True)
        grf = GaussianReceptiveFields(self.n_fields, self.cutoff).fit(
            np.stack([self.low, self.high]))
        self._centers, self._sigma = grf.centers_, grf.sigma_

    @property
    def centers(self) -> np.ndarray:
        """Field centres (n_observations, n_fields), in each observation's unit."""
        return self._centers.copy()

    @property
    def n_observations(self) -> int:
        return self.low.size

    @property
    def n_inputs(self) -> int:
        """Sensory neurons: fields of observation 0 first, then observation 1, ..."""
        return self.n_observations * self.n_fields

    def transform(self, observations) -> np.ndarray:
        """Responses in [0, 1], shape (n, n_inputs), of observations (n, n_observations)."""
        obs = np.asarray(observations, dtype=np.float64)
        if obs.ndim != 2 or obs.shape[1] != self.n_observations:
            raise ValueError(f"ObservationFields.transform: observations must have shape "
                             f"(n, {self.n_observations}), got {obs.shape}")
        # GaussianReceptiveFields.transform's formula without its input validation, which
        # would cost more than the rest of a period's Python work
        distance = np.clip(obs, self.low, self.high)[:, :, None] - self._centers[None]
        response = np.exp(-distance**2 / (2.0 * self._sigma[None, :, None] ** 2))
        response[response < self.cutoff] = 0.0
        return response.reshape(len(obs), -1)


def choose_actions(counts: np.ndarray, first_spikes: np.ndarray,
                   previous: np.ndarray) -> np.ndarray:
    """The action of each network from its action neurons' spikes in one period.

    The neuron with the most spikes wins. Equal counts (frequent: two neurons driven alike
    saturate together) go to the neuron that fired first; two neurons that fired first in
    the same step, or no spike at all, repeat the previous action.

    Parameters
    ----------
    counts : ndarray of int (n, n_actions)
        Spikes of each action neuron in the period.
    first_spikes : ndarray of int (n, n_actions)
        Step of each neuron's first spike in the period (:data:`NO_SPIKE` if none).
    previous : ndarray of int (n,)
        The previous actions (the tie's answer).

    Examples
    --------
    >>> choose_actions(np.array([[3, 5], [4, 4], [0, 0]]),
    ...                np.array([[9, 2], [7, 3], [NO_SPIKE, NO_SPIKE]]), np.array([0, 0, 1]))
    array([1, 1, 1])
    """
    counts = np.asarray(counts)
    # rank by count, then by earliness: (count, -first) compared lexicographically
    best = counts.max(axis=1, keepdims=True)
    first = np.where(counts == best, first_spikes, NO_SPIKE)
    earliest = first.min(axis=1, keepdims=True)
    winners = first == earliest
    unique = winners.sum(axis=1) == 1
    silent = best[:, 0] == 0
    return np.where(unique & ~silent, winners.argmax(axis=1), np.asarray(previous))


@dataclass
class EpisodeBatch:
    """What a batch of episodes did.

    Attributes
    ----------
    lengths : ndarray of int (n_episodes,)
        Steps taken until termination or truncation.
    returns : ndarray of float (n_episodes,)
        Summed rewards.
    observations, actions : list of ndarray
        Per episode (with ``record=True``): the observation at each step (T, n_obs) and the
        action the network took (T,).
    counts : list of ndarray
        Per episode (with ``record=True``): the action neurons' spike counts (T, n_actions).
    """

    lengths: np.ndarray
    returns: np.ndarray
    observations: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    counts: list = field(default_factory=list)


class _AgentLayers:
    """Sensory layer → plastic synapses → action layer, ``copies`` times side by side.

    Copy c owns sensory neurons ``c·n_inputs ...`` and action neurons ``c·n_actions ...``;
    the synapses connect each copy all-to-all within itself only.
    """

    def __init__(self, fields: ObservationFields, n_actions: int, rule, weights, copies: int,
                 period, weight_current, input_current, seed: int) -> None:
        owner = type(self).__name__
        self.fields = fields
        self.n_actions = check_int(owner, "n_actions", n_actions, 2)
        self.copies = check_int(owner, "copies", copies, 1)
        _, period_s = check_time(owner, "period", period)
        self.period_steps = int(round(period_s / DT))
        if abs(self.period_steps * DT - period_s) > 1e-9 or self.period_steps % 10:
            raise ValueError(f"{owner}: period must be a whole number of milliseconds, got "
                             f"{period!r}")
        self.weight_current = weight_current
        self.input_current = input_current
        self.n_inputs = fields.n_inputs
        dt = DT * units.second
        self.sensory = iaf_psc_exp(self.n_inputs * self.copies, **NEURON)
        self.action = iaf_psc_exp(self.n_actions * self.copies, **NEURON)
        for group in (self.sensory, self.action):
            group.run_regularly(RESET, dt=self.period_steps * dt)
        pre, post = self._block_diagonal()
        self.synapses = rule.attach(self.sensory, self.action, connect={"i": pre, "j": post},
                                    w=None, on_pre="I_syn_ex_post += w*w_unit",
                                    transmit="after", seed=seed, dt=dt)
        self.rule = rule
        self.seed = int(seed)
        self.weights = weights
        self.monitor = SpikeMonitor(self.action)

    def _network(self, *objects) -> Network:
        """The Network of ``objects``; its runs' random draws (a device's pulse and read
        noise) follow this network's seed, not the global ``seed()``, as the class-wise
        network's do."""
        network = Network(*objects)
        network._seed = self.seed
        return network

    def _block_diagonal(self) -> tuple[np.ndarray, np.ndarray]:
        n_in, n_act = self.n_inputs, self.n_actions
        copy = np.repeat(np.arange(self.copies), n_in * n_act)
        local_pre = np.tile(np.repeat(np.arange(n_in), n_act), self.copies)
        local_post = np.tile(np.arange(n_act), n_in * self.copies)
        return copy * n_in + local_pre, copy * n_act + local_post

    @property
    def weights(self) -> np.ndarray:
        """Weights of copy 0 as a matrix (n_inputs, n_actions)."""
        S = self.synapses
        i, j = np.asarray(S.i[:]), np.asarray(S.j[:])
        first = i < self.n_inputs
        matrix = np.empty((self.n_inputs, self.n_actions))
        matrix[i[first], j[first]] = np.asarray(S.w[:])[first]
        return matrix

    @weights.setter
    def weights(self, matrix) -> None:
        """The same weights (n_inputs, n_actions) in every copy."""
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.shape != (self.n_inputs, self.n_actions):
            raise ValueError(f"{type(self).__name__}: weights must have shape "
                             f"{(self.n_inputs, self.n_actions)}, got {matrix.shape}")
        S = self.synapses
        S.w = matrix[np.asarray(S.i[:]) % self.n_inputs, np.asarray(S.j[:]) % self.n_actions]

    def _period_spikes(self, seen: int, start_step: int, n_periods: int):
        """Counts and first-spike steps (n_periods·copies, n_actions) of the spikes recorded
        since ``seen``, period k of copy c in row ``k·copies + c``."""
        i = np.asarray(self.monitor.i[seen:], dtype=np.int64)
        steps = np.round(np.asarray(self.monitor.t_[seen:]) / DT).astype(np.int64) - start_step
        period = steps // self.period_steps
        keep = (period >= 0) & (period < n_periods)
        row = period[keep] * self.copies + i[keep] // self.n_actions
        neuron = i[keep] % self.n_actions
        shape = (n_periods * self.copies, self.n_actions)
        counts = np.zeros(shape, dtype=np.int64)
        np.add.at(counts, (row, neuron), 1)
        first = np.full(shape, NO_SPIKE, dtype=np.int64)
        np.minimum.at(first, (row, neuron), steps[keep] - period[keep] * self.period_steps)
        return counts, first


class SpikingPolicy(_AgentLayers):
    """``copies`` frozen copies of the network acting in environments, in closed loop.

    Parameters
    ----------
    fields : ObservationFields
        Observation → sensory responses.
    n_actions : int
        Discrete actions 0 .. n_actions-1, one action neuron each.
    rule : PlasticityRule
        The synapses' rule (and device); its plasticity is switched off (``plastic =
        False``): acting never changes a weight. A device's read noise and drift act.
    weights : ndarray (n_inputs, n_actions)
        The weights of every copy.
    copies : int
        Networks side by side (episodes run in parallel).
    period : Quantity (time)
        Simulated time per environment step (a whole number of ms).
    weight_current : Quantity (amp)
        Synaptic current of a weight of 1.
    input_current : Quantity (amp)
        Sensory input current at a full field response.
    seed : int
        Seed of the rule's per-device draws and of the runs' random draws (a device's
        pulse and read noise).
    """

    def __init__(self, fields: ObservationFields, n_actions: int, rule, weights, copies=1,
                 period=PERIOD, weight_current=WEIGHT_CURRENT, input_current=INPUT_CURRENT,
                 seed: int = 0) -> None:
        super().__init__(fields, n_actions, rule, weights, copies, period, weight_current,
                         input_current, seed)
        self.synapses.plastic = False
        self.operation = NetworkOperation(self._tick, dt=self.period_steps * DT * units.second,
                                          name=f"closed_loop_{next(_netop_ids)}")
        self.network = self._network(self.sensory, self.action, self.synapses, self.monitor,
                                     self.operation)
        self._loop: _Loop | None = None

    def run_episodes(self, envs, seeds, max_steps: int = 100_000,
                     record: bool = False) -> EpisodeBatch:
        """Run one episode in each environment, all side by side; return what happened.

        Parameters
        ----------
        envs : sequence of environments
            At most ``copies`` (gymnasium API: ``reset(seed=)``, ``step(action)``).
        seeds : sequence of int
            The reset seed of each environment.
        max_steps : int
            Episodes still running after this many steps are cut (a safety net for
            environments without a time limit).
        record : bool
            Keep the observations, actions and spike counts of every step.
        """
        owner = "SpikingPolicy.run_episodes"
        envs, seeds = list(envs), list(seeds)
        if not 1 <= len(envs) <= self.copies or len(seeds) != len(envs):
            raise ValueError(f"{owner}: give 1 to {self.copies} environments and one seed "
                             f"each, got {len(envs)} environments and {len(seeds)} seeds")
        max_steps = check_int(owner, "max_steps", max_steps, 1)
        self._loop = _Loop(self, envs, seeds, max_steps, record)
        duration = (max_steps + 2) * self.period_steps * DT * units.second
        try:
            self.network.run(duration, namespace={"w_unit": self.weight_current})
        finally:
            self.sensory.I_e = 0 * units.pA
        loop, self._loop = self._loop, None
        return loop.batch()

    def _tick(self) -> None:
        if self._loop is not None:
            self._loop.tick()


class _Loop:
    """The state of one batch of episodes between the compiled chunks of its run."""

    def __init__(self, policy: SpikingPolicy, envs, seeds, max_steps: int,
                 record: bool) -> None:
        self.policy, self.envs, self.max_steps, self.record = policy, envs, max_steps, record
        copies = policy.copies
        self.observations = np.zeros((copies, policy.fields.n_observations))
        for k, (env, seed) in enumerate(zip(envs, seeds)):
            self.observations[k] = np.asarray(env.reset(seed=int(seed))[0], dtype=np.float64)
        self.alive = np.zeros(copies, dtype=bool)
        self.alive[:len(envs)] = True
        self.previous = np.zeros(copies, dtype=np.int64)
        self.lengths = np.zeros(len(envs), dtype=np.int64)
        self.returns = np.zeros(len(envs))
        self.log = [([], [], []) for _ in envs]
        self.started = False
        self.seen = 0
        self.start_step = 0

    def tick(self) -> None:
        """At each period's start: act on the period just simulated, then set the inputs."""
        net = self.policy.network
        if self.started:
            self._act()
            if not self.alive.any():
                self.policy.sensory.I_e = 0 * units.pA
                stop()
                return
        self.started = True
        self.seen = self.policy.monitor.num_spikes
        self.start_step = int(round(net.t_ / DT))
        currents = self.policy.fields.transform(self.observations)
        currents[~self.alive] = 0.0  # finished episodes' copies get no input
        self.policy.sensory.I_e_ = currents.ravel() * float(self.policy.input_current
                                                            / units.amp)

    def _act(self) -> None:
        counts, first = self.policy._period_spikes(self.seen, self.start_step, 1)
        actions = choose_actions(counts, first, self.previous)
        self.previous = actions
        for k in np.nonzero(self.alive)[0]:
            if self.record:
                for store, value in zip(self.log[k], (self.observations[k], actions[k],
                                                      counts[k])):
                    store.append(np.copy(value))
            obs, reward, terminated, truncated, _ = self.envs[k].step(int(actions[k]))
            self.observations[k] = np.asarray(obs, dtype=np.float64)
            self.lengths[k] += 1
            self.returns[k] += float(reward)
            if terminated or truncated or self.lengths[k] >= self.max_steps:
                self.alive[k] = False

    def batch(self) -> EpisodeBatch:
        result = EpisodeBatch(self.lengths, self.returns)
        if self.record:
            result.observations = [np.array(obs).reshape(-1, self.observations.shape[1])
                                   for obs, _, _ in self.log]
            result.actions = [np.array(act, dtype=np.int64) for _, act, _ in self.log]
            result.counts = [np.array(cnt, dtype=np.int64).reshape(-1, self.policy.n_actions)
                             for _, _, cnt in self.log]
        return result


def run_episode(policy: SpikingPolicy, env, seed: int, max_steps: int = 100_000,
                record: bool = False) -> EpisodeBatch:
    """One episode of ``policy`` (its first copy) in ``env``.

    Parameters
    ----------
    policy : SpikingPolicy
    env : environment
        gymnasium API: ``reset(seed=)``, ``step(action)``.
    seed : int
        The reset seed.
    max_steps : int
        The episode is cut after this many steps.
    record : bool
        Keep observations, actions and spike counts (see :class:`EpisodeBatch`).

    Returns
    -------
    EpisodeBatch
        With one episode.
    """
    return policy.run_episodes([env], [seed], max_steps=max_steps, record=record)
