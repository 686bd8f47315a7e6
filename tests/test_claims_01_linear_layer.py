"""Every statement step 01's prose makes about its Explore panel and its loss, recomputed."""

import numpy as np
import pytest
import torch

from course.toy import linear_regression_data
from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("01_linear_layer")


def least_squares_loss(seed=0):
    """The smallest loss ½·(1/N)·Σ(Y − T)² any W, b can reach on the panel's data."""
    X, T, _, _ = linear_regression_data(N=64, D=3, M=2, seed=seed)
    X1 = np.hstack([X, np.ones((len(X), 1))])
    Wb, *_ = np.linalg.lstsq(X1, T, rcond=None)
    return 0.5 * np.sum((X1 @ Wb - T) ** 2) / len(X)


def test_zero_init_is_fine_for_a_single_linear_layer(ns):
    """'Zero initialization is fine for a single linear layer trained by gradient descent.'"""
    best = least_squares_loss()
    for init in ("zeros", "normal", "uniform"):
        run = ns["experiment"](init=init)
        assert run["diverged_at"] is None
        assert run["loss"][-1] < 1.06 * best, (init, run["loss"][-1], best)
    zeros = ns["experiment"](init="zeros")["loss"][-1]
    normal = ns["experiment"](init="normal")["loss"][-1]
    assert zeros <= normal  # from zeros it does no worse than from the default random start


def test_the_run_stops_and_says_so_when_the_loss_explodes(ns):
    """'lr from 0.001 up to 10 ... (The run stops and says so when the loss explodes.)'"""
    assert ns["experiment"](lr=10.0)["diverged_at"] is not None
    assert ns["experiment"](lr=0.1)["diverged_at"] is None


def test_half_mean_loss_has_gradient_residual_over_N():
    """'The ½ ... cancels the 2 from differentiating the square, so dY = (Y - T)/N exactly.'"""
    rng = np.random.default_rng(0)
    Y, T = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    Yt = torch.tensor(Y, requires_grad=True)
    loss = 0.5 * ((Yt - torch.from_numpy(T)) ** 2).sum() / len(Y)
    loss.backward()
    np.testing.assert_allclose(Yt.grad.numpy(), (Y - T) / len(Y), rtol=1e-14)


@pytest.mark.parametrize("N,M", [(64, 2), (5, 1), (9, 7)])
def test_half_mean_loss_is_M_over_2_times_mse(N, M):
    """'The two differ by the constant factor M/2' (step 04's MSE is torch's mse_loss)."""
    rng = np.random.default_rng(N * M)
    Y, T = rng.normal(size=(N, M)), rng.normal(size=(N, M))
    ours = 0.5 * np.sum((Y - T) ** 2) / N
    mse = torch.nn.functional.mse_loss(torch.from_numpy(Y), torch.from_numpy(T)).item()
    np.testing.assert_allclose(ours, M / 2 * mse, rtol=1e-12)
