"""Every number step 05's prose and model answers quote, recomputed from the notebook.

The notebook's own ``experiment`` (the Explore panel, with its defaults) and update rules
(the model solution) are run here; the comment above each test names the cell that quotes
the number.
"""

import math

import numpy as np
import pytest

from tests.nbns import namespace

ASSIGNMENT = "05_optimizers"


def ns():
    return namespace(ASSIGNMENT)


def run(**kw):
    return ns()["experiment"](**kw)


def near_one(result, tol):
    return result["diverged_at"] is None and np.max(np.abs(result["path"][-1] - 1.0)) < tol


def diverges(step, lr, hyper, A, num_steps=4000):
    """True when `step` on p @ A @ p / 2 ends farther from 0 than it started."""
    p, state = np.array([1.0, 1.0]) / math.sqrt(2), {}
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            p, state = step(p, A @ p, state, lr=lr, **hyper)
            if not np.all(np.isfinite(p)) or np.linalg.norm(p) > 1e6:
                return True
    return np.linalg.norm(p) > 1.0


def threshold(step, hyper, A):
    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if diverges(step, mid, hyper, A) else (mid, hi)
    return (lo + hi) / 2


# Explore intro, model answer and Summary: 2 / lambda_max = 0.1, heavy-ball 0.19,
# torch's Nesterov 2 (1 + mu) / ((1 + 2 mu) lambda_max) = 0.068, at mu = 0.9
@pytest.mark.parametrize("name,hyper,quoted,formula", [
    ("sgd_step", {}, 0.1, 2 / 20),
    ("momentum_step", {"momentum": 0.9}, 0.19, 2 * 1.9 / 20),
    ("nesterov_step", {"momentum": 0.9}, 0.068, 2 * 1.9 / (2.8 * 20)),
])
def test_divergence_thresholds_on_the_explore_quadratic(name, hyper, quoted, formula):
    A = ns()["A_QUAD"]
    assert np.isclose(np.linalg.eigvalsh(A).max(), 20.0)
    found = threshold(ns()[name], hyper, A)
    assert found == pytest.approx(formula, rel=2e-3)
    assert formula == pytest.approx(quoted, rel=1e-2)


# Explore intro: SGD at 0.11 "is stopped after a few dozen steps"; model answer: "the panel
# stops it at step 35"
def test_sgd_just_above_the_threshold_is_stopped_at_step_35():
    assert run(optimizer="sgd", lr=0.11)["diverged_at"] == 35
    for lr in (0.05, 0.09):
        assert run(optimizer="sgd", lr=lr)["diverged_at"] is None


# Explore intro: momentum 0.9 at 0.05 and 0.15 converges, at 0.2 it does not; Nesterov is
# stopped already at 0.07 (model answer: at step 70, while SGD and momentum converge)
def test_momentum_and_nesterov_in_the_panel():
    for lr in (0.05, 0.15):
        result = run(optimizer="momentum", lr=lr)
        assert result["diverged_at"] is None and result["loss"][-1] < 1e-6
    assert run(optimizer="momentum", lr=0.2)["diverged_at"] is not None
    assert run(optimizer="nesterov", lr=0.07)["diverged_at"] == 70
    assert run(optimizer="nesterov", lr=0.065)["diverged_at"] is None
    for optimizer in ("sgd", "momentum"):
        assert run(optimizer=optimizer, lr=0.07)["diverged_at"] is None


# Explore intro: on Rosenbrock with the default 1000 steps, momentum 0.9 at lr 0.001 ends
# within 0.02 of (1, 1), at 0.01 it is thrown out within five steps; Adam reaches (1, 1) at 0.1
def test_rosenbrock_under_the_panel_defaults():
    assert ns()["__panels__"][0].controls["num_steps"].value == 1000
    assert near_one(run(surface="rosenbrock", optimizer="momentum", lr=0.001), 0.02)
    assert run(surface="rosenbrock", optimizer="momentum", lr=0.01)["diverged_at"] <= 5
    assert near_one(run(surface="rosenbrock", optimizer="adam", lr=0.1), 0.002)


# The learning-rate sweep (Explore): Adam does best at 0.1 and 1 (final loss below 1e-6);
# at 1e-3 it travels at most about one unit per coordinate in 1000 steps and is still far;
# momentum: 1e-3 within 0.02 of (1, 1), 1e-2 thrown out within five steps
def test_learning_rate_sweep():
    adam = {lr: run(surface="rosenbrock", optimizer="adam", lr=lr) for lr in (1e-4, 1e-3, 1e-2, 1e-1, 1.0)}
    finals = {lr: r["loss"][-1] for lr, r in adam.items()}
    assert all(r["diverged_at"] is None for r in adam.values())
    assert finals[1e-1] < 1e-6 and finals[1.0] < 1e-6
    assert min(finals, key=finals.get) in (1e-1, 1.0)
    travelled = np.max(np.abs(adam[1e-3]["path"] - adam[1e-3]["path"][0]), axis=0)
    assert np.all(travelled < 1.1) and finals[1e-3] > 1.0
    assert near_one(run(surface="rosenbrock", optimizer="momentum", lr=1e-3), 0.02)
    assert run(surface="rosenbrock", optimizer="momentum", lr=1e-2)["diverged_at"] <= 5
    printed = ns()["__stdout__"]
    sweep = next(text for text in printed.values() if text.startswith("lr "))
    assert "diverged at step 4" in sweep


# Model answer: Adam at lr = 1 on the quadratic does not diverge, its first steps move each
# coordinate by about 1, the loss is about 1e-8 after 200 steps and below 1e-20 after 500
def test_adam_far_above_the_sgd_threshold():
    result = run(optimizer="adam", lr=1.0)
    assert result["diverged_at"] is None
    first_move = np.abs(result["path"][1] - result["path"][0])
    assert np.allclose(first_move, 1.0, rtol=1e-3)
    assert 1e-9 < run(optimizer="adam", lr=1.0, num_steps=200)["loss"][-1] < 1e-7
    assert run(optimizer="adam", lr=1.0, num_steps=500)["loss"][-1] < 1e-20


# Concept check answers and the memory cell: Adam moves 0.005 (eps = |g|), RMSProp
# 0.01 / sqrt(0.1) = 0.0316; 25 M float32 parameters: momentum 1e8 bytes, Adam 2e8; in
# float32, parameters + gradients + state: 8, 12, 16 bytes per parameter
def test_concept_check_numbers():
    n = ns()
    g = np.array([0.001])
    adam_move = abs(n["adam_step"](np.zeros(1), g, {}, lr=0.01, eps=1e-3)[0][0])
    rms_move = abs(n["rmsprop_step"](np.zeros(1), g, {}, lr=0.01, alpha=0.9, eps=1e-8)[0][0])
    assert adam_move == pytest.approx(0.005, rel=1e-6)
    assert rms_move == pytest.approx(0.0316, rel=1e-3)
    p32 = np.zeros(25, dtype=np.float32)
    per_param = {}
    for name, step in [("sgd", "sgd_step"), ("momentum", "momentum_step"), ("adam", "adam_step")]:
        _, state = n[step](p32, np.ones(25, dtype=np.float32), {}, lr=0.01)
        per_param[name] = sum(v.nbytes for v in state.values() if isinstance(v, np.ndarray)) / 25
    assert per_param == {"sgd": 0, "momentum": 4, "adam": 8}
    assert {k: 25e6 * v for k, v in per_param.items() if k != "sgd"} == {"momentum": 1e8, "adam": 2e8}
    assert {k: 8 + v for k, v in per_param.items()} == {"sgd": 8, "momentum": 12, "adam": 16}
    assert n["lr_threshold_prediction"] == pytest.approx(2 / np.linalg.eigvalsh([[5, 2], [2, 2]]).max())


# Part 8 check cell: clipping 3, 4, 12 (norm 13) to 6.5 halves every entry "minus a hair";
# the text says the textbook factor differs by about 1e-6 / norm relative
def test_clipping_example():
    clipped, total = ns()["clip_grad_norm"]([np.array([3.0, 4.0]), np.array([[12.0]])], 6.5)
    assert total == 13.0
    textbook = 6.5 / 13.0
    assert abs(clipped[1][0, 0] / 12.0 - textbook) / textbook == pytest.approx(1e-6 / 13, rel=1e-3)
