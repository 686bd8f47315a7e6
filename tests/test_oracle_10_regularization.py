"""Step 10's BatchNorm against PyTorch, float64, to 1e-6.

``batchnorm_forward`` in training mode (output and the running statistics after several
batches, at several momenta) and in evaluation mode is compared with
``torch.nn.BatchNorm1d``; ``batchnorm_backward`` with torch autograd through it in
training mode (dX, dgamma = weight.grad, dbeta = bias.grad).
"""

import numpy as np
import pytest
import torch

from tests.nbns import namespace

RTOL, ATOL = 1e-6, 1e-6


@pytest.fixture(scope="module")
def ns():
    return namespace("10_regularization")


def torch_bn(D, gamma, beta, momentum, eps):
    layer = torch.nn.BatchNorm1d(D, momentum=momentum, eps=eps).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
    return layer


CASES = [(2, 1, 0.1, 1e-5), (5, 3, 0.1, 1e-5), (16, 8, 0.01, 1e-5), (7, 4, 0.5, 1e-3), (32, 2, 1.0, 1e-5)]


@pytest.mark.parametrize("N,D,momentum,eps", CASES)
def test_train_eval_and_running_statistics_match_torch(ns, N, D, momentum, eps):
    rng = np.random.default_rng(N * 100 + D)
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    layer = torch_bn(D, gamma, beta, momentum, eps)
    running = {"mean": np.zeros(D), "var": np.ones(D)}
    for step in range(4):
        X = 3 * rng.normal(size=(N, D)) + rng.normal(size=D)
        layer.train()
        expected = layer(torch.tensor(X)).detach().numpy()
        out, _, running = ns["batchnorm_forward"](X, gamma, beta, running, "train", momentum, eps)
        np.testing.assert_allclose(out, expected, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(running["mean"], layer.running_mean.numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(running["var"], layer.running_var.numpy(), rtol=RTOL, atol=ATOL)
    X = rng.normal(size=(3, D))
    layer.eval()
    out, _, after = ns["batchnorm_forward"](X, gamma, beta, running, "eval", momentum, eps)
    np.testing.assert_allclose(out, layer(torch.tensor(X)).detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(after["var"], layer.running_var.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("N,D,momentum,eps", CASES)
def test_backward_matches_autograd(ns, N, D, momentum, eps):
    rng = np.random.default_rng(N * 7 + D)
    gamma, beta = rng.uniform(0.5, 2.0, size=D), rng.normal(size=D)
    X, dout = 2 * rng.normal(size=(N, D)) + 1.0, rng.normal(size=(N, D))
    layer = torch_bn(D, gamma, beta, momentum, eps)
    layer.train()
    Xt = torch.tensor(X, requires_grad=True)
    layer(Xt).backward(torch.tensor(dout))
    _, cache, _ = ns["batchnorm_forward"](X, gamma, beta, {"mean": np.zeros(D), "var": np.ones(D)}, "train",
                                          momentum, eps)
    dX, dgamma, dbeta = ns["batchnorm_backward"](dout, cache)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dgamma, layer.weight.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(dbeta, layer.bias.grad.numpy(), rtol=RTOL, atol=ATOL)
