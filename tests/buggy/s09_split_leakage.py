"""Typical mistakes in step 09 (splits and leakage). Each function is one wrong hand-in."""

import numpy as np

from tests.buggy import bug

# --- stratified_split -----------------------------------------------------------------


@bug("stratified_split", "np.round for the per-class count: halves round to even (5 rows at 0.5 give 2)")
def split_round_half_even(y, test_fraction, seed):
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        test.append(rng.permutation(rows)[:int(np.round(test_fraction * len(rows)))])
    test = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(len(y)), test), test


@bug("stratified_split", "int() truncates the per-class count (1.5 gives 1)")
def split_truncate(y, test_fraction, seed):
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        test.append(rng.permutation(rows)[:int(test_fraction * len(rows))])
    test = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(len(y)), test), test


@bug("stratified_split", "no shuffle: the first rows of each class go to the test set, whatever the seed")
def split_first_rows(y, test_fraction, seed):
    test = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        test.append(rows[:int(np.floor(test_fraction * len(rows) + 0.5))])
    test = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(len(y)), test), test


@bug("stratified_split", "not stratified: one permutation of all rows, the first round(f * N) to test")
def split_not_stratified(y, test_fraction, seed):
    perm = np.random.default_rng(seed).permutation(len(y))
    n_test = int(np.floor(test_fraction * len(y) + 0.5))
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


@bug("stratified_split", "indices concatenated class by class, not sorted")
def split_unsorted(y, test_fraction, seed):
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        n_test = int(np.floor(test_fraction * len(rows) + 0.5))
        test.append(rows[:n_test])
        train.append(rows[n_test:])
    return np.concatenate(train), np.concatenate(test)


@bug("stratified_split", "the seed is ignored: np.random.default_rng() draws another split every call")
def split_unseeded(y, test_fraction, seed):
    rng = np.random.default_rng()
    test = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        test.append(rng.permutation(rows)[:int(np.floor(test_fraction * len(rows) + 0.5))])
    test = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(len(y)), test), test


# --- fit_standardizer -----------------------------------------------------------------


@bug("fit_standardizer", "std divides by N - 1 (ddof=1), not N")
def fit_ddof1(X_train):
    std = X_train.std(axis=0, ddof=1)
    return X_train.mean(axis=0), np.where(std == 0.0, 1.0, std)


@bug("fit_standardizer", "no rule for a constant column: std 0, standardize divides by zero")
def fit_zero_std(X_train):
    return X_train.mean(axis=0), X_train.std(axis=0)


@bug("fit_standardizer", "statistics per row (axis=1) instead of per column")
def fit_per_row(X_train):
    std = X_train.std(axis=1)
    return X_train.mean(axis=1), np.where(std == 0.0, 1.0, std)


@bug("fit_standardizer", "an epsilon added to every std instead of 1.0 for a constant column")
def fit_epsilon(X_train):
    return X_train.mean(axis=0), X_train.std(axis=0) + 1e-8


# --- split_and_standardize ------------------------------------------------------------


@bug("split_and_standardize", "the leak kept: the scaler is fit on all rows before the split")
def pipeline_fit_on_all(X, y, test_fraction, seed):
    mean, std = fit_standardizer(X)
    train_idx, test_idx = stratified_split(y, test_fraction, seed)
    return standardize(X[train_idx], mean, std), standardize(X[test_idx], mean, std), y[train_idx], y[test_idx]


@bug("split_and_standardize", "the scaler is fit on the test rows")
def pipeline_fit_on_test(X, y, test_fraction, seed):
    train_idx, test_idx = stratified_split(y, test_fraction, seed)
    mean, std = fit_standardizer(X[test_idx])
    return standardize(X[train_idx], mean, std), standardize(X[test_idx], mean, std), y[train_idx], y[test_idx]


@bug("split_and_standardize", "each side standardized with its own statistics")
def pipeline_refit_on_test(X, y, test_fraction, seed):
    train_idx, test_idx = stratified_split(y, test_fraction, seed)
    X_train = standardize(X[train_idx], *fit_standardizer(X[train_idx]))
    X_test = standardize(X[test_idx], *fit_standardizer(X[test_idx]))
    return X_train, X_test, y[train_idx], y[test_idx]


@bug("split_and_standardize", "the test rows are returned raw, not standardized")
def pipeline_raw_test(X, y, test_fraction, seed):
    train_idx, test_idx = stratified_split(y, test_fraction, seed)
    mean, std = fit_standardizer(X[train_idx])
    return standardize(X[train_idx], mean, std), X[test_idx], y[train_idx], y[test_idx]


# --- drop_test_duplicates -------------------------------------------------------------


@bug("drop_test_duplicates", "compares only the first column, not the whole row")
def dedup_first_column(X, train_idx, test_idx):
    seen = set(X[train_idx, 0].tolist())
    return np.array([i for i in test_idx if X[i, 0] not in seen], dtype=np.int64)


@bug("drop_test_duplicates", "also drops test rows duplicated within the test set")
def dedup_any_repeat(X, train_idx, test_idx):
    rows = [tuple(r) for r in X.tolist()]
    counts = {}
    for i in list(train_idx) + list(test_idx):
        counts[rows[i]] = counts.get(rows[i], 0) + 1
    return np.array([i for i in test_idx if counts[rows[i]] == 1], dtype=np.int64)


@bug("drop_test_duplicates", "rows rounded to 2 decimals before comparing (near-equal rows dropped)")
def dedup_rounded(X, train_idx, test_idx):
    seen = {tuple(r) for r in np.round(X[train_idx], 2).tolist()}
    return np.array([i for i in test_idx if tuple(np.round(X[i], 2).tolist()) not in seen], dtype=np.int64)


@bug("drop_test_duplicates", "returns a boolean mask over test_idx instead of the kept indices")
def dedup_mask(X, train_idx, test_idx):
    seen = {tuple(r) for r in X[train_idx].tolist()}
    return np.array([tuple(X[i].tolist()) not in seen for i in test_idx])


# --- target_encode --------------------------------------------------------------------


@bug("target_encode", "category means over all rows: each test row's label is in its own feature")
def te_all_rows(categories, y, train_idx):
    means = {c: y[categories == c].mean() for c in np.unique(categories)}
    return np.array([means[c] for c in categories], dtype=float)


@bug("target_encode", "a category without training rows gets 0 instead of the training mean")
def te_unseen_zero(categories, y, train_idx):
    cat_train, y_train = categories[train_idx], y[train_idx].astype(float)
    means = {c: y_train[cat_train == c].mean() for c in np.unique(cat_train)}
    return np.array([means.get(c, 0.0) for c in categories], dtype=float)


@bug("target_encode", "sums over the training rows but counts over all rows of the category")
def te_all_counts(categories, y, train_idx):
    cat_train, y_train = categories[train_idx], y[train_idx].astype(float)
    overall = y_train.mean()
    out = []
    for c in categories:
        n = np.sum(categories == c)
        out.append(y_train[cat_train == c].sum() / n if np.any(cat_train == c) else overall)
    return np.array(out, dtype=float)


# --- choose_setting -------------------------------------------------------------------


@bug("choose_setting", "picks the best test score: the test set tunes the model")
def cs_by_test(val_scores, test_scores):
    best = int(np.argmax(test_scores))
    return best, float(test_scores[best])


@bug("choose_setting", "picks by validation but reports the best test score of all settings")
def cs_reports_max(val_scores, test_scores):
    return int(np.argmax(val_scores)), float(np.max(test_scores))


@bug("choose_setting", "the last setting on a tie (>= in a loop)")
def cs_last_on_tie(val_scores, test_scores):
    best = 0
    for k in range(len(val_scores)):
        if val_scores[k] >= val_scores[best]:
            best = k
    return best, float(test_scores[best])


@bug("choose_setting", "picks by the sum of validation and test scores")
def cs_sum(val_scores, test_scores):
    best = int(np.argmax(np.asarray(val_scores) + np.asarray(test_scores)))
    return best, float(test_scores[best])
