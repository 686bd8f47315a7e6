"""Step 09's split, standardizer and repaired pipeline against independent references.

There is no PyTorch function for a stratified split (and sklearn is not installed), so
``stratified_split`` is checked by its properties over many seeds and label sets:
disjoint, covering, sorted, per-class counts floor(f * n_c + 0.5), repeatable per seed,
each row drawn to the test set about test_fraction of the time. ``fit_standardizer`` is
compared with ``torch.mean`` and ``torch.std(unbiased=False)`` in float64 to 1e-6, and
``split_and_standardize`` with the same statistics taken from the training rows by torch.
"""

import numpy as np
import pytest
import torch

from tests.nbns import namespace

RTOL, ATOL = 1e-6, 1e-6


@pytest.fixture(scope="module")
def ns():
    return namespace("09_split_leakage")


LABEL_SETS = [np.random.default_rng(s).permutation(np.repeat(np.arange(len(c)), c))
              for s, c in enumerate([[10, 10], [50, 7, 3], [1, 1, 1, 30], [100], [13, 29, 8, 4, 16]])]


@pytest.mark.parametrize("y", LABEL_SETS, ids=[f"classes{len(np.unique(y))}-N{len(y)}" for y in LABEL_SETS])
@pytest.mark.parametrize("f", [0.0, 0.1, 0.25, 0.5, 0.7, 1.0])
def test_split_properties_over_seeds(ns, y, f):
    for seed in range(20):
        train_idx, test_idx = ns["stratified_split"](y.copy(), f, seed)
        assert np.all(np.diff(train_idx) > 0) and np.all(np.diff(test_idx) > 0)
        assert np.array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(len(y)))
        for c in np.unique(y):
            n_c = int(np.sum(y == c))
            assert int(np.sum(y[test_idx] == c)) == int(np.floor(f * n_c + 0.5))
        again = ns["stratified_split"](y.copy(), f, seed)
        assert np.array_equal(again[0], train_idx) and np.array_equal(again[1], test_idx)


def test_split_draws_every_row_equally_often(ns):
    y = np.repeat([0, 1], [40, 60])
    counts = np.zeros(100)
    for seed in range(1000):
        counts[ns["stratified_split"](y, 0.25, seed)[1]] += 1
    # each row is a test row with probability 10/40 or 15/60 = 0.25: 250 of 1000 times
    assert np.all(np.abs(counts - 250) < 70), (counts.min(), counts.max())


@pytest.mark.parametrize("N,D,seed", [(2, 1, 0), (5, 3, 1), (64, 8, 2), (300, 4, 3)])
def test_standardizer_matches_torch(ns, N, D, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D)) * rng.uniform(0.01, 100, size=D) + rng.uniform(-1e3, 1e3, size=D)
    mean, std = ns["fit_standardizer"](X.copy())
    t = torch.tensor(X, dtype=torch.float64)
    np.testing.assert_allclose(mean, t.mean(dim=0).numpy(), rtol=RTOL, atol=ATOL * np.abs(X).max())
    np.testing.assert_allclose(std, t.std(dim=0, unbiased=False).numpy(), rtol=RTOL, atol=ATOL)
    Z = ns["standardize"](X, mean, std)
    np.testing.assert_allclose(Z, ((t - t.mean(dim=0)) / t.std(dim=0, unbiased=False)).numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("seed", range(5))
def test_pipeline_uses_training_statistics_only(ns, seed):
    rng = np.random.default_rng(100 + seed)
    X, y = rng.normal(size=(60, 3)) * 10 + 4, rng.integers(0, 3, size=60)
    train_idx, test_idx = ns["stratified_split"](y, 0.3, seed)
    X_train, X_test, y_train, y_test = ns["split_and_standardize"](X.copy(), y.copy(), 0.3, seed)
    t = torch.tensor(X[train_idx], dtype=torch.float64)
    mean, std = t.mean(dim=0).numpy(), t.std(dim=0, unbiased=False).numpy()
    np.testing.assert_allclose(X_train, (X[train_idx] - mean) / std, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(X_test, (X[test_idx] - mean) / std, rtol=RTOL, atol=ATOL)
    assert np.array_equal(y_train, y[train_idx]) and np.array_equal(y_test, y[test_idx])
