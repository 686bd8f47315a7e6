"""Typical mistakes in the capstone (step 11). Each function is one wrong hand-in.

They call the notebook's earlier-step functions (linear_forward, relu_forward, ...): they
run in the notebook's namespace, where Setup imported them. The model solution's cache is
a list of (linear cache, ReLU cache, dropout mask) per layer; a bug in forward keeps it, so
that only the bug differs.
"""

import numpy as np

from tests.buggy import bug

# --- forward --------------------------------------------------------------------------


@bug("forward", "a ReLU after the last layer too: the scores cannot be negative")
def fwd_relu_on_scores(params, X, mode="eval", dropout=0.0, rng=None):
    L = len(params) // 2
    h, cache = X, []
    for k in range(1, L + 1):
        z, cache_linear = linear_forward(h, params[f"W{k}"], params[f"b{k}"])
        h, cache_relu = relu_forward(z)
        mask = None
        if k < L and mode == "train" and dropout > 0:
            h, mask = dropout_forward(h, dropout, "train", rng)
            h, mask = h.astype(z.dtype, copy=False), mask.astype(z.dtype, copy=False)
        cache.append((cache_linear, cache_relu if k < L else None, mask))
    return h, cache


@bug("forward", "only two layers: W1 and W2, whatever the depth")
def fwd_two_layers(params, X, mode="eval", dropout=0.0, rng=None):
    z, c1 = linear_forward(X, params["W1"], params["b1"])
    h, cr = relu_forward(z)
    mask = None
    if mode == "train" and dropout > 0:
        h, mask = dropout_forward(h, dropout, "train", rng)
        h, mask = h.astype(z.dtype, copy=False), mask.astype(z.dtype, copy=False)
    scores, c2 = linear_forward(h, params["W2"], params["b2"])
    return scores, [(c1, cr, mask), (c2, None, None)]


@bug("forward", "dropout whatever the mode (eval mode forgotten)")
def fwd_dropout_in_eval(params, X, mode="eval", dropout=0.0, rng=None):
    L = len(params) // 2
    h, cache = X, []
    for k in range(1, L + 1):
        z, cache_linear = linear_forward(h, params[f"W{k}"], params[f"b{k}"])
        if k < L:
            h, cache_relu = relu_forward(z)
            mask = None
            if dropout > 0:
                h, mask = dropout_forward(h, dropout, "train", rng)
                h, mask = h.astype(z.dtype, copy=False), mask.astype(z.dtype, copy=False)
            cache.append((cache_linear, cache_relu, mask))
        else:
            cache.append((cache_linear, None, None))
    return z, cache


@bug("forward", "inputs cast to float64 (np.asarray(X, dtype=float)): float32 is lost, twice the time")
def fwd_float64(params, X, mode="eval", dropout=0.0, rng=None):
    L = len(params) // 2
    h, cache = np.asarray(X, dtype=float), []
    for k in range(1, L + 1):
        z, cache_linear = linear_forward(h, params[f"W{k}"].astype(float), params[f"b{k}"].astype(float))
        if k < L:
            h, cache_relu = relu_forward(z)
            mask = None
            if mode == "train" and dropout > 0:
                h, mask = dropout_forward(h, dropout, "train", rng)
            cache.append((cache_linear, cache_relu, mask))
        else:
            cache.append((cache_linear, None, None))
    return z, cache


# --- backward -------------------------------------------------------------------------


@bug("backward", "no ReLU mask on the way back")
def bwd_no_relu(dscores, cache):
    grads, d, L = {}, dscores, len(cache)
    for k in range(L, 0, -1):
        cache_linear, cache_relu, mask = cache[k - 1]
        if k < L and mask is not None:
            d = d * mask
        if k > 1:
            d, grads[f"W{k}"], grads[f"b{k}"] = linear_backward(d, cache_linear)
        else:
            grads["W1"], grads["b1"] = cache_linear[0].T @ d, d.sum(axis=0)
    return grads


@bug("backward", "dropout's mask forgotten on the way back")
def bwd_no_mask(dscores, cache):
    grads, d, L = {}, dscores, len(cache)
    for k in range(L, 0, -1):
        cache_linear, cache_relu, mask = cache[k - 1]
        if k < L:
            d = relu_backward(d, cache_relu)
        if k > 1:
            d, grads[f"W{k}"], grads[f"b{k}"] = linear_backward(d, cache_linear)
        else:
            grads["W1"], grads["b1"] = cache_linear[0].T @ d, d.sum(axis=0)
    return grads


@bug("backward", "an extra 1/N on the gradients (the mean is already in dscores)")
def bwd_extra_mean(dscores, cache):
    grads, d, L = {}, dscores, len(cache)
    N = dscores.shape[0]
    for k in range(L, 0, -1):
        cache_linear, cache_relu, mask = cache[k - 1]
        if k < L:
            if mask is not None:
                d = d * mask
            d = relu_backward(d, cache_relu)
        if k > 1:
            d, dW, db = linear_backward(d, cache_linear)
            grads[f"W{k}"], grads[f"b{k}"] = dW / N, db / N
        else:
            grads["W1"], grads["b1"] = cache_linear[0].T @ d / N, d.sum(axis=0) / N
    return grads


@bug("backward", "the first layer's bias summed over the units (axis=1) instead of the batch")
def bwd_bias_axis(dscores, cache):
    grads, d, L = {}, dscores, len(cache)
    for k in range(L, 0, -1):
        cache_linear, cache_relu, mask = cache[k - 1]
        if k < L:
            if mask is not None:
                d = d * mask
            d = relu_backward(d, cache_relu)
        if k > 1:
            d, grads[f"W{k}"], grads[f"b{k}"] = linear_backward(d, cache_linear)
        else:
            grads["W1"], grads["b1"] = cache_linear[0].T @ d, d.sum(axis=1)
    return grads


# --- train_step -----------------------------------------------------------------------


@bug("train_step", "returns the loss after the update (a second forward pass)")
def ts_loss_after(params, state, X, y, lr, optimizer="momentum", weight_decay=0.0, dropout=0.0, rng=None):
    scores, cache = forward(params, X, "train", dropout, rng)
    _, dscores = cross_entropy(scores, y)
    grads = backward(dscores, cache)
    new_params, new_state = {}, {}
    for name, value in params.items():
        grad = grads[name] + (weight_decay * value if name.startswith("W") else 0.0)
        step = {"sgd": sgd_step, "momentum": momentum_step, "adam": adam_step}[optimizer]
        new_params[name], new_state[name] = step(value, grad, state.get(name, {}), lr)
    loss, _ = cross_entropy(forward(new_params, X)[0], y)
    return float(loss), new_params, new_state


@bug("train_step", "weight decay on the biases too")
def ts_decay_biases(params, state, X, y, lr, optimizer="momentum", weight_decay=0.0, dropout=0.0, rng=None):
    scores, cache = forward(params, X, "train", dropout, rng)
    loss, dscores = cross_entropy(scores, y)
    grads = backward(dscores, cache)
    new_params, new_state = {}, {}
    for name, value in params.items():
        grad = grads[name] + weight_decay * value
        step = {"sgd": sgd_step, "momentum": momentum_step, "adam": adam_step}[optimizer]
        new_params[name], new_state[name] = step(value, grad, state.get(name, {}), lr)
    return float(loss), new_params, new_state


@bug("train_step", "the optimizer state is not carried over: every step starts from an empty state")
def ts_state_dropped(params, state, X, y, lr, optimizer="momentum", weight_decay=0.0, dropout=0.0, rng=None):
    scores, cache = forward(params, X, "train", dropout, rng)
    loss, dscores = cross_entropy(scores, y)
    grads = backward(dscores, cache)
    new_params, new_state = {}, {}
    for name, value in params.items():
        grad = grads[name] + (weight_decay * value if name.startswith("W") else 0.0)
        step = {"sgd": sgd_step, "momentum": momentum_step, "adam": adam_step}[optimizer]
        new_params[name], new_state[name] = step(value, grad, {}, lr)
    return float(loss), new_params, new_state


@bug("train_step", "momentum's buffer is kept, but the parameter moves by lr * grad (plain SGD)")
def ts_buffer_unused(params, state, X, y, lr, optimizer="momentum", weight_decay=0.0, dropout=0.0, rng=None):
    scores, cache = forward(params, X, "train", dropout, rng)
    loss, dscores = cross_entropy(scores, y)
    grads = backward(dscores, cache)
    new_params, new_state = {}, {}
    for name, value in params.items():
        grad = grads[name] + (weight_decay * value if name.startswith("W") else 0.0)
        if optimizer == "momentum":
            buf = 0.9 * state.get(name, {}).get("buf", np.zeros_like(value)) + grad
            new_params[name], new_state[name] = value - lr * grad, {"buf": buf}
        else:
            step = {"sgd": sgd_step, "adam": adam_step}[optimizer]
            new_params[name], new_state[name] = step(value, grad, state.get(name, {}), lr)
    return float(loss), new_params, new_state


# --- evaluate -------------------------------------------------------------------------


@bug("evaluate", "the mean of the batches' mean losses: a smaller last batch counts as much as a full one")
def ev_mean_of_means(params, X, y, batch_size=1000):
    losses, correct = [], 0
    for start in range(0, X.shape[0], batch_size):
        scores, _ = forward(params, X[start:start + batch_size])
        losses.append(cross_entropy(scores, y[start:start + batch_size])[0])
        correct += int(np.sum(np.argmax(scores, axis=1) == y[start:start + batch_size]))
    return float(np.mean(losses)), correct / X.shape[0]


@bug("evaluate", "returns after the first batch")
def ev_first_batch(params, X, y, batch_size=1000):
    for start in range(0, X.shape[0], batch_size):
        scores, _ = forward(params, X[start:start + batch_size])
        loss, _ = cross_entropy(scores, y[start:start + batch_size])
        return float(loss), float(np.mean(np.argmax(scores, axis=1) == y[start:start + batch_size]))


@bug("evaluate", "accuracy in percent (0 to 100), not a fraction")
def ev_percent(params, X, y, batch_size=1000):
    total, correct = 0.0, 0
    for start in range(0, X.shape[0], batch_size):
        scores, _ = forward(params, X[start:start + batch_size])
        total += cross_entropy(scores, y[start:start + batch_size])[0] * len(scores)
        correct += int(np.sum(np.argmax(scores, axis=1) == y[start:start + batch_size]))
    return total / X.shape[0], 100.0 * correct / X.shape[0]


@bug("evaluate", "the loss summed over the examples, not averaged")
def ev_loss_sum(params, X, y, batch_size=1000):
    total, correct = 0.0, 0
    for start in range(0, X.shape[0], batch_size):
        scores, _ = forward(params, X[start:start + batch_size])
        total += cross_entropy(scores, y[start:start + batch_size])[0] * len(scores)
        correct += int(np.sum(np.argmax(scores, axis=1) == y[start:start + batch_size]))
    return float(total), correct / X.shape[0]
