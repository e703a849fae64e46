"""CartPole balanced by a spiking network that learned with (memristive) STDP.

* :class:`CartPole` -- the cart-pole of gymnasium's ``CartPole-v1`` built in (Barto, Sutton
  & Anderson 1983, in gymnasium's Euler form): gravity 9.8 m/s², cart 1.0 kg, pole 0.1 kg,
  half-length 0.5 m, force ±10 N, τ = 0.02 s; the episode ends at |x| > 2.4 m or
  |θ| > 12° and is cut after 500 steps; each of x, ẋ, θ, θ̇ starts uniform in ±0.05.
  ``reset(seed=s)`` draws from the generator gymnasium uses, so both give the same
  episodes for the same seed and actions (pinned in ``tests/tasks/test_closedloop.py``).
* :func:`make_env` -- gymnasium's ``CartPole-v1`` when it is installed (``spikeloom[rl]``),
  else the built-in one.
* :func:`cartpole_teacher` -- the hand controller the network imitates.
* :func:`train_cartpole` -- train (:mod:`spikeloom.tasks._imitation`), then evaluate the
  network with frozen weights beside a random policy and the teacher on the same seeds.

See ``docs/closed_loop.md``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..models.plasticity import PlasticityRule
from ._closedloop import ObservationFields, SpikingPolicy
from ._names import CARTPOLE_ENVS, RULES

#: gymnasium's ``CartPoleEnv`` constants (SI units)
GRAVITY = 9.8  # m/s²
MASS_CART = 1.0  # kg
MASS_POLE = 0.1  # kg
HALF_LENGTH = 0.5  # m (gymnasium's ``length``: half the pole's length)
FORCE = 10.0  # N
TAU = 0.02  # s between steps
X_THRESHOLD = 2.4  # m
THETA_THRESHOLD = 12 * 2 * math.pi / 360  # rad
MAX_EPISODE_STEPS = 500
#: initial state: each of x, ẋ, θ, θ̇ uniform in [-INIT_BOUND, INIT_BOUND]
INIT_BOUND = 0.05


class CartPole:
    """The standard cart-pole with gymnasium's ``reset``/``step`` API.

    Observation: float32 array ``[x (m), ẋ (m/s), θ (rad), θ̇ (rad/s)]`` (θ = 0 upright,
    positive clockwise, i.e. the pole leaning right); the float64 state is kept in
    :attr:`state`, as gymnasium does. Actions: 0 pushes the cart left, 1 right. The reward
    is 1 per step, the step that ends the episode included.

    Parameters
    ----------
    max_episode_steps : int
        Steps after which an episode is truncated (500 for ``CartPole-v1``).

    Examples
    --------
    >>> env = CartPole()
    >>> obs, info = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step(1)
    >>> reward, terminated, truncated
    (1.0, False, False)
    """

    def __init__(self, max_episode_steps: int = MAX_EPISODE_STEPS) -> None:
        if isinstance(max_episode_steps, bool) or not isinstance(
                max_episode_steps, int | np.integer) or max_episode_steps < 1:
            raise ValueError(f"CartPole: max_episode_steps must be an integer >= 1, got "
                             f"{max_episode_steps!r}")
        self.max_episode_steps = int(max_episode_steps)
        self.state: np.ndarray | None = None
        self.elapsed_steps = 0
        self._done = False
        self._rng: np.random.Generator | None = None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Start an episode; returns ``(observation, info)``.

        Parameters
        ----------
        seed : int, optional
            Re-seeds the initial-state generator (non-negative int); None continues the
            current one (a fresh, unseeded one on the first reset), as gymnasium.
        options : dict, optional
            Ignored (gymnasium's ``low``/``high`` reset bounds are not supported).
        """
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
                raise ValueError(f"CartPole.reset: seed must be a non-negative integer or "
                                 f"None, got {seed!r}")
            self._rng = np.random.default_rng(int(seed))
        elif self._rng is None:
            self._rng = np.random.default_rng()
        self.state = self._rng.uniform(low=-INIT_BOUND, high=INIT_BOUND, size=(4,))
        self.elapsed_steps = 0
        self._done = False
        return self.state.astype(np.float32), {}

    def step(self, action):
        """Push left (0) or right (1) for τ; returns ``(obs, reward, terminated, truncated,
        info)``."""
        if self.state is None:
            raise RuntimeError("CartPole.step: call reset() before step()")
        if self._done:
            raise RuntimeError("CartPole.step: the episode has ended; call reset()")
        if isinstance(action, bool) or not isinstance(action, int | np.integer) \
                or action not in (0, 1):
            raise ValueError(f"CartPole.step: action must be 0 (push left) or 1 (push right), "
                             f"got {action!r}")
        self.state = _euler_step(self.state, FORCE if action == 1 else -FORCE)
        self.elapsed_steps += 1
        x, _, theta, _ = self.state
        terminated = bool(x < -X_THRESHOLD or x > X_THRESHOLD
                          or theta < -THETA_THRESHOLD or theta > THETA_THRESHOLD)
        truncated = self.elapsed_steps >= self.max_episode_steps
        self._done = terminated or truncated
        return self.state.astype(np.float32), 1.0, terminated, truncated, {}

    def close(self) -> None:
        """Nothing to release (gymnasium's API)."""


def _euler_step(state: np.ndarray, force: float) -> np.ndarray:
    """One Euler step of τ under ``force`` (N), in gymnasium's order of operations (so the
    results agree to the last bit)."""
    x, x_dot, theta, theta_dot = state
    total_mass = MASS_POLE + MASS_CART
    polemass_length = MASS_POLE * HALF_LENGTH
    costheta = np.cos(theta)
    sintheta = np.sin(theta)
    temp = (force + polemass_length * np.square(theta_dot) * sintheta) / total_mass
    thetaacc = (GRAVITY * sintheta - costheta * temp) / (
        HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * np.square(costheta) / total_mass))
    xacc = temp - polemass_length * thetaacc * costheta / total_mass
    return np.array((x + TAU * x_dot, x_dot + TAU * xacc, theta + TAU * theta_dot,
                     theta_dot + TAU * thetaacc), dtype=np.float64)


# -- environments ------------------------------------------------------------------------------
ENV_NAME = "CartPole-v1"


def _gymnasium():
    """The gymnasium module, or None when it is not installed."""
    try:
        import gymnasium
    except ImportError:
        return None
    return gymnasium


def make_env(name: str = ENV_NAME, backend: str = "auto"):
    """A CartPole environment with gymnasium's API.

    Parameters
    ----------
    name : str
        Only ``'CartPole-v1'``.
    backend : {'auto', 'builtin', 'gymnasium'}
        'gymnasium': ``gymnasium.make(name)`` (ImportError if gymnasium is missing:
        ``pip install spikeloom[rl]``); 'builtin': :class:`CartPole`; 'auto': gymnasium's
        when it is installed, else the built-in one.
    """
    if name != ENV_NAME:
        raise ValueError(f"make_env: name must be {ENV_NAME!r}, got {name!r}")
    if backend not in CARTPOLE_ENVS:
        raise ValueError(f"make_env: backend must be one of "
                         f"{', '.join(map(repr, CARTPOLE_ENVS))}, got {backend!r}")
    gymnasium = _gymnasium() if backend != "builtin" else None
    if backend == "gymnasium" and gymnasium is None:
        raise ImportError("make_env: backend='gymnasium' needs gymnasium; install it with "
                          "pip install 'spikeloom[rl]' or use backend='builtin'")
    if gymnasium is not None:
        return gymnasium.make(name)
    return CartPole()


# -- the teacher and the network's view --------------------------------------------------------
#: the teacher pushes toward the side where the pole will lean this much later (s), by
#: linear extrapolation θ + LOOKAHEAD·θ̇ (any value from 0.1 to 0.5 s keeps the pole up for
#: 500 steps from every start we tried)
LOOKAHEAD = 0.5


def cartpole_teacher(observations) -> np.ndarray:
    """The hand controller the network learns from: push right (1) when θ + 0.5 s·θ̇ > 0.

    Parameters
    ----------
    observations : array_like (n, 4)
        ``[x, ẋ, θ, θ̇]`` per row.

    Returns
    -------
    ndarray of int (n,)
    """
    obs = np.asarray(observations, dtype=np.float64)
    return (obs[:, 2] + LOOKAHEAD * obs[:, 3] > 0).astype(np.int64)


def cartpole_fields(n_fields: int = 9) -> ObservationFields:
    """Receptive fields over x ∈ ±2.4 m (the track), ẋ ∈ ±0.5 m/s, θ ∈ ±0.05 rad,
    θ̇ ∈ ±0.5 rad/s: about the range the teacher keeps the cart in (its 99th percentiles are
    1.8 m, 0.4 m/s, 0.02 rad and 0.3 rad/s), so the fields resolve the states that matter;
    larger values are clipped to the edge fields."""
    return ObservationFields(low=[-2.4, -0.5, -0.05, -0.5], high=[2.4, 0.5, 0.05, 0.5],
                             n_fields=n_fields)


# -- training and evaluation ----------------------------------------------------------------------
@dataclass
class CartPoleResult:
    """A trained network's evaluation beside a random policy's and the teacher's.

    Attributes
    ----------
    rule : str
        The rule's name (its class name for a rule object).
    lengths : ndarray of int (eval_episodes,)
        Evaluation episode lengths of the trained network (weights frozen, no teacher).
    random_lengths, teacher_lengths : ndarray of int (eval_episodes,)
        The same seeds with uniformly random actions, and with the teacher acting.
    train_lengths : list of ndarray
        Episode lengths of each training batch (the network acting while it learned).
    best_batch : int
        The training batch whose weights were kept (see ``docs/closed_loop.md``).
    weights : ndarray (n_inputs, 2)
        The evaluated weights.
    eval_seeds : ndarray of int
    env : str
        'gymnasium' or 'builtin'.
    wall_seconds : float
        The whole of :func:`train_cartpole`.
    train_seconds, eval_seconds : float
        Training; the trained network's evaluation.
    corrections : list of int
        Corrections played after each training batch.
    """

    rule: str
    lengths: np.ndarray
    random_lengths: np.ndarray
    teacher_lengths: np.ndarray
    train_lengths: list
    best_batch: int
    weights: np.ndarray
    eval_seeds: np.ndarray
    env: str
    wall_seconds: float = 0.0
    train_seconds: float = 0.0
    eval_seconds: float = 0.0
    corrections: list = field(default_factory=list)

    @property
    def mean_length(self) -> float:
        return float(np.mean(self.lengths))

    def summary_line(self) -> str:
        """E.g. ``'mean episode length 201.4'`` (the trained network, evaluation episodes)."""
        return f"mean episode length {self.mean_length:.1f}"

    def comparison_lines(self) -> list[str]:
        """The controls on the same evaluation seeds, training and wall time."""
        n = len(self.lengths)
        episodes = sum(len(b) for b in self.train_lengths)
        return [f"rule {self.rule}, {episodes} training episodes, {n} evaluation episodes "
                f"({self.env} CartPole-v1); solved: >= 195",
                f"random policy: mean episode length {np.mean(self.random_lengths):.1f}",
                f"teacher (push toward θ + {LOOKAHEAD:g} s·θ̇): mean episode length "
                f"{np.mean(self.teacher_lengths):.1f}",
                f"wall time: {self.wall_seconds:.1f} s (training {self.train_seconds:.1f} s, "
                f"evaluation {self.eval_seconds:.1f} s)"]


def _rule_object(rule, device) -> tuple[PlasticityRule, str]:
    from ._estimator import make_rule

    if not isinstance(rule, PlasticityRule) and rule not in RULES:
        raise ValueError(f"train_cartpole: rule must be one of {', '.join(map(repr, RULES))} "
                         f"or a PlasticityRule object, got {rule!r}")
    label = rule if isinstance(rule, str) else type(rule).__name__
    return make_rule(rule, device), label


def _count(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"train_cartpole: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _resolve_env(env: str) -> str:
    if env not in CARTPOLE_ENVS:
        raise ValueError(f"train_cartpole: env must be one of "
                         f"{', '.join(map(repr, CARTPOLE_ENVS))}, got {env!r}")
    if env == "auto":
        return "gymnasium" if _gymnasium() is not None else "builtin"
    return env


def train_cartpole(rule="nc", episodes: int = 100, eval_episodes: int = 100, seed: int = 0,
                   device=None, env: str = "auto", progress: bool = True,
                   batch_size: int = 10) -> CartPoleResult:
    """Train the spiking network on CartPole with a rule, then evaluate it frozen.

    Parameters
    ----------
    rule : {'stdp', 'nc', 'ppx'} or PlasticityRule
        Plasticity of the sensory → action synapses (see
        :func:`spikeloom.tasks.make_rule`).
    episodes : int
        Training episodes (>= 1), run in batches of ``batch_size`` side by side.
    eval_episodes : int
        Evaluation episodes (>= 1): weights frozen, no teacher, all side by side.
    seed : int
        Seeds the episodes' initial states (training and evaluation seeds are distinct
        draws), the replayed states and the networks' draws (a device's variability and
        noise; an ideal network is deterministic).
    device : Memristor, optional
        Device model under the weights (with a rule given by name).
    env : {'auto', 'builtin', 'gymnasium'}
        Which CartPole (see :func:`make_env`).
    progress : bool
        Show a progress bar over the training episodes.
    batch_size : int
        Training episodes between two rounds of corrections.

    Returns
    -------
    CartPoleResult
    """
    from ._imitation import imitate

    wall = time.perf_counter()
    rule_object, label = _rule_object(rule, device)
    episodes = _count("episodes", episodes, 1)
    eval_episodes = _count("eval_episodes", eval_episodes, 1)
    batch_size = _count("batch_size", batch_size, 1)
    backend = _resolve_env(env)
    rng = np.random.default_rng(_count("seed", seed, 0))
    drawn = rng.choice(2**31 - 1, size=episodes + eval_episodes, replace=False)
    train_seeds, eval_seeds = drawn[:episodes], drawn[episodes:]
    # a stream of its own: the episodes and the replay do not depend on it
    network_seed = int(np.random.default_rng([seed, 1]).integers(0, 2**31 - 1))
    fields = cartpole_fields()
    bar = _progress_bar(progress, episodes, label)
    try:
        learned = imitate(cartpole_teacher, lambda: make_env(backend=backend), fields, 2,
                          rule_object, train_seeds, batch_size=batch_size, rng=rng,
                          progress=bar.update if bar is not None else None,
                          policy_kwargs={"seed": network_seed})
    finally:
        if bar is not None:
            bar.close()
    trained = time.perf_counter()
    lengths = evaluate_policy(learned.weights, rule_object, eval_seeds, backend, fields,
                              seed=network_seed)
    evaluated = time.perf_counter()
    return CartPoleResult(
        rule=label, lengths=lengths,
        random_lengths=play(random_policy(np.random.default_rng(seed)), eval_seeds, backend),
        teacher_lengths=play(cartpole_teacher, eval_seeds, backend),
        train_lengths=learned.batch_lengths, best_batch=learned.best_batch,
        weights=learned.weights, eval_seeds=eval_seeds, env=backend,
        wall_seconds=time.perf_counter() - wall, train_seconds=trained - wall,
        eval_seconds=evaluated - trained, corrections=learned.corrections)


def _progress_bar(progress: bool, total: int, label: str):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=f"{label} training episodes", leave=False)


def evaluate_policy(weights: np.ndarray, rule: PlasticityRule, seeds, env: str = "auto",
                    fields: ObservationFields | None = None, seed: int = 0) -> np.ndarray:
    """Episode lengths of the frozen network with ``weights``, one episode per seed, all in
    one closed-loop run (one network copy per episode).

    Parameters
    ----------
    weights : ndarray (n_inputs, 2)
    rule : PlasticityRule
        The synapses' rule and device (plasticity off).
    seeds : sequence of int
        Reset seed of each episode.
    env : {'auto', 'builtin', 'gymnasium'}
    fields : ObservationFields, optional
        Default: :func:`cartpole_fields`.
    seed : int
        The network's seed (device draws and noise).
    """
    fields = fields or cartpole_fields()
    seeds = list(seeds)
    backend = _resolve_env(env)
    policy = SpikingPolicy(fields, 2, rule, weights, copies=len(seeds), seed=seed)
    batch = policy.run_episodes([make_env(backend=backend) for _ in seeds], seeds)
    return batch.lengths


def random_policy(rng: np.random.Generator):
    """A policy acting uniformly at random (the control; ≈ 22 steps on CartPole)."""
    return lambda observations: rng.integers(0, 2, size=len(observations))


def play(policy, seeds, env: str = "auto") -> np.ndarray:
    """Episode lengths of a plain function policy (``policy(observations (1, 4)) ->
    actions``), one episode per seed."""
    backend = _resolve_env(env)
    lengths = []
    for seed in seeds:
        environment = make_env(backend=backend)
        obs, _ = environment.reset(seed=int(seed))
        steps, done = 0, False
        while not done:
            action = int(policy(np.asarray(obs, dtype=np.float64)[None, :])[0])
            obs, _, terminated, truncated, _ = environment.step(action)
            steps, done = steps + 1, terminated or truncated
        lengths.append(steps)
    return np.asarray(lengths, dtype=np.int64)


def plot_cartpole(result: CartPoleResult, path) -> Path:
    """Training batches' and evaluation episode lengths, beside the controls; saved to
    ``path`` (PNG)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.6), layout="constrained")
    train_ax, eval_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    counts = [len(b) for b in result.train_lengths]
    ends = np.cumsum(counts)
    for k, (end, batch) in enumerate(zip(ends, result.train_lengths)):
        train_ax.plot(np.arange(end - len(batch), end) + 1, batch, ".", color="0.55", ms=4)
        train_ax.plot([end - len(batch) + 1, end], [batch.mean()] * 2,
                      color="C3" if k == result.best_batch else "C0", lw=2)
    train_ax.set(xlabel="training episode", ylabel="episode length (steps)",
                 title=f"training ({result.rule}): batches, kept weights in red")
    data = [result.lengths, result.random_lengths, result.teacher_lengths]
    eval_ax.boxplot(data, showmeans=True)
    eval_ax.set_xticks([1, 2, 3], [f"network\n{np.mean(result.lengths):.1f}",
                                   f"random\n{np.mean(result.random_lengths):.1f}",
                                   f"teacher\n{np.mean(result.teacher_lengths):.1f}"])
    eval_ax.set(ylabel="episode length (steps)",
                title=f"evaluation, {len(result.lengths)} episodes")
    for ax in (train_ax, eval_ax):
        ax.axhline(195, color="0.3", ls=":", lw=1)
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path
