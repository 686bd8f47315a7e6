"""Step 04's losses against PyTorch: values and gradients, float64, to 1e-6.

The model solutions of ``source/04_losses`` are compared with ``torch.nn.functional``
(``mse_loss``, ``l1_loss``, ``huber_loss``, ``binary_cross_entropy_with_logits``,
``multi_margin_loss``), every one with its default ``reduction="mean"``; the reference
gradients come from torch autograd. Inputs are seeded, over several shapes; the BCE cases
include logits as large as |z| = 1000. MAE follows torch's subgradient at a zero residual
(sign(0) = 0), checked on exact ties; the random cases have no ties.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.nbns import namespace

RTOL, ATOL = 1e-6, 1e-6
SHAPES = [(1,), (7,), (32,), (5, 3), (16, 4)]


@pytest.fixture(scope="module")
def ns():
    return namespace("04_losses")


def torch_loss_and_grad(fn, pred, target, **kwargs):
    """Value of ``fn(pred, target)`` and its gradient with respect to ``pred``, by autograd."""
    p = torch.tensor(pred, dtype=torch.float64, requires_grad=True)
    t = torch.as_tensor(target)
    t = t.to(torch.float64) if t.is_floating_point() else t
    loss = fn(p, t, **kwargs)
    loss.backward()
    return loss.item(), p.grad.numpy()


def compare(mine, pred, target, fn, **kwargs):
    loss, grad = mine
    ref_loss, ref_grad = torch_loss_and_grad(fn, pred, target, **kwargs)
    np.testing.assert_allclose(loss, ref_loss, rtol=RTOL, atol=ATOL)
    assert np.shape(grad) == ref_grad.shape
    np.testing.assert_allclose(grad, ref_grad, rtol=RTOL, atol=ATOL)


def data(shape, seed, spread=2.0):
    rng = np.random.default_rng(seed)
    return spread * rng.normal(size=shape), rng.normal(size=shape)


@pytest.mark.parametrize("shape", SHAPES)
def test_mse_matches_torch(ns, shape):
    y_hat, y = data(shape, seed=1)
    compare(ns["mse_loss"](y_hat.copy(), y.copy()), y_hat, y, F.mse_loss)


@pytest.mark.parametrize("shape", SHAPES)
def test_mae_matches_torch(ns, shape):
    y_hat, y = data(shape, seed=2)
    compare(ns["mae_loss"](y_hat.copy(), y.copy()), y_hat, y, F.l1_loss)


def test_mae_zero_residual_follows_torch(ns):
    y_hat = np.array([[0.5, 2.0, -1.0], [3.0, 3.0, 0.0]])
    y = np.array([[0.5, 1.0, -1.0], [4.0, 3.0, 0.0]])
    compare(ns["mae_loss"](y_hat.copy(), y.copy()), y_hat, y, F.l1_loss)


@pytest.mark.parametrize("delta", [0.1, 0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("shape", SHAPES)
def test_huber_matches_torch(ns, shape, delta):
    y_hat, y = data(shape, seed=3)
    compare(ns["huber_loss"](y_hat.copy(), y.copy(), delta=delta), y_hat, y,
            F.huber_loss, delta=delta)


def test_huber_at_the_threshold(ns):
    y_hat = np.array([1.0, -1.0, 2.0, -2.0, 0.0])
    y = np.zeros(5)
    for delta in (1.0, 2.0):
        compare(ns["huber_loss"](y_hat.copy(), y.copy(), delta=delta), y_hat, y,
                F.huber_loss, delta=delta)


@pytest.mark.parametrize("scale", [1.0, 10.0, 100.0, 1000.0])
@pytest.mark.parametrize("shape", SHAPES)
def test_bce_with_logits_matches_torch(ns, shape, scale):
    rng = np.random.default_rng(4)
    z = scale * rng.normal(size=shape)
    y = (rng.uniform(size=shape) < 0.5).astype(np.float64)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        mine = ns["bce_with_logits_loss"](z.copy(), y.copy())
    compare(mine, z, y, F.binary_cross_entropy_with_logits)


@pytest.mark.parametrize("shape", SHAPES)
def test_bce_with_logits_soft_targets(ns, shape):
    rng = np.random.default_rng(5)
    z = 5 * rng.normal(size=shape)
    y = rng.uniform(size=shape)
    compare(ns["bce_with_logits_loss"](z.copy(), y.copy()), z, y,
            F.binary_cross_entropy_with_logits)


def test_bce_with_logits_extremes(ns):
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0, 36.0, -36.0, 710.0, -710.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.5, 0.25])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        mine = ns["bce_with_logits_loss"](z.copy(), y.copy())
    compare(mine, z, y, F.binary_cross_entropy_with_logits)


@pytest.mark.parametrize("N,C", [(1, 2), (1, 10), (8, 3), (32, 10), (5, 7)])
@pytest.mark.parametrize("spread", [0.3, 1.0, 5.0])
def test_multiclass_hinge_matches_torch(ns, N, C, spread):
    rng = np.random.default_rng(6)
    scores = spread * rng.normal(size=(N, C))
    y = rng.integers(0, C, size=N)
    compare(ns["multiclass_hinge_loss"](scores.copy(), y.copy()), scores, y,
            F.multi_margin_loss, p=1, margin=1.0)


def test_multiclass_hinge_matches_module(ns):
    """The functional form and nn.MultiMarginLoss agree (the notebook cites the module)."""
    rng = np.random.default_rng(7)
    scores = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    compare(ns["multiclass_hinge_loss"](scores.copy(), y.copy()), scores, y,
            torch.nn.MultiMarginLoss(p=1, margin=1.0))
