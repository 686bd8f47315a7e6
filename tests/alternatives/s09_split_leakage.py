"""Correct ways to write step 09's functions other than the model solution. Each must
score full marks (see tests/alternatives/__init__.py)."""

import numpy as np

from tests.alternatives import alternative

# --- stratified_split -----------------------------------------------------------------


@alternative("stratified_split", "rng.choice without replacement per class, np.setdiff1d for the train rows")
def split_choice(y, test_fraction, seed):
    rng = np.random.default_rng(seed)
    test = [np.empty(0, dtype=np.int64)]
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        n_test = int(np.floor(test_fraction * len(rows) + 0.5))
        test.append(rng.choice(rows, size=n_test, replace=False))
    test_idx = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(len(y)), test_idx), test_idx


@alternative("stratified_split", "one permutation of all rows, then the first rows of each class in that order")
def split_one_permutation(y, test_fraction, seed):
    perm = np.random.default_rng(seed).permutation(len(y))
    is_test = np.zeros(len(y), dtype=bool)
    for c in set(y.tolist()):
        members = perm[y[perm] == c]  # class c's rows in random order
        is_test[members[:int(test_fraction * len(members) + 0.5)]] = True
    return np.arange(len(y))[~is_test], np.arange(len(y))[is_test]


# --- fit_standardizer -----------------------------------------------------------------


@alternative("fit_standardizer", "sums over rows divided by N, sqrt of the mean squared deviation")
def fit_sums(X_train):
    N = X_train.shape[0]
    mean = X_train.sum(axis=0) / N
    std = np.sqrt(((X_train - mean) ** 2).sum(axis=0) / N)
    std[std == 0] = 1.0
    return mean, std


@alternative("fit_standardizer", "np.var and np.sqrt, the zero rule on the variance")
def fit_var(X_train):
    var = np.var(X_train, axis=0)
    return np.mean(X_train, axis=0), np.where(var > 0, np.sqrt(var), 1.0)


# --- split_and_standardize ------------------------------------------------------------


@alternative("split_and_standardize", "standardize all rows with the training statistics, then index")
def pipeline_then_index(X, y, test_fraction, seed):
    train_idx, test_idx = stratified_split(y, test_fraction, seed)
    mean, std = fit_standardizer(X[train_idx])
    Z = standardize(X, mean, std)
    return Z[train_idx], Z[test_idx], y[train_idx], y[test_idx]


@alternative("split_and_standardize", "boolean masks, statistics through the learner's functions on the train mask")
def pipeline_masks(X, y, test_fraction, seed):
    _, test_idx = stratified_split(y, test_fraction, seed)
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test_idx] = True
    X_train, X_test = X[~is_test], X[is_test]
    mean, std = fit_standardizer(X_train)
    return (X_train - mean) / std, (X_test - mean) / std, y[~is_test], y[is_test]


# --- drop_test_duplicates -------------------------------------------------------------


@alternative("drop_test_duplicates", "broadcast comparison of every test row with every training row")
def dedup_broadcast(X, train_idx, test_idx):
    test_idx = np.asarray(test_idx, dtype=np.int64)
    same = (X[test_idx][:, None, :] == X[train_idx][None, :, :]).all(axis=2)  # (T, R)
    return test_idx[~same.any(axis=1)]


@alternative("drop_test_duplicates", "a loop with np.array_equal over the training rows")
def dedup_loop(X, train_idx, test_idx):
    kept = []
    for i in test_idx:
        if not any(np.array_equal(X[i], X[j]) for j in train_idx):
            kept.append(i)
    return np.array(kept, dtype=int)


# --- target_encode --------------------------------------------------------------------


@alternative("target_encode", "np.unique with return_inverse and np.bincount for the sums and counts")
def te_bincount(categories, y, train_idx):
    codes, inverse = np.unique(categories, return_inverse=True)
    train_mask = np.zeros(len(categories), dtype=bool)
    train_mask[train_idx] = True
    sums = np.bincount(inverse[train_mask], weights=y[train_mask].astype(float), minlength=len(codes))
    counts = np.bincount(inverse[train_mask], minlength=len(codes))
    overall = y[train_mask].astype(float).mean()
    means = np.where(counts > 0, sums / np.maximum(counts, 1), overall)
    return means[inverse]


@alternative("target_encode", "a loop over the rows with running sums in two dicts")
def te_loop(categories, y, train_idx):
    sums, counts = {}, {}
    for i in train_idx:
        c = categories[i]
        sums[c] = sums.get(c, 0.0) + float(y[i])
        counts[c] = counts.get(c, 0) + 1
    overall = sum(sums.values()) / sum(counts.values())
    return np.array([sums[c] / counts[c] if c in counts else overall for c in categories])


# --- choose_setting -------------------------------------------------------------------


@alternative("choose_setting", "a loop that keeps the first strictly larger validation score")
def cs_loop(val_scores, test_scores):
    best = 0
    for k in range(1, len(val_scores)):
        if val_scores[k] > val_scores[best]:
            best = k
    return best, float(test_scores[best])


@alternative("choose_setting", "np.flatnonzero of the maximum, first entry")
def cs_flatnonzero(val_scores, test_scores):
    val_scores = np.asarray(val_scores)
    best = int(np.flatnonzero(val_scores == val_scores.max())[0])
    return best, float(np.asarray(test_scores)[best])
