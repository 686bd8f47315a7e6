"""Step 12's tensor network against PyTorch's own layers and step 06's NumPy backprop.

The model solution's ``torch_mlp_forward`` against ``F.linear``/``F.relu`` (torch's
layers, which store the weight transposed) and ``torch_cross_entropy`` against
``F.cross_entropy``, values and autograd gradients in float64 to 1e-6; the autograd
gradients of the whole network against step 06's ``mlp_backward`` (the model solution of
the earlier step, through ``earlier_steps``), the comparison the notebook teaches; and
``sgd_momentum_`` against ``torch.optim.SGD`` over twenty steps.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.nbns import namespace

RTOL, ATOL = 1e-6, 1e-9


@pytest.fixture(scope="module")
def ns():
    return namespace("12_pytorch_bridge")


def params(D, H, C, seed):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(size=(D, H)) / np.sqrt(D), "b1": rng.normal(size=H),
            "W2": rng.normal(size=(H, C)) / np.sqrt(H), "b2": rng.normal(size=C)}


def leaves(p):
    return {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in p.items()}


SHAPES = [(1, 3, 2, 2, 0), (16, 5, 7, 3, 1), (64, 20, 32, 10, 2), (9, 4, 1, 6, 3)]


@pytest.mark.parametrize("N,D,H,C,seed", SHAPES)
def test_network_and_loss_match_torch_layers(ns, N, D, H, C, seed):
    p = params(D, H, C, seed)
    rng = np.random.default_rng(seed + 10)
    X, y = torch.tensor(3 * rng.normal(size=(N, D))), torch.tensor(rng.integers(0, C, size=N))
    mine, ref = leaves(p), leaves(p)
    loss = ns["torch_cross_entropy"](ns["torch_mlp_forward"](X, mine), y)
    h = F.relu(F.linear(X, ref["W1"].T, ref["b1"]))
    loss_ref = F.cross_entropy(F.linear(h, ref["W2"].T, ref["b2"]), y)
    np.testing.assert_allclose(loss.item(), loss_ref.item(), rtol=RTOL, atol=ATOL)
    loss.backward()
    loss_ref.backward()
    for k in p:
        np.testing.assert_allclose(mine[k].grad.numpy(), ref[k].grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("N,D,H,C,seed", SHAPES)
def test_autograd_matches_the_numpy_backprop(ns, N, D, H, C, seed):
    p = params(D, H, C, seed)
    rng = np.random.default_rng(seed + 20)
    X, y = rng.normal(size=(N, D)), rng.integers(0, C, size=N)
    t = leaves(p)
    ns["torch_cross_entropy"](ns["torch_mlp_forward"](torch.tensor(X), t), torch.tensor(y)).backward()
    scores, cache = ns["mlp_forward"](X, p)
    grads = ns["mlp_backward"](ns["cross_entropy"](scores, y)[1], cache)
    for k in p:
        np.testing.assert_allclose(t[k].grad.numpy(), grads[k], rtol=RTOL, atol=ATOL)


def test_cross_entropy_at_large_logits(ns):
    z = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]], dtype=torch.float64,
                     requires_grad=True)
    y = torch.tensor([2, 0])
    loss = ns["torch_cross_entropy"](z, y)
    z_ref = z.detach().clone().requires_grad_(True)
    loss_ref = F.cross_entropy(z_ref, y)
    np.testing.assert_allclose(loss.item(), loss_ref.item(), rtol=1e-12)
    loss.backward()
    loss_ref.backward()
    np.testing.assert_allclose(z.grad.numpy(), z_ref.grad.numpy(), rtol=RTOL, atol=1e-300)


@pytest.mark.parametrize("lr,momentum", [(0.1, 0.9), (0.5, 0.0), (0.01, 0.99)])
def test_momentum_matches_torch_optim_sgd(ns, lr, momentum):
    p = params(4, 6, 3, seed=7)
    rng = np.random.default_rng(8)
    mine, ref = leaves(p), leaves(p)
    velocity = {k: torch.zeros_like(v) for k, v in mine.items()}
    opt = torch.optim.SGD(list(ref.values()), lr=lr, momentum=momentum)
    for _ in range(20):
        grads = {k: torch.tensor(rng.normal(size=v.shape)) for k, v in p.items()}
        for k in p:
            mine[k].grad = grads[k].clone()
            ref[k].grad = grads[k].clone()
        ns["sgd_momentum_"](mine, velocity, lr, momentum)
        opt.step()
        assert all(v.grad is None for v in mine.values())
    for k in p:
        np.testing.assert_allclose(mine[k].detach().numpy(), ref[k].detach().numpy(), rtol=1e-10)
