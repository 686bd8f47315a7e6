"""Step 07's softmax, log-sum-exp and log-softmax against PyTorch, float64, to 1e-6.

The model solutions of ``source/07_softmax`` are compared with ``torch.softmax``,
``torch.logsumexp`` and ``torch.log_softmax`` along every axis of seeded inputs of several
shapes, with logits as large as +-1000 (and rows far apart in size), -inf entries (a
masked class), ``keepdims`` against torch's ``keepdim``, and the dtype kept for float32
as torch keeps it. The gradient of log-sum-exp, which Part 2 says is softmax, is checked
with torch autograd.
"""

import numpy as np
import pytest
import torch

from tests.nbns import namespace

RTOL, ATOL = 1e-6, 1e-6
SHAPES = [(5,), (4, 3), (1, 7), (3, 4, 5)]


@pytest.fixture(scope="module")
def ns():
    return namespace("07_softmax")


def logits(shape, seed, spread=3.0):
    return spread * np.random.default_rng(seed).normal(size=shape)


LARGE = [np.array([[1000.0, 999.0, -1000.0], [-1000.0, -999.5, -1001.0], [0.0, 1.0, 2.0]]),
         np.array([1000.0, 1000.0]),
         np.array([[-1000.0, 1000.0, 0.0, 500.0]])]
MASKED = [np.array([[1.0, -np.inf, 2.0], [-np.inf, -np.inf, 0.5]]),
          np.array([1000.0, -np.inf, -1000.0])]


def cases():
    out = [(logits(shape, seed=i), axis) for i, shape in enumerate(SHAPES)
           for axis in range(-1, len(shape) - 1)]
    out += [(z, -1) for z in LARGE + MASKED]
    out += [(LARGE[0], 0), (MASKED[1][:, None], 0)]
    return out


CASES = cases()
IDS = [f"shape{z.shape}-axis{axis}-{k}" for k, (z, axis) in enumerate(CASES)]


@pytest.mark.parametrize("z,axis", CASES, ids=IDS)
def test_softmax_matches_torch(ns, z, axis):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        mine = ns["softmax"](z.copy(), axis=axis)
    ref = torch.softmax(torch.tensor(z, dtype=torch.float64), dim=axis).numpy()
    assert mine.shape == ref.shape
    np.testing.assert_allclose(mine, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("z,axis", CASES, ids=IDS)
def test_logsumexp_matches_torch(ns, z, axis, keepdims):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        mine = ns["logsumexp"](z.copy(), axis=axis, keepdims=keepdims)
    ref = torch.logsumexp(torch.tensor(z, dtype=torch.float64), dim=axis, keepdim=keepdims).numpy()
    assert np.shape(mine) == ref.shape
    np.testing.assert_allclose(mine, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("z,axis", CASES, ids=IDS)
def test_log_softmax_matches_torch(ns, z, axis):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        mine = ns["log_softmax"](z.copy(), axis=axis)
    ref = torch.log_softmax(torch.tensor(z, dtype=torch.float64), dim=axis).numpy()
    assert mine.shape == ref.shape
    np.testing.assert_array_equal(np.isfinite(mine), np.isfinite(ref))  # -inf where torch has it
    np.testing.assert_allclose(mine, ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("z", [logits((6,), 11), logits((3, 4), 12), LARGE[0]], ids=["1d", "2d", "large"])
def test_logsumexp_gradient_is_torch_autograd(ns, z):
    """d logsumexp / dz (torch autograd) equals the notebook's softmax."""
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    torch.logsumexp(t, dim=-1).sum().backward()
    np.testing.assert_allclose(ns["softmax"](z.copy()), t.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_float32_stays_float32_like_torch(ns, name):
    z = np.array([[100.0, 99.0, -120.0], [0.5, -0.5, 0.0]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        mine = ns[name](z.copy())
    t = torch.tensor(z)
    ref = {"softmax": torch.softmax(t, dim=-1), "log_softmax": torch.log_softmax(t, dim=-1),
           "logsumexp": torch.logsumexp(t, dim=-1)}[name]
    assert mine.dtype == np.float32 and ref.dtype == torch.float32
    np.testing.assert_allclose(mine, ref.numpy(), rtol=1e-5, atol=1e-5)
