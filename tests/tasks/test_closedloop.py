"""The closed loop (environment ↔ network) and CartPole learned with (memristive) STDP.

The built-in CartPole is pinned to gymnasium's (an independent implementation) to 1e-12.
Learning is checked against two controls on the same evaluation seeds: a random policy and
the same network with its untrained weights. The rest checks the pieces a wrong
implementation would break: the readout's tie rule, frozen weights while acting, the
learner deciding exactly as the acting network, the sign of a correction, bad input.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from spikeloom import ms
from spikeloom.cli import main
from spikeloom.tasks._closedloop import NO_SPIKE, SpikingPolicy, choose_actions
from spikeloom.tasks._estimator import make_rule
from spikeloom.tasks._imitation import ACTIVE_RESPONSE, CorrectionLearner, correction_timing
from spikeloom.tasks.cartpole import (
    MAX_EPISODE_STEPS,
    THETA_THRESHOLD,
    X_THRESHOLD,
    CartPole,
    cartpole_fields,
    cartpole_teacher,
    evaluate_policy,
    make_env,
    train_cartpole,
)

try:
    import gymnasium
except ImportError:  # the optional extra spikeloom[rl]: only the comparisons need it
    gymnasium = None

needs_gymnasium = pytest.mark.skipif(gymnasium is None, reason="gymnasium not installed "
                                     "(pip install 'spikeloom[rl]')")


def _pair(seed):
    ours, theirs = CartPole(), gymnasium.make("CartPole-v1")
    a, _ = ours.reset(seed=seed)
    b, _ = theirs.reset(seed=seed)
    np.testing.assert_array_equal(a, b)
    return ours, theirs


def _step_both(ours, theirs, action):
    mine, other = ours.step(action), theirs.step(action)
    np.testing.assert_array_equal(mine[0], other[0])  # float32 observations, bit for bit
    np.testing.assert_allclose(ours.state, theirs.unwrapped.state, rtol=0, atol=1e-12)
    assert mine[1:4] == other[1:4]  # reward, terminated, truncated
    return mine


@needs_gymnasium
@pytest.mark.parametrize("seed", [0, 7, 123])
def test_builtin_cartpole_follows_gymnasium_until_the_pole_falls(seed):
    ours, theirs = _pair(seed)
    actions = np.random.default_rng(seed).integers(0, 2, size=MAX_EPISODE_STEPS)
    for action in actions:
        _, _, terminated, truncated, _ = _step_both(ours, theirs, int(action))
        if terminated:
            break
    assert terminated and not truncated  # random pushes drop the pole, early
    assert ours.elapsed_steps == theirs._elapsed_steps < 100


@needs_gymnasium
def test_builtin_cartpole_is_truncated_after_500_steps_like_gymnasium():
    ours, theirs = _pair(3)
    obs = ours.state
    for step in range(1, MAX_EPISODE_STEPS + 1):
        _, _, terminated, truncated, _ = _step_both(ours, theirs,
                                                    int(cartpole_teacher(obs[None])[0]))
        obs = ours.state
        assert not terminated
        assert truncated == (step == MAX_EPISODE_STEPS)


@pytest.mark.parametrize("index, limit", [(0, X_THRESHOLD), (2, THETA_THRESHOLD)])
@pytest.mark.parametrize("sign", [-1, 1])
def test_termination_when_x_or_theta_leaves_its_bound(index, limit, sign):
    env = CartPole()
    env.reset(seed=0)
    env.state = np.zeros(4)
    env.state[index] = sign * (limit - 1e-9)
    env.state[index + 1] = sign * 1.0  # moving outward: past the bound after one step
    _, reward, terminated, truncated, _ = env.step(1 if sign > 0 else 0)
    assert terminated and not truncated and reward == 1.0
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)


def test_not_terminated_just_inside_the_bounds_and_truncated_at_the_limit():
    env = CartPole(max_episode_steps=3)
    env.reset(seed=0)
    env.state = np.array([X_THRESHOLD - 1e-3, 0.0, 0.0, 0.0])
    for step in (1, 2, 3):
        _, _, terminated, truncated, _ = env.step(0)
        assert not terminated and truncated == (step == 3)


@pytest.mark.parametrize("counts, first, previous, expected", [
    ([[2, 5]], [[0, 9]], [0], 1),                  # more spikes win
    ([[4, 4]], [[7, 3]], [0], 1),                  # equal counts: the earlier first spike
    ([[4, 4]], [[3, 3]], [1], 1),                  # same step too: the previous action
    ([[4, 4]], [[3, 3]], [0], 0),
    ([[0, 0]], [[NO_SPIKE, NO_SPIKE]], [1], 1),    # silence: the previous action
    ([[1, 3, 3]], [[0, 8, 6]], [0], 2),            # more than two actions
])
def test_readout_tie_rule(counts, first, previous, expected):
    assert choose_actions(np.array(counts), np.array(first), np.array(previous))[0] == expected


def _trained_like_weights():
    """Weights that push toward the side the pole falls: θ and θ̇ fields only."""
    fields = cartpole_fields()
    centres = fields.centers
    w = np.zeros((4, fields.n_fields, 2))
    for k in (2, 3):
        right = centres[k] > 0
        w[k, :, 1], w[k, :, 0] = right, ~right
    return fields, w.reshape(-1, 2)


def test_acting_leaves_every_weight_bit_identical_and_the_learner_decides_alike():
    """Acting never learns (plasticity frozen, though both layers spike), and the plastic
    learner, deciding on the visited observations, sees exactly the spikes of the actor
    (both layers are reset every period, so a decision is a function of its observation)."""
    rule = make_rule("nc")
    fields, w = _trained_like_weights()
    policy = SpikingPolicy(fields, 2, rule, w, copies=3)
    before = np.asarray(policy.synapses.w[:]).copy()
    batch = policy.run_episodes([CartPole() for _ in range(3)], [0, 1, 2], max_steps=120,
                                record=True)
    assert np.asarray(policy.synapses.w[:]).tobytes() == before.tobytes()
    assert batch.lengths.tolist() == [120] * 3  # the hand weights balance; cut at max_steps
    assert sum(c.sum() for c in batch.counts) > 0
    learner = CorrectionLearner(fields, 2, rule, w)
    # from step 5 on, alone: each period's spikes depend on its own observation only
    counts, _ = learner.decide(batch.observations[0][5:40])
    np.testing.assert_array_equal(counts, batch.counts[0][5:40])
    assert learner.weights.tobytes() == w.tobytes()


@pytest.mark.parametrize("rule_name", ["stdp", "nc", "ppx"])
def test_a_correction_depresses_the_wrong_action_and_potentiates_the_right_one(rule_name):
    rule = make_rule(rule_name)
    fields = cartpole_fields()
    start = np.full((fields.n_inputs, 2), rule.w_min + 0.5 * (rule.w_max - rule.w_min))
    learner = CorrectionLearner(fields, 2, rule, start)
    state = np.array([[0.3, -0.1, 0.01, 0.2]])
    timing = correction_timing(rule, 0.02)
    learner.correct(state, np.array([0]), np.array([1]), timing)
    change = learner.weights - start
    active = fields.transform(state)[0] >= ACTIVE_RESPONSE
    assert np.all(change[active, 0] < 0) and np.all(change[active, 1] > 0)
    assert np.all(change[~active] == 0)
    # the step is the rule's own closed form for the chosen intervals
    expected = rule.delta_w(timing.after_ms * ms, start[0, 1])
    np.testing.assert_allclose(change[active, 1], expected, rtol=1e-9)


def test_correction_timing_hits_the_step_when_the_window_allows():
    rule = make_rule("nc")
    timing = correction_timing(rule, 0.02)
    for size in timing.steps:
        assert abs(size - 0.02) <= 0.25 * 0.02
    assert timing.sample_ms % 20 == 0 and timing.sample_ms > timing.before_ms + timing.after_ms
    # additive STDP with λ = 0.01 cannot reach 0.02: its largest change, at 1 ms
    stdp = correction_timing(make_rule("stdp"), 0.02)
    assert (stdp.before_ms, stdp.after_ms) == (1, 1)


# long (a cold run compiles several networks): in the slow set
@pytest.mark.slow
def test_training_beats_a_random_policy_and_the_untrained_network():
    """40 training episodes with the NC rule; 20 evaluation episodes on the same seeds for
    the trained network, the untrained one (all weights at mid-range) and a random policy."""
    result = train_cartpole("nc", episodes=40, eval_episodes=20, seed=0, env="builtin",
                            progress=False)
    random_mean = result.random_lengths.mean()
    untrained = evaluate_policy(np.full_like(result.weights, 0.5), make_rule("nc"),
                                result.eval_seeds, "builtin")
    assert 15 < random_mean < 30
    assert untrained.mean() < random_mean  # ties everywhere: it pushes one way
    assert result.mean_length > 5 * random_mean
    assert result.teacher_lengths.mean() == MAX_EPISODE_STEPS
    assert result.weights.tobytes() != np.full_like(result.weights, 0.5).tobytes()


@pytest.mark.parametrize("kwargs, match", [
    ({"rule": "hebb"}, "rule must be one of 'stdp', 'nc', 'ppx'.*got 'hebb'"),
    ({"episodes": 0}, "episodes must be an integer >= 1, got 0"),
    ({"eval_episodes": 2.5}, "eval_episodes must be an integer >= 1, got 2.5"),
    ({"env": "mujoco"}, "env must be one of 'auto', 'builtin', 'gymnasium', got 'mujoco'"),
])
def test_train_cartpole_bad_input_names_argument_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_cartpole(**kwargs)


def test_env_bad_input_names_argument_and_value():
    with pytest.raises(ValueError, match="name must be 'CartPole-v1', got 'CartPole-v0'"):
        make_env("CartPole-v0")
    with pytest.raises(ValueError, match="backend must be one of .*got 'mujoco'"):
        make_env(backend="mujoco")
    env = CartPole()
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)
    env.reset(seed=0)
    for action in (2, -1, 0.5, True):
        with pytest.raises(ValueError, match=re.escape(f"action must be 0 (push left) or 1 "
                                                       f"(push right), got {action!r}")):
            env.step(action)


@needs_gymnasium
def test_make_env_takes_gymnasium_when_installed():
    assert isinstance(make_env(backend="builtin"), CartPole)
    assert make_env(backend="gymnasium").spec.id == "CartPole-v1"
    assert make_env().spec.id == "CartPole-v1"


def test_make_env_without_gymnasium_builds_in_or_says_what_to_install(monkeypatch):
    from spikeloom.tasks import cartpole

    monkeypatch.setattr(cartpole, "_gymnasium", lambda: None)
    assert isinstance(make_env(), CartPole)
    with pytest.raises(ImportError, match=re.escape("pip install 'spikeloom[rl]'")):
        make_env(backend="gymnasium")


# long (a cold run compiles several networks): in the slow set
@pytest.mark.slow
def test_cli_cartpole_prints_the_mean_first_and_exits_2_on_bad_input(tmp_path, capsys):
    plot = tmp_path / "cartpole.png"
    assert main(["cartpole", "--rule", "nc", "--episodes", "10", "--eval-episodes", "5",
                 "--env", "builtin", "--no-progress", "--plot", str(plot)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"mean episode length \d+\.\d", lines[0])
    assert lines[2].startswith("random policy: mean episode length ")
    assert lines[3].startswith("teacher (push toward θ + 0.5 s·θ̇): mean episode length 500.0")
    assert re.fullmatch(r"wall time: .*", lines[4])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["cartpole", "--episodes", "0", "--no-progress"]) == 2
    assert "episodes must be an integer >= 1, got 0" in capsys.readouterr().err
