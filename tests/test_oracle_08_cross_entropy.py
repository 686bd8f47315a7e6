"""Step 08's cross-entropy and softmax-regression step against PyTorch, float64, to 1e-6.

``cross_entropy`` (value and gradient) is compared with ``torch.nn.functional.cross_entropy``
(integer labels, ``reduction="mean"``) and torch autograd, over seeded shapes and with
logits as large as +-1000; the binary case against ``binary_cross_entropy_with_logits`` on
logits [0, z]; one ``softmax_regression_step`` against a step of ``torch.optim.SGD`` on
``nn.Linear``'s parameters (torch stores the weight transposed).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.nbns import namespace

RTOL, ATOL = 1e-6, 1e-6


@pytest.fixture(scope="module")
def ns():
    return namespace("08_cross_entropy")


def torch_ce(logits, y):
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(t, torch.tensor(y, dtype=torch.long))
    loss.backward()
    return loss.item(), t.grad.numpy()


CASES = [(np.random.default_rng(s).normal(size=(N, C)) * spread, np.random.default_rng(s + 1).integers(0, C, N))
         for s, (N, C, spread) in enumerate([(1, 2, 1.0), (5, 3, 2.0), (16, 10, 3.0), (7, 4, 10.0), (32, 5, 1.0)])]
CASES += [(np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0], [500.0, 500.0, -2000.0]]),
           np.array([2, 0, 1])),
          (np.array([[1000.0, 999.0], [0.0, 1000.0]]), np.array([0, 0]))]


@pytest.mark.parametrize("logits,y", CASES, ids=[f"{z.shape}-{k}" for k, (z, _) in enumerate(CASES)])
def test_cross_entropy_matches_torch(ns, logits, y):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dlogits = ns["cross_entropy"](logits.copy(), y.copy())
    ref_loss, ref_grad = torch_ce(logits, y)
    np.testing.assert_allclose(loss, ref_loss, rtol=RTOL, atol=ATOL)
    assert dlogits.shape == ref_grad.shape
    np.testing.assert_allclose(dlogits, ref_grad, rtol=RTOL, atol=ATOL)


def test_binary_case_matches_torch_bce(ns):
    rng = np.random.default_rng(5)
    z = np.concatenate([3 * rng.normal(size=10), [1000.0, -1000.0]])
    y = (rng.uniform(size=12) < 0.5).astype(int)
    loss, dlogits = ns["cross_entropy"](np.stack([np.zeros_like(z), z], axis=1), y)
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(t, torch.tensor(y, dtype=torch.float64))
    ref.backward()
    np.testing.assert_allclose(loss, ref.item(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dlogits[:, 1], t.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("N,D,C,lr", [(8, 2, 3, 0.5), (20, 5, 4, 0.1), (3, 1, 6, 2.0)])
def test_softmax_regression_step_matches_torch_sgd(ns, N, D, C, lr):
    rng = np.random.default_rng(N * 100 + D)
    X, y = rng.normal(size=(N, D)), rng.integers(0, C, size=N)
    W, b = rng.normal(size=(D, C)), rng.normal(size=C)
    loss, W_new, b_new = ns["softmax_regression_step"](X.copy(), y.copy(), W.copy(), b.copy(), lr)
    layer = torch.nn.Linear(D, C).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(W.T))
        layer.bias.copy_(torch.tensor(b))
    opt = torch.optim.SGD(layer.parameters(), lr=lr)
    ref = F.cross_entropy(layer(torch.tensor(X)), torch.tensor(y, dtype=torch.long))
    ref.backward()
    opt.step()
    np.testing.assert_allclose(loss, ref.item(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(W_new, layer.weight.detach().numpy().T, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(b_new, layer.bias.detach().numpy(), rtol=RTOL, atol=ATOL)
