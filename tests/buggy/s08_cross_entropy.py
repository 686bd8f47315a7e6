"""Typical mistakes in step 08 (cross-entropy). Each function is one wrong hand-in."""

import numpy as np

from tests.buggy import bug

# --- cross_entropy --------------------------------------------------------------------


@bug("cross_entropy", "np.log of the softmax probabilities: inf / nan for logits of 1000")
def ce_log_of_probs(logits, y):
    N = logits.shape[0]
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    onehot = np.eye(logits.shape[1])[y]
    return float(-np.mean(np.log(p[np.arange(N), y]))), (p - onehot) / N


@bug("cross_entropy", "gradient without the 1/N of the mean")
def ce_no_mean_in_grad(logits, y):
    N = logits.shape[0]
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    grad = np.exp(log_p)
    grad[np.arange(N), y] -= 1.0
    return float(-log_p[np.arange(N), y].mean()), grad


@bug("cross_entropy", "mean over all N * C entries of -onehot * log p (divides by C too)")
def ce_mean_over_entries(logits, y):
    N, C = logits.shape
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    onehot = np.eye(C)[y]
    return float(np.mean(-onehot * log_p)), (np.exp(log_p) - onehot) / (N * C)


@bug("cross_entropy", "gradient with the wrong sign (one_hot - p)")
def ce_wrong_sign(logits, y):
    N, C = logits.shape
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    onehot = np.eye(C)[y]
    return float(-log_p[np.arange(N), y].mean()), (onehot - np.exp(log_p)) / N


@bug("cross_entropy", "labels indexed as log_p[:, y] (an N x N block) instead of one entry per row")
def ce_column_block(logits, y):
    N, C = logits.shape
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    onehot = np.eye(C)[y]
    return float(-log_p[:, y].mean()), (np.exp(log_p) - onehot) / N


# --- softmax_regression_step ----------------------------------------------------------


@bug("softmax_regression_step", "a second 1/N in dW and db (already inside dlogits)")
def step_double_mean(X, y, W, b, lr):
    N = X.shape[0]
    logits = X @ W + b
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_p)
    dlogits[np.arange(N), y] -= 1.0
    dlogits /= N
    return float(-log_p[np.arange(N), y].mean()), W - lr * (X.T @ dlogits) / N, b - lr * dlogits.sum(axis=0) / N


@bug("softmax_regression_step", "returns the loss after the step instead of before it")
def step_loss_after(X, y, W, b, lr):
    N = X.shape[0]
    logits = X @ W + b
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(N), y] -= 1.0
    W_new, b_new = W - lr * X.T @ p / N, b - lr * p.sum(axis=0) / N
    z = X @ W_new + b_new
    m = z.max(axis=1, keepdims=True)
    log_p = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(N), y].mean()), W_new, b_new


@bug("softmax_regression_step", "gradient ascent: W + lr * dW")
def step_ascent(X, y, W, b, lr):
    N = X.shape[0]
    logits = X @ W + b
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_p)
    dlogits[np.arange(N), y] -= 1.0
    dlogits /= N
    return float(-log_p[np.arange(N), y].mean()), W + lr * X.T @ dlogits, b + lr * dlogits.sum(axis=0)


@bug("softmax_regression_step", "updates W and b in place (the caller's arrays change)")
def step_in_place(X, y, W, b, lr):
    N = X.shape[0]
    logits = X @ W + b
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_p)
    dlogits[np.arange(N), y] -= 1.0
    dlogits /= N
    W -= lr * X.T @ dlogits
    b -= lr * dlogits.sum(axis=0)
    return float(-log_p[np.arange(N), y].mean()), W, b


@bug("softmax_regression_step", "db as the mean of dlogits over the batch (a second 1/N on b only)")
def step_db_mean(X, y, W, b, lr):
    N = X.shape[0]
    logits = X @ W + b
    m = logits.max(axis=1, keepdims=True)
    log_p = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_p)
    dlogits[np.arange(N), y] -= 1.0
    dlogits /= N
    return float(-log_p[np.arange(N), y].mean()), W - lr * X.T @ dlogits, b - lr * dlogits.mean(axis=0)
