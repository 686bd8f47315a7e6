"""Step 01 (linear layer) against PyTorch: forward as torch.nn.functional.linear (whose
weight is stored (M, D), the transpose of ours), backward by autograd."""

import numpy as np
import pytest
import torch

from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("01_linear_layer")


SHAPES = [(1, 1, 1), (5, 3, 2), (64, 784, 10), (3, 1, 9), (17, 6, 6)]


@pytest.mark.parametrize("N,D,M", SHAPES)
def test_forward_is_torch_linear_with_transposed_weight(ns, N, D, M):
    rng = np.random.default_rng(N + 10 * D + 100 * M)
    X, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, M)), rng.normal(size=M)
    Y, cache = ns["linear_forward"](X.copy(), W.copy(), b.copy())
    # torch (and the column convention) store weight as (M, D): ours is its transpose
    expected = torch.nn.functional.linear(torch.from_numpy(X), torch.from_numpy(W.T),
                                          torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(Y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("N,D,M", SHAPES)
def test_backward_matches_torch_autograd(ns, N, D, M):
    rng = np.random.default_rng(7 + N + 10 * D + 100 * M)
    X, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, M)), rng.normal(size=M)
    dY = rng.normal(size=(N, M))
    Xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (X, W, b))
    (Xt @ Wt + bt).backward(torch.from_numpy(dY))
    _, cache = ns["linear_forward"](X.copy(), W.copy(), b.copy())
    dX, dW, db = ns["linear_backward"](dY.copy(), cache)
    for name, got, want in [("dX", dX, Xt.grad), ("dW", dW, Wt.grad), ("db", db, bt.grad)]:
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_memory_bytes_matches_torch_tensors(ns, dtype):
    N, D, M = 32, 784, 128
    tdtype = torch.from_numpy(np.zeros(1, dtype=dtype)).dtype

    def size(*shapes):
        return sum(torch.empty(s, dtype=tdtype).nbytes for s in shapes)

    got = ns["memory_bytes"](N, D, M, dtype)
    assert got == {"parameters": size((D, M), (M,)), "activations": size((N, D), (N, M)),
                   "gradients": size((N, M), (N, D), (D, M), (M,))}
