"""Correct alternatives for step 02 (perceptron). Each must score full marks."""

import numpy as np

from tests.alternatives import alternative

# --- perceptron_predict ---------------------------------------------------------------


@alternative("perceptron_predict", "np.einsum for the scores, np.where for the labels")
def predict_einsum_where(X, w, b):
    scores = np.einsum("nd,d->n", X, w) + b
    y_hat = np.where(scores > 0, 1, 0)
    return y_hat


@alternative("perceptron_predict", "labels from np.sign: (sign + 1) // 2 sends 0 to 0")
def predict_sign(X, w, b):
    y_hat = ((np.sign(X @ w + b) + 1) // 2).astype(int)
    return y_hat


@alternative("perceptron_predict", "a loop over the rows with np.dot")
def predict_loop(X, w, b):
    y_hat = np.array([1 if np.dot(x, w) + b > 0 else 0 for x in X], dtype=int)
    return y_hat


# --- perceptron_update ----------------------------------------------------------------


@alternative("perceptron_update", "the three cases written out, with t = 2y - 1 on a mistake")
def update_cases(w, b, x, y, lr):
    y_hat = int(np.dot(x, w) + b > 0)
    if y_hat == y:
        return w.copy(), b, False
    t = 2 * y - 1  # +1: add the example, -1: subtract it
    return w + t * lr * x, b + t * lr, True


@alternative("perceptron_update", "reuses perceptron_predict on a batch of one row")
def update_via_predict(w, b, x, y, lr):
    y_hat = perceptron_predict(x.reshape(1, -1), w, b)[0]
    mistake = bool(y_hat != y)
    w_new = np.array(w, dtype=float)  # a copy, so the in-place update below is safe
    if mistake:
        w_new += lr * (y - y_hat) * x
        b = b + lr * (y - y_hat)
    return w_new, float(b), mistake


@alternative("perceptron_update", "the score as an explicit sum over features")
def update_sum(w, b, x, y, lr):
    score = sum(w[d] * x[d] for d in range(len(w))) + b
    y_hat = 1 if score > 0 else 0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat), y_hat != y


# --- perceptron_train -----------------------------------------------------------------


@alternative("perceptron_train", "a while loop over epochs, rows by index, flags summed per epoch")
def train_while(X, y, lr, num_epochs, w0, b0):
    w = np.array(w0, dtype=np.float64)  # a copy: w0 stays as it was
    b = float(b0)
    mistakes = []
    epoch = 0
    while epoch < num_epochs and (not mistakes or mistakes[-1] > 0):
        flags = []
        for n in range(len(X)):
            w, b, mistake = perceptron_update(w, b, X[n], y[n], lr)
            flags.append(mistake)
        mistakes.append(sum(bool(f) for f in flags))
        epoch += 1
    return w, b, np.array(mistakes, dtype=np.int64)


@alternative("perceptron_train", "for/else: the epoch loop breaks on a clean epoch")
def train_for_else(X, y, lr, num_epochs, w0, b0):
    w = np.array(w0, dtype=np.float64)
    b = float(b0)
    mistakes = []
    for _ in range(num_epochs):
        mistakes.append(0)
        for n, (x_n, y_n) in enumerate(zip(X, y)):
            w, b, mistake = perceptron_update(w, b, x_n, y_n, lr)
            if mistake:
                mistakes[-1] += 1
        if mistakes[-1] == 0:
            break
    return w, b, np.array(mistakes, dtype=np.int64)
