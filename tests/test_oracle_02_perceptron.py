"""Step 02 (perceptron) against independent references.

PyTorch has no perceptron, so: the prediction is compared with a torch computation of
the same threshold, the training loop with a plain-Python Rosenblatt loop written here,
and on separable blobs the number of mistakes with the convergence theorem's bound.
"""

import numpy as np
import pytest
import torch

from course.toy import blobs
from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("02_perceptron")


def rosenblatt(X, y, lr, num_epochs, w0, b0):
    """Rosenblatt's rule in plain Python floats: labels {0, 1}, predict 1 when score > 0."""
    w, b = [float(v) for v in w0], float(b0)
    mistakes = []
    for _ in range(num_epochs):
        count = 0
        for x, t in zip(X.tolist(), y.tolist()):
            score = sum(wi * xi for wi, xi in zip(w, x)) + b
            y_hat = 1 if score > 0 else 0
            if y_hat != t:
                w = [wi + lr * (t - y_hat) * xi for wi, xi in zip(w, x)]
                b += lr * (t - y_hat)
                count += 1
        mistakes.append(count)
        if count == 0:
            break
    return np.array(w), b, mistakes


@pytest.mark.parametrize("N,D,scale", [(1, 1, 1.0), (7, 2, 1.0), (64, 5, 1e3),
                                       (200, 16, 1e-3), (33, 3, 1e8)])
def test_predict_matches_torch(ns, N, D, scale):
    rng = np.random.default_rng(1000 * N + D)
    X = scale * rng.normal(size=(N, D))
    w = rng.normal(size=D)
    b = float(scale * rng.normal())
    expected = (torch.from_numpy(X) @ torch.from_numpy(w) + b > 0).numpy()
    got = np.asarray(ns["perceptron_predict"](X.copy(), w.copy(), b))
    assert got.shape == (N,)
    np.testing.assert_array_equal(got.astype(np.int64), expected.astype(np.int64))


@pytest.mark.parametrize("seed,margin,lr,num_epochs", [(0, 0.5, 1.0, 50), (1, 0.1, 0.3, 50),
                                                       (2, -0.5, 0.05, 20), (3, 1.5, 2.0, 50)])
def test_train_matches_plain_python_rosenblatt(ns, seed, margin, lr, num_epochs):
    X, y = blobs(N=80, margin=margin, seed=seed)
    rng = np.random.default_rng(seed + 10)
    w0, b0 = rng.normal(size=2), float(rng.normal())
    w, b, mistakes = ns["perceptron_train"](X.copy(), y.copy(), lr, num_epochs, w0.copy(), b0)
    w_ref, b_ref, mistakes_ref = rosenblatt(X, y, lr, num_epochs, w0, b0)
    assert [int(m) for m in mistakes] == mistakes_ref
    np.testing.assert_allclose(w, w_ref, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(b, b_ref, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("seed,margin", [(0, 0.5), (1, 1.0), (2, 0.2), (3, 2.0), (4, 0.05)])
def test_separable_blobs_fit_within_the_mistake_bound(ns, seed, margin):
    X, y = blobs(N=100, margin=margin, seed=seed)
    # the line blobs() draws the classes around: through the origin, normal at this angle
    angle = np.random.default_rng(seed).uniform(0, np.pi)
    u = np.array([np.cos(angle), np.sin(angle), 0.0])  # unit length, in (w, b) space
    X_aug = np.hstack([X, np.ones((len(X), 1))])
    gamma = np.min((2 * y - 1) * (X_aug @ u))
    assert gamma >= margin / 2 - 1e-12, "blobs() no longer separates along the expected line"
    R = np.max(np.linalg.norm(X_aug, axis=1))
    bound = (R / gamma) ** 2
    w, b, mistakes = ns["perceptron_train"](X, y, 1.0, 100_000, np.zeros(2), 0.0)
    assert mistakes[-1] == 0, f"no mistake-free epoch: {list(mistakes)[-5:]}"
    assert sum(mistakes) <= bound, f"{sum(mistakes)} mistakes, bound {bound:.1f}"
    np.testing.assert_array_equal(ns["perceptron_predict"](X, w, b), y)


def test_ties_at_zero_match_torch_and_plain_python(ns):
    """Integer data put many scores at exactly 0: predict and update agree with torch's
    strict `> 0` and with the plain-Python rule."""
    rng = np.random.default_rng(7)
    X = rng.integers(-2, 3, size=(200, 3)).astype(float)
    w, b = np.array([1.0, -1.0, 2.0]), -1.0
    scores = X @ w + b
    assert np.sum(scores == 0) > 10
    expected = (torch.from_numpy(X) @ torch.from_numpy(w) + b > 0).numpy().astype(np.int64)
    np.testing.assert_array_equal(np.asarray(ns["perceptron_predict"](X, w, b)), expected)
    y = rng.integers(0, 2, size=len(X))
    w_ref, b_ref, mistakes_ref = rosenblatt(X, y, 0.5, 5, np.zeros(3), 0.0)
    w_got, b_got, mistakes = ns["perceptron_train"](X, y, 0.5, 5, np.zeros(3), 0.0)
    assert [int(m) for m in mistakes] == mistakes_ref
    np.testing.assert_allclose(w_got, w_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b_got, b_ref, rtol=1e-12, atol=1e-12)
