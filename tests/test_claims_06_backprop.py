"""Every number step 06's prose and model answers quote, recomputed."""

import math

import numpy as np
import pytest

from course.toy import moons
from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("06_backprop")


def distinct_columns(W):
    return np.unique(np.round(W, 9), axis=1).shape[1]


def test_part1_example_gradients(ns):
    """'L = relu(a*b + c) * a ... (expect [1. 4. 2.])' at a, b, c = 2, -0.5, 3."""
    V = ns["Value"]
    a, b, c = V(2.0), V(-0.5), V(3.0)
    L = (a * b + c).relu() * a
    L.backward()
    assert (L.data, a.grad, b.grad, c.grad) == (4.0, 1.0, 4.0, 2.0)


def test_grad_check_hand_case_is_one_ninth(ns):
    x = np.array([1.0, 2.0, -3.0])
    assert abs(ns["grad_check"](lambda: np.sum(x ** 2), x, np.array([2.0, 5.0, -6.0])) - 1 / 9) < 1e-9


def test_written_answer_bytes(ns):
    """'(64·784 + 2·64·128)·4 bytes ≈ 0.25 MiB ... weights ≈ 0.39 MiB'."""
    kept = ns["cache_bytes"](64, 784, 128, 10)
    assert round(kept["activations (X, z1, h1)"] / 2**20, 2) == 0.25
    assert round(kept["weights (W1, W2)"] / 2**20, 2) == 0.39


@pytest.mark.parametrize("width", [2, 16, 32, 64])
def test_zeros_learns_only_b2_and_stays_at_log_2(ns, width):
    """'zeros ... only b2 learns, so the loss stays near log 2 ≈ 0.693, the best any
    constant prediction does on two balanced classes'."""
    run = ns["experiment"](init="zeros", width=width)
    W1, b1 = run["layers"][0]
    W2, _ = run["layers"][1]
    assert not W1.any() and not b1.any() and not W2.any()
    assert np.all(run["full_loss"] >= math.log(2) - 1e-12)
    assert np.all(run["full_loss"] < math.log(2) + 0.02)  # 0.706 at most at lr = 1
    assert run["distinct_units"] == 1


@pytest.mark.parametrize("width", [4, 16, 32, 64])
@pytest.mark.parametrize("depth", [1, 2])
def test_constant_init_keeps_one_distinct_unit(ns, width, depth):
    """'a width-32 network with constant init is a width-1 network'."""
    for lr in (0.03, 0.3, 1.0):
        run = ns["experiment"](init="constant", width=width, depth=depth, lr=lr)
        assert run["distinct_units"] == 1
        if depth == 1:  # every hidden unit the same: its column and its outgoing weight
            W1, b1 = run["layers"][0]
            W2, _ = run["layers"][1]
            assert np.allclose(W1, W1[:, :1]) and np.allclose(b1, b1[0]) and np.allclose(W2, W2[0])


def test_he_init_keeps_every_unit_distinct(ns):
    assert ns["experiment"](init="he", width=32)["distinct_units"] == 32


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_concept_random_W2_breaks_the_symmetry(ns, seed):
    """Concept check 2: W1 constant but W2 random gives 32 distinct units after 300 steps."""
    X, y = moons(N=200, noise=0.2, seed=seed)
    rng = np.random.default_rng(seed + 1)
    p = {"W1": np.full((2, 32), 0.5), "b1": np.zeros(32),
         "W2": rng.normal(size=(32, 1)) / np.sqrt(32), "b2": np.zeros(1)}
    for _ in range(300):
        batch = rng.choice(200, size=16, replace=False)
        scores, cache = ns["mlp_forward"](X[batch], p)
        _, dz = ns["bce_with_logits_loss"](scores[:, 0], y[batch].astype(float))
        g = ns["mlp_backward"](dz[:, None], cache)
        p = {k: p[k] - 0.3 * g[k] for k in p}
    assert distinct_columns(p["W1"]) == 32


def test_concept_sigmoid_network_needs_h1_not_z1(ns):
    """Concept check 1: with sigmoid (cache = output), dX and the parameter gradients need
    only X, W1, h1 and W2 (and dscores)."""
    rng = np.random.default_rng(3)
    X, W1, b1, W2, b2 = (rng.normal(size=s) for s in [(5, 3), (3, 4), (4,), (4, 2), (2,)])
    dscores = rng.normal(size=(5, 2))
    h1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    # every gradient from X, W1, h1 and W2 only (and dscores)
    dz1 = (dscores @ W2.T) * h1 * (1 - h1)
    ours = {"W1": X.T @ dz1, "b1": dz1.sum(0), "W2": h1.T @ dscores, "b2": dscores.sum(0)}
    dX = dz1 @ W1.T
    import torch
    Xt = torch.tensor(X, requires_grad=True)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in
         {"W1": W1, "b1": b1, "W2": W2, "b2": b2}.items()}
    (torch.sigmoid(Xt @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]).backward(
        torch.from_numpy(dscores))
    for k in ours:
        np.testing.assert_allclose(ours[k], t[k].grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-10)


def test_printed_panel_runs(ns):
    """The Explore cell's printout: he, zeros and constant at width 32."""
    he = ns["experiment"](init="he", width=32)
    assert he["accuracy"] >= 0.85 and he["full_loss"][-1] < he["full_loss"][0]
    assert ns["experiment"](init="zeros", width=32)["accuracy"] == 0.5


def test_batch_size_changes_the_noise(ns):
    """'batch size 1, 16 and 200 ... how noisy is each curve': full batch is not noisy."""
    spread = {}
    for bs in (1, 16, 200):
        loss = ns["experiment"](batch_size=bs)["loss"]
        spread[bs] = np.std(np.diff(loss[100:]))
    assert spread[1] > spread[16] > spread[200]
