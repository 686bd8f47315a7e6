"""Typical mistakes in step 02 (perceptron). Each function is one wrong hand-in."""

import numpy as np

from tests.buggy import bug

# --- perceptron_predict ---------------------------------------------------------------


@bug("perceptron_predict", "returns np.sign of the score: labels -1/+1 (and 0 on the line)")
def predict_sign(X, w, b):
    y_hat = np.sign(X @ w + b)
    return y_hat


@bug("perceptron_predict", "uses >= 0, so a point on the line is predicted 1")
def predict_non_strict(X, w, b):
    y_hat = (X @ w + b >= 0).astype(int)
    return y_hat


@bug("perceptron_predict", "forgets the bias")
def predict_no_bias(X, w, b):
    y_hat = (X @ w > 0).astype(int)
    return y_hat


@bug("perceptron_predict", "returns the raw score, not a label")
def predict_score(X, w, b):
    y_hat = X @ w + b
    return y_hat


@bug("perceptron_predict", "treats w as a column: y_hat has shape (N, 1)")
def predict_column(X, w, b):
    y_hat = (X @ w.reshape(-1, 1) + b > 0).astype(int)
    return y_hat


# --- perceptron_update ----------------------------------------------------------------


@bug("perceptron_update", "updates on every example, not only on mistakes")
def update_always(w, b, x, y, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    t = 2 * y - 1
    return w + lr * t * x, b + lr * t, y_hat != y


@bug("perceptron_update", "uses the 0/1 label as if it were -1/+1: y = 0 mistakes change nothing")
def update_label_as_sign(w, b, x, y, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    if y_hat != y:
        return w + lr * y * x, b + lr * y, True
    return w.copy(), b, False


@bug("perceptron_update", "wrong sign: y_hat - y instead of y - y_hat")
def update_wrong_sign(w, b, x, y, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + lr * (y_hat - y) * x, b + lr * (y_hat - y), y_hat != y


@bug("perceptron_update", "forgets to update the bias")
def update_no_bias(w, b, x, y, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    return w + lr * (y - y_hat) * x, b, y_hat != y


@bug("perceptron_update", "updates w in place (w += ...), changing the caller's array")
def update_in_place(w, b, x, y, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    w += lr * (y - y_hat) * x
    return w, b + lr * (y - y_hat), y_hat != y


@bug("perceptron_update", "predicts 1 on the line (score >= 0)")
def update_non_strict(w, b, x, y, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat), y_hat != y


# --- perceptron_train -----------------------------------------------------------------


@bug("perceptron_train", "never stops early: always runs num_epochs epochs")
def train_no_early_stop(X, y, lr, num_epochs, w0, b0):
    w, b = np.array(w0, dtype=float), float(b0)
    mistakes = []
    for epoch in range(num_epochs):
        count = 0
        for x_n, y_n in zip(X, y):
            w, b, mistake = perceptron_update(w, b, x_n, y_n, lr)
            count += int(mistake)
        mistakes.append(count)
    return w, b, np.array(mistakes)


@bug("perceptron_train", "counts mistakes cumulatively instead of per epoch")
def train_cumulative(X, y, lr, num_epochs, w0, b0):
    w, b = np.array(w0, dtype=float), float(b0)
    mistakes, count = [], 0
    for epoch in range(num_epochs):
        before = count
        for x_n, y_n in zip(X, y):
            w, b, mistake = perceptron_update(w, b, x_n, y_n, lr)
            count += int(mistake)
        mistakes.append(count)
        if count == before:
            break
    return w, b, np.array(mistakes)


@bug("perceptron_train", "off by one: runs range(num_epochs - 1) epochs")
def train_off_by_one(X, y, lr, num_epochs, w0, b0):
    w, b = np.array(w0, dtype=float), float(b0)
    mistakes = []
    for epoch in range(num_epochs - 1):
        count = 0
        for x_n, y_n in zip(X, y):
            w, b, mistake = perceptron_update(w, b, x_n, y_n, lr)
            count += int(mistake)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, np.array(mistakes)


@bug("perceptron_train", "restarts every epoch from w0, b0")
def train_restarts(X, y, lr, num_epochs, w0, b0):
    mistakes = []
    for epoch in range(num_epochs):
        w, b = np.array(w0, dtype=float), float(b0)
        count = 0
        for x_n, y_n in zip(X, y):
            w, b, mistake = perceptron_update(w, b, x_n, y_n, lr)
            count += int(mistake)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, np.array(mistakes)


@bug("perceptron_train", "ignores w0 and b0 and starts from zeros")
def train_from_zeros(X, y, lr, num_epochs, w0, b0):
    w, b = np.zeros(X.shape[1]), 0.0
    mistakes = []
    for epoch in range(num_epochs):
        count = 0
        for x_n, y_n in zip(X, y):
            w, b, mistake = perceptron_update(w, b, x_n, y_n, lr)
            count += int(mistake)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, np.array(mistakes)


@bug("perceptron_train", "drops the bias perceptron_update returns (b stays b0)")
def train_drops_bias(X, y, lr, num_epochs, w0, b0):
    w, b = np.array(w0, dtype=float), float(b0)
    mistakes = []
    for epoch in range(num_epochs):
        count = 0
        for x_n, y_n in zip(X, y):
            w, _, mistake = perceptron_update(w, b, x_n, y_n, lr)
            count += int(mistake)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, np.array(mistakes)


@bug("perceptron_train", "counts mistakes from its own prediction, not from the flags "
     "perceptron_update returns")
def train_own_prediction(X, y, lr, num_epochs, w0, b0):
    w, b = np.array(w0, dtype=float), float(b0)
    mistakes = []
    for epoch in range(num_epochs):
        count = 0
        for x_n, y_n in zip(X, y):
            count += int((1 if x_n @ w + b > 0 else 0) != y_n)
            w, b, _ = perceptron_update(w, b, x_n, y_n, lr)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, np.array(mistakes)


@bug("perceptron_train", "shuffles the examples each epoch with an unseeded permutation")
def train_shuffles(X, y, lr, num_epochs, w0, b0):
    w, b = np.array(w0, dtype=float), float(b0)
    mistakes = []
    for epoch in range(num_epochs):
        count = 0
        for n in np.random.permutation(len(X)):
            w, b, mistake = perceptron_update(w, b, X[n], y[n], lr)
            count += int(mistake)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, np.array(mistakes)
