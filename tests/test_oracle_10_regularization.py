"""Step 10 against PyTorch, float64, to 1e-6: BatchNorm, dropout's scaling and the L2 penalty.

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


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.9])
def test_dropout_scaling_matches_torch(ns, p):
    """Inverted dropout as torch.nn.functional.dropout: in training every kept entry is X / (1 - p) and a
    fraction p is zeroed (torch draws its own mask, so the kept entries are compared where both kept them,
    and the fractions within five standard deviations); in evaluation both are the identity."""
    rng = np.random.default_rng(int(p * 100))
    X = rng.uniform(0.5, 2.0, size=(200, 300))
    torch.manual_seed(0)
    expected = torch.nn.functional.dropout(torch.tensor(X), p=p, training=True).numpy()
    out, mask = ns["dropout_forward"](X, p, "train", np.random.default_rng(1))
    both = (out != 0) & (expected != 0)
    np.testing.assert_allclose(out[both], expected[both], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(out[out != 0], X[out != 0] / (1 - p), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(out, X * mask, rtol=RTOL, atol=ATOL)
    bound = 5 * np.sqrt(p * (1 - p) / X.size) + 1e-12
    assert abs(np.mean(expected == 0) - p) <= bound and abs(np.mean(out == 0) - p) <= bound
    evaluated, _ = ns["dropout_forward"](X, p, "eval", np.random.default_rng(1))
    np.testing.assert_allclose(evaluated, torch.nn.functional.dropout(torch.tensor(X), p=p, training=False).numpy(),
                               rtol=RTOL, atol=ATOL)


def test_l2_penalty_matches_autograd_and_adam_weight_decay(ns):
    """l2_penalty's gradient is torch autograd's through 0.5 * lambda * sum(W ** 2); adding it to the data
    gradient before adam_step is torch.optim.Adam(weight_decay=lambda), five steps, float64."""
    rng = np.random.default_rng(10)
    params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=3), "W2": rng.normal(size=(3, 2)),
              "b2": rng.normal(size=2)}
    weight_decay = 0.05
    penalty, grads = ns["l2_penalty"](params, weight_decay)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    total = 0.5 * weight_decay * sum((tensors[k] ** 2).sum() for k in ("W1", "W2"))
    total.backward()
    assert abs(penalty - total.item()) <= RTOL * abs(total.item())
    for k in ("W1", "W2"):
        np.testing.assert_allclose(grads[k], tensors[k].grad.numpy(), rtol=RTOL, atol=ATOL)
    W = torch.tensor(params["W1"], requires_grad=True)
    optimizer = torch.optim.Adam([W], lr=0.01, weight_decay=weight_decay)
    mine, state = params["W1"].copy(), {}
    for step in range(5):
        data_grad = rng.normal(size=(4, 3))
        optimizer.zero_grad()
        W.grad = torch.tensor(data_grad)
        optimizer.step()
        penalty_grad = ns["l2_penalty"]({"W1": mine}, weight_decay)[1]["W1"]
        mine, state = ns["adam_step"](mine, data_grad + penalty_grad, state, lr=0.01)
        np.testing.assert_allclose(mine, W.detach().numpy(), rtol=RTOL, atol=ATOL)
