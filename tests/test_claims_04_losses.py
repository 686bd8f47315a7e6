"""Every number step 04's prose and model answers quote, recomputed from the notebook.

The Explore text quotes what the panel shows (``experiment`` in the source notebook, the
model solutions inside it); Part 1 compares ``mse_loss``'s gradient with step 01's; Part 6
describes the ratios the gradient check prints for the broken layer; the concept check's
model answer quotes the saturated squared-error gradient.
"""

import math

import numpy as np
import pytest

from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("04_losses")


@pytest.fixture(scope="module")
def experiment(ns):
    return ns["experiment"]


def test_default_normal_init_misclassifies_every_example_at_the_start(ns, experiment):
    """"with this seed and the default normal scheme they point the wrong way, so at the
    start every example is misclassified" (any scale the slider offers above 0)."""
    slider = ns["__panels__"][0].controls["scale"]
    scales = np.arange(slider.min + slider.step, slider.max + slider.step / 2, slider.step)
    for scale in scales:
        for loss in ("cross-entropy", "mse"):
            run = experiment(scale=float(scale), loss=loss)
            assert run["accuracy"][0] == 0.0, (scale, loss, run["accuracy"][0])


def test_zero_init_starts_every_logit_at_zero(experiment):
    run = experiment(init="zeros")
    assert np.all(run["w"][0] == 0) and run["b"][0] == 0
    z = run["X"] @ run["w"][0] + run["b"][0]
    assert np.all(z == 0)


def test_defaults_epochs_to_95(experiment):
    """"At the defaults (lr = 0.3, scale = 3): cross-entropy reaches 95 % at epoch 8,
    squared error at epoch 23." (also printed by the Explore cell)"""
    assert experiment(lr=0.3, scale=3.0, loss="cross-entropy")["epochs_to_95"] == 8
    assert experiment(lr=0.3, scale=3.0, loss="mse")["epochs_to_95"] == 23


def test_scale_10_gradient_norms_and_accuracy(experiment):
    """"At scale = 10 squared error starts with a gradient norm of 0.025 against
    cross-entropy's 1.31, and after 100 epochs it is still at 14 % accuracy;
    cross-entropy reaches 95 % at epoch 19.\""""
    mse = experiment(lr=0.3, scale=10.0, loss="mse")
    ce = experiment(lr=0.3, scale=10.0, loss="cross-entropy")
    assert f"{mse['grad_norm'][0]:.2g}" == "0.025"
    assert f"{ce['grad_norm'][0]:.3g}" == "1.31"
    assert len(mse["accuracy"]) == 101 and mse["epochs_to_95"] is None
    assert round(100 * mse["accuracy"][-1]) == 14
    assert ce["epochs_to_95"] == 19


def test_lr_3_scale_10_epochs_to_95(experiment):
    """"At lr = 3 and scale = 10 squared error gets there too, at epoch 62
    (cross-entropy: epoch 2).\""""
    assert experiment(lr=3.0, scale=10.0, loss="mse")["epochs_to_95"] == 62
    assert experiment(lr=3.0, scale=10.0, loss="cross-entropy")["epochs_to_95"] == 2


def test_no_panel_setting_diverges(ns, experiment):
    """The loss title would say "diverged"; with these losses no slider setting does."""
    for lr in (0.001, 0.3, 3.0, 10.0):
        for scale in (0.0, 3.0, 10.0):
            for loss in ("cross-entropy", "mse"):
                assert experiment(lr=lr, scale=scale, loss=loss)["diverged_at"] is None


@pytest.mark.parametrize("M", [1, 2, 3, 5])
def test_mse_gradient_is_2_over_M_times_step_01s(ns, M):
    """Part 1: step 01's dY = (Y - T) / N for 1/2 * 1/N * sum (Y - T)^2; mse_loss's is
    2 / M times that (equal for M = 2), and so is the loss."""
    rng = np.random.default_rng(M)
    Y, T = rng.normal(size=(6, M)), rng.normal(size=(6, M))
    loss, dY = ns["mse_loss"](Y, T)
    step01_loss = 0.5 * np.sum((Y - T) ** 2) / 6
    np.testing.assert_allclose(dY, (2 / M) * (Y - T) / 6, rtol=1e-12)
    np.testing.assert_allclose(loss, (2 / M) * step01_loss, rtol=1e-12)


def test_bug_hunt_ratios(ns):
    """Part 6: the check of linear_bce_broken prints a dW of shape (M, D), ratios of -1 for
    dW.T (the sign) and -1/N for db (the sign and a second 1/N)."""
    rng = np.random.default_rng(3)
    N, D, M = 4, 3, 2
    X, W, b, y = (rng.normal(size=(N, D)), rng.normal(size=(D, M)), rng.normal(size=M),
                  rng.uniform(size=(N, M)))
    _, dW, db = ns["linear_bce_broken"](X, W, b, y)
    _, dW_ok, db_ok = ns["linear_bce"](X, W, b, y)
    assert dW.shape == (M, D)
    np.testing.assert_allclose(dW.T / dW_ok, -1.0, rtol=1e-12)
    np.testing.assert_allclose(db / db_ok, -1.0 / N, rtol=1e-12)
    printed = next(text for text in ns["__stdout__"].values() if "db / numerical db" in text)
    assert "[-0.25, -0.25]" in printed and "-1.0" in printed


def test_concept_check_numbers():
    """"p = sigma(-10) ~ 4.5e-5" and the model answer's "2 (p - 1) p (1 - p) is about -9e-5"."""
    p = 1 / (1 + math.exp(10))
    assert f"{p:.2g}" == "4.5e-05"
    assert f"{2 * (p - 1) * p * (1 - p):.1g}" == "-9e-05"


def test_zero_init_reaches_95_after_one_step(experiment):
    """"With init = zeros nothing is saturated, and both losses reach 95 % after a single
    step" (at the default lr)."""
    for loss in ("cross-entropy", "mse"):
        assert experiment(init="zeros", loss=loss)["epochs_to_95"] == 1
