"""Typical mistakes in step 04 (loss functions). Each function is one wrong hand-in."""

import numpy as np

from tests.buggy import bug

# --- mse_loss -------------------------------------------------------------------------


@bug("mse_loss", "gradient without the 1/N of the mean")
def mse_no_mean_in_grad(y_hat, y):
    diff = y_hat - y
    return float(np.mean(diff ** 2)), 2.0 * diff


@bug("mse_loss", "gradient without the factor 2")
def mse_no_factor_two(y_hat, y):
    diff = y_hat - y
    return float(np.mean(diff ** 2)), diff / diff.size


@bug("mse_loss", "divides by the number of rows N instead of every entry")
def mse_divides_by_rows(y_hat, y):
    diff = y_hat - y
    return float(np.sum(diff ** 2) / len(diff)), 2.0 * diff / len(diff)


@bug("mse_loss", "gradient with the wrong sign (y - y_hat)")
def mse_wrong_sign(y_hat, y):
    diff = y_hat - y
    return float(np.mean(diff ** 2)), 2.0 * (y - y_hat) / diff.size


# --- mae_loss -------------------------------------------------------------------------


@bug("mae_loss", "sign(0) taken as +1 (np.where(diff >= 0, 1, -1))")
def mae_sign_zero_is_one(y_hat, y):
    diff = y_hat - y
    return float(np.mean(np.abs(diff))), np.where(diff >= 0, 1.0, -1.0) / diff.size


@bug("mae_loss", "gradient without the 1/N of the mean")
def mae_no_mean_in_grad(y_hat, y):
    diff = y_hat - y
    return float(np.mean(np.abs(diff))), np.sign(diff)


@bug("mae_loss", "sum instead of mean, in the loss and the gradient")
def mae_sum(y_hat, y):
    diff = y_hat - y
    return float(np.sum(np.abs(diff))), np.sign(diff)


@bug("mae_loss", "gradient copied from squared error (the residual, not its sign)")
def mae_residual_grad(y_hat, y):
    diff = y_hat - y
    return float(np.mean(np.abs(diff))), diff / diff.size


@bug("mae_loss", "mean over the batch axis only: a loss per column")
def mae_mean_axis0(y_hat, y):
    diff = y_hat - y
    return np.mean(np.abs(diff), axis=0), np.sign(diff) / diff.size


# --- huber_loss -----------------------------------------------------------------------


@bug("huber_loss", "SmoothL1 semantics: the curve divided by delta")
def huber_smooth_l1(y_hat, y, delta=1.0):
    diff = y_hat - y
    small = np.abs(diff) < delta
    per_entry = np.where(small, 0.5 * diff ** 2 / delta, np.abs(diff) - 0.5 * delta)
    return float(np.mean(per_entry)), np.where(small, diff / delta, np.sign(diff)) / diff.size


@bug("huber_loss", "gradient clipped to [-1, 1] instead of [-delta, delta]")
def huber_clip_one(y_hat, y, delta=1.0):
    diff = y_hat - y
    small = np.abs(diff) <= delta
    per_entry = np.where(small, 0.5 * diff ** 2, delta * (np.abs(diff) - 0.5 * delta))
    return float(np.mean(per_entry)), np.clip(diff, -1.0, 1.0) / diff.size


@bug("huber_loss", "linear piece without the -delta/2 offset")
def huber_no_offset(y_hat, y, delta=1.0):
    diff = y_hat - y
    small = np.abs(diff) <= delta
    per_entry = np.where(small, 0.5 * diff ** 2, delta * np.abs(diff))
    return float(np.mean(per_entry)), np.clip(diff, -delta, delta) / diff.size


@bug("huber_loss", "gradient without the 1/N of the mean")
def huber_no_mean_in_grad(y_hat, y, delta=1.0):
    diff = y_hat - y
    small = np.abs(diff) <= delta
    per_entry = np.where(small, 0.5 * diff ** 2, delta * (np.abs(diff) - 0.5 * delta))
    return float(np.mean(per_entry)), np.clip(diff, -delta, delta)


@bug("huber_loss", "quadratic piece without the 1/2")
def huber_no_half(y_hat, y, delta=1.0):
    diff = y_hat - y
    small = np.abs(diff) <= delta
    per_entry = np.where(small, diff ** 2, delta * (np.abs(diff) - 0.5 * delta))
    return float(np.mean(per_entry)), np.where(small, 2 * diff, delta * np.sign(diff)) / diff.size


# --- bce_with_logits_loss -------------------------------------------------------------


@bug("bce_with_logits_loss", "textbook formula on sigmoid(z): log(0) and overflow for large |z|")
def bce_naive(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(loss), (p - y) / z.size


@bug("bce_with_logits_loss", "stable loss, but a sigmoid through np.where that evaluates exp(-z) everywhere")
def bce_where_sigmoid(z, y):
    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z))))
    p = np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))
    return float(loss), (p - y) / z.size


@bug("bce_with_logits_loss", "softplus as log1p(exp(z)) without the max shift")
def bce_no_shift(z, y):
    loss = np.mean(np.log1p(np.exp(z)) - y * z)
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(loss), (p - y) / z.size


@bug("bce_with_logits_loss", "gradient without the 1/N of the mean")
def bce_no_mean_in_grad(z, y):
    e = np.exp(-np.abs(z))
    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(e))
    p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(loss), p - y


@bug("bce_with_logits_loss", "gradient with the wrong sign (y - sigmoid(z))")
def bce_wrong_sign(z, y):
    e = np.exp(-np.abs(z))
    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(e))
    p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(loss), (y - p) / z.size


# --- multiclass_hinge_loss ------------------------------------------------------------


@bug("multiclass_hinge_loss", "CS231n convention: no division by C")
def hinge_no_division_by_C(scores, y):
    N, C = scores.shape
    rows = np.arange(N)
    margins = np.maximum(0.0, 1.0 - scores[rows, y][:, None] + scores)
    margins[rows, y] = 0.0
    active = (margins > 0).astype(float)
    active[rows, y] = -active.sum(axis=1)
    return float(margins.sum() / N), active / N


@bug("multiclass_hinge_loss", "counts the correct class against itself (a margin of 1 each)")
def hinge_includes_correct_class(scores, y):
    N, C = scores.shape
    rows = np.arange(N)
    margins = np.maximum(0.0, 1.0 - scores[rows, y][:, None] + scores)
    active = (margins > 0).astype(float)
    active[rows, y] = 0.0
    active[rows, y] = -active.sum(axis=1)
    return float(margins.sum() / (N * C)), active / (N * C)


@bug("multiclass_hinge_loss", "gradient forgets the correct-class column")
def hinge_no_correct_class_grad(scores, y):
    N, C = scores.shape
    rows = np.arange(N)
    margins = np.maximum(0.0, 1.0 - scores[rows, y][:, None] + scores)
    margins[rows, y] = 0.0
    active = (margins > 0).astype(float)
    return float(margins.sum() / (N * C)), active / (N * C)


@bug("multiclass_hinge_loss", "gradient without the 1/N of the mean")
def hinge_no_mean_in_grad(scores, y):
    N, C = scores.shape
    rows = np.arange(N)
    margins = np.maximum(0.0, 1.0 - scores[rows, y][:, None] + scores)
    margins[rows, y] = 0.0
    active = (margins > 0).astype(float)
    active[rows, y] = -active.sum(axis=1)
    return float(margins.sum() / (N * C)), active / C


@bug("multiclass_hinge_loss", "only the largest violation per example (Crammer-Singer), not the sum")
def hinge_max_violation(scores, y):
    N, C = scores.shape
    rows = np.arange(N)
    margins = np.maximum(0.0, 1.0 - scores[rows, y][:, None] + scores)
    margins[rows, y] = 0.0
    worst = margins.argmax(axis=1)
    loss = margins[rows, worst].sum() / (N * C)
    dscores = np.zeros_like(scores)
    hit = margins[rows, worst] > 0
    dscores[rows[hit], worst[hit]] = 1.0
    dscores[rows[hit], y[hit]] -= 1.0
    return float(loss), dscores / (N * C)


# --- bce_with_logits_loss: 0/1 labels assumed --------------------------------------------


@bug("bce_with_logits_loss", "assumes 0/1 labels: picks log sigmoid(z) where y == 1, log(1 - sigmoid(z)) elsewhere")
def bce_hard_labels(z, y):
    e = np.exp(-np.abs(z))
    softplus = np.maximum(z, 0) + np.log1p(e)  # -log(1 - sigmoid(z))
    loss = np.mean(np.where(y == 1, softplus - z, softplus))  # softplus(-z) = softplus(z) - z
    p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(loss), (p - y) / z.size


@bug("bce_with_logits_loss", "assumes 0/1 labels in the gradient: sigmoid(z) - 1 where y == 1, sigmoid(z) elsewhere")
def bce_hard_labels_grad(z, y):
    e = np.exp(-np.abs(z))
    loss = np.mean(np.maximum(z, 0) - y * z + np.log1p(e))
    p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(loss), np.where(y == 1, p - 1.0, p) / z.size


# --- linear_bce (the bug hunt) -------------------------------------------------------------


@bug("linear_bce", "handed in as received: three bugs (sign, transposed dW, db a mean)")
def linear_bce_as_given(X, W, b, y):
    Z = X @ W + b
    e = np.exp(-np.abs(Z))
    loss = float(np.mean(np.maximum(Z, 0) - y * Z + np.log1p(e)))
    P = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    dZ = (y - P) / Z.size
    dW = dZ.T @ X
    db = dZ.mean(axis=0)
    return loss, dW, db


@bug("linear_bce", "transpose fixed as dW.T, sign and db left: the gradient still points uphill")
def linear_bce_transpose_only(X, W, b, y):
    Z = X @ W + b
    e = np.exp(-np.abs(Z))
    loss = float(np.mean(np.maximum(Z, 0) - y * Z + np.log1p(e)))
    P = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    dZ = (y - P) / Z.size
    dW = (dZ.T @ X).T
    db = dZ.mean(axis=0)
    return loss, dW, db


@bug("linear_bce", "sign and transpose fixed, db still a mean over the batch (1/N twice)")
def linear_bce_db_mean(X, W, b, y):
    Z = X @ W + b
    e = np.exp(-np.abs(Z))
    loss = float(np.mean(np.maximum(Z, 0) - y * Z + np.log1p(e)))
    P = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    dZ = (P - y) / Z.size
    dW = X.T @ dZ
    db = dZ.mean(axis=0)
    return loss, dW, db


@bug("linear_bce", "transpose and db fixed, the sign of the logistic gradient left (y - sigmoid(Z))")
def linear_bce_wrong_sign(X, W, b, y):
    Z = X @ W + b
    e = np.exp(-np.abs(Z))
    loss = float(np.mean(np.maximum(Z, 0) - y * Z + np.log1p(e)))
    P = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    dZ = (y - P) / Z.size
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    return loss, dW, db


@bug("linear_bce", "the 1/size moved out of dZ and into dW only: db has no mean at all")
def linear_bce_mean_in_dW_only(X, W, b, y):
    Z = X @ W + b
    e = np.exp(-np.abs(Z))
    loss = float(np.mean(np.maximum(Z, 0) - y * Z + np.log1p(e)))
    P = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    dZ = P - y
    dW = X.T @ dZ / Z.size
    db = dZ.sum(axis=0)
    return loss, dW, db


@bug("linear_bce", "db summed over every entry: one number instead of one per output")
def linear_bce_db_scalar(X, W, b, y):
    Z = X @ W + b
    e = np.exp(-np.abs(Z))
    loss = float(np.mean(np.maximum(Z, 0) - y * Z + np.log1p(e)))
    P = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    dZ = (P - y) / Z.size
    return loss, X.T @ dZ, dZ.sum()


@bug("linear_bce", "mean over the N rows only (sum over outputs), in the loss and the gradient")
def linear_bce_mean_over_rows(X, W, b, y):
    Z = X @ W + b
    e = np.exp(-np.abs(Z))
    N = X.shape[0]
    loss = float(np.sum(np.maximum(Z, 0) - y * Z + np.log1p(e)) / N)
    P = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    dZ = (P - y) / N
    return loss, X.T @ dZ, dZ.sum(axis=0)


@bug("linear_bce", "repaired, but the sigmoid rewritten as 1 / (1 + exp(-Z)): overflows at Z = -1000")
def linear_bce_naive_sigmoid(X, W, b, y):
    Z = X @ W + b
    loss = float(np.mean(np.maximum(Z, 0) - y * Z + np.log1p(np.exp(-np.abs(Z)))))
    dZ = (1.0 / (1.0 + np.exp(-Z)) - y) / Z.size
    return loss, X.T @ dZ, dZ.sum(axis=0)
