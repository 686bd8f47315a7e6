"""Correct ways to write step 04's losses other than the model solution. Each must score
full marks (see tests/alternatives/__init__.py)."""

import numpy as np

from tests.alternatives import alternative

# --- mse_loss -------------------------------------------------------------------------


@alternative("mse_loss", "sum of squares as a dot product of the flattened residual")
def mse_dot(y_hat, y):
    diff = (y_hat - y).ravel()
    loss = diff @ diff / diff.size
    return float(loss), (2.0 / diff.size) * (y_hat - y)


@alternative("mse_loss", "np.square and np.average, the gradient from the mean's definition")
def mse_average(y_hat, y):
    residual = np.subtract(y_hat, y)
    loss = np.average(np.square(residual))
    return float(loss), 2.0 * residual / np.prod(residual.shape)


# --- mae_loss -------------------------------------------------------------------------


@alternative("mae_loss", "sign from two comparisons: (r > 0) - (r < 0), 0 at a tie")
def mae_comparisons(y_hat, y):
    diff = y_hat - y
    sign = (diff > 0).astype(float) - (diff < 0).astype(float)
    return float(np.abs(diff).sum() / diff.size), sign / diff.size


@alternative("mae_loss", "a Python loop over the entries")
def mae_loop(y_hat, y):
    flat_hat, flat_y = np.ravel(y_hat), np.ravel(y)
    S = flat_hat.size
    total = 0.0
    grad = np.zeros(S)
    for k in range(S):
        r = flat_hat[k] - flat_y[k]
        total += abs(r)
        if r > 0:
            grad[k] = 1.0 / S
        elif r < 0:
            grad[k] = -1.0 / S
    return total / S, grad.reshape(np.shape(y_hat))


# --- huber_loss -----------------------------------------------------------------------


@alternative("huber_loss", "min(|r|, delta) identity: 0.5 a^2 + delta (|r| - a), gradient sign(r) a")
def huber_min_identity(y_hat, y, delta=1.0):
    diff = y_hat - y
    a = np.minimum(np.abs(diff), delta)
    per_entry = 0.5 * a ** 2 + delta * (np.abs(diff) - a)
    return float(per_entry.mean()), np.sign(diff) * a / diff.size


@alternative("huber_loss", "a Python loop with a strict < delta test (both pieces agree at the boundary)")
def huber_loop(y_hat, y, delta=1.0):
    flat = (np.asarray(y_hat) - np.asarray(y)).ravel()
    S = flat.size
    total = 0.0
    grad = np.empty(S)
    for k, r in enumerate(flat):
        if abs(r) < delta:
            total += 0.5 * r * r
            grad[k] = r / S
        else:
            total += delta * (abs(r) - 0.5 * delta)
            grad[k] = (delta if r > 0 else -delta) / S
    return total / S, grad.reshape(np.shape(y_hat))


# --- bce_with_logits_loss -------------------------------------------------------------


@alternative("bce_with_logits_loss", "softplus with np.logaddexp(0, z); sigmoid as exp(-softplus(-z))")
def bce_logaddexp(z, y):
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    p = np.exp(-np.logaddexp(0.0, -z))
    return float(loss), (p - y) / z.size


@alternative("bce_with_logits_loss", "y * softplus(-z) + (1 - y) * softplus(z) with a stable softplus; sigmoid via tanh")
def bce_two_softplus(z, y):
    def softplus(t):
        return np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))
    loss = np.mean(y * softplus(-z) + (1 - y) * softplus(z))
    p = 0.5 * (1.0 + np.tanh(0.5 * z))
    return float(loss), (p - y) / np.size(z)


# --- multiclass_hinge_loss ------------------------------------------------------------


@alternative("multiclass_hinge_loss", "loops over examples and classes, as the formula reads")
def hinge_loops(scores, y):
    N, C = scores.shape
    total = 0.0
    dscores = np.zeros((N, C))
    for i in range(N):
        for j in range(C):
            if j == y[i]:
                continue
            margin = 1.0 - scores[i, y[i]] + scores[i, j]
            if margin > 0:
                total += margin
                dscores[i, j] += 1.0
                dscores[i, y[i]] -= 1.0
    return total / (N * C), dscores / (N * C)


@alternative("multiclass_hinge_loss", "a one-hot mask instead of fancy indexing")
def hinge_one_hot(scores, y):
    N, C = scores.shape
    onehot = np.eye(C)[y]  # (N, C)
    correct = np.sum(scores * onehot, axis=1, keepdims=True)  # (N, 1)
    margins = np.maximum(0.0, 1.0 - correct + scores) * (1.0 - onehot)
    active = (margins > 0).astype(float)
    dscores = active - onehot * active.sum(axis=1, keepdims=True)
    return float(np.sum(margins) / (N * C)), dscores / (N * C)


# --- linear_bce (the bug hunt, repaired) ---------------------------------------------------


@alternative("linear_bce", "einsum for the products, np.logaddexp for the loss")
def linear_bce_einsum(X, W, b, y):
    Z = np.einsum("nd,dm->nm", X, W) + b
    loss = np.mean(np.logaddexp(0.0, Z) - y * Z)
    P = np.exp(-np.logaddexp(0.0, -Z))
    dZ = (P - y) / Z.size
    return float(loss), np.einsum("nd,nm->dm", X, dZ), np.einsum("nm->m", dZ)


@alternative("linear_bce", "reuses the Part 4 loss on Z; db as ones @ dZ")
def linear_bce_reuse(X, W, b, y):
    Z = X @ W + b
    loss, dZ = bce_with_logits_loss(Z, y)  # noqa: F821 (the learner's Part 4 function)
    return loss, X.T @ dZ, np.ones(X.shape[0]) @ dZ
