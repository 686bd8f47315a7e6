"""Correct ways to write the capstone's functions other than the model solution. Each must
score full marks (see tests/alternatives/__init__.py). An alternative forward keeps the model
solution's cache (a list of ((h, W), ReLU input, dropout mask) per layer), since each
alternative is also tested beside the model's other functions."""

import numpy as np

from tests.alternatives import alternative

# --- forward (the model solution's cache format: backward reads it) -------------------


@alternative("forward", "plain NumPy (np.dot, np.where), no earlier functions, the same cache")
def fwd_plain(params, X, mode="eval", dropout=0.0, rng=None):
    L = len(params) // 2
    cache, h = [], X
    for k in range(1, L + 1):
        W, b = params[f"W{k}"], params[f"b{k}"]
        z = np.dot(h, W) + b
        if k == L:
            cache.append(((h, W), None, None))
            break
        a = np.where(z > 0, z, np.zeros_like(z))
        mask = None
        if mode == "train" and dropout:
            mask = np.where(rng.random(a.shape) < dropout, 0.0, 1.0 / (1.0 - dropout)).astype(a.dtype)
            a = a * mask
        cache.append(((h, W), z, mask))
        h = a
    return z, cache


@alternative("forward", "np.einsum (optimize=True: through BLAS) for the products, a while loop over the layers, "
             "the same cache")
def fwd_einsum(params, X, mode="eval", dropout=0.0, rng=None):
    cache, h, k = [], X, 1
    while f"W{k + 1}" in params:
        z = np.einsum("nd,dm->nm", h, params[f"W{k}"], optimize=True) + params[f"b{k}"]
        a, z_cache = relu_forward(z)
        mask = None
        if mode == "train" and dropout > 0:
            a, mask = dropout_forward(a, dropout, mode, rng)
            a, mask = a.astype(z.dtype), mask.astype(z.dtype)
        cache.append(((h, params[f"W{k}"]), z_cache, mask))
        h, k = a, k + 1
    scores = np.einsum("nd,dm->nm", h, params[f"W{k}"], optimize=True) + params[f"b{k}"]
    cache.append(((h, params[f"W{k}"]), None, None))
    return scores, cache


# --- backward -------------------------------------------------------------------------


@alternative("backward", "plain NumPy over the cache: mask, ReLU's z > 0, then h.T @ d and d @ W.T")
def bwd_plain(dscores, cache):
    grads, d = {}, dscores
    for k in range(len(cache), 0, -1):
        (h, W), z, mask = cache[k - 1]
        if z is not None:  # a hidden layer: dropout, then the ReLU, backwards
            if mask is not None:
                d = d * mask
            d = d * (z > 0)
        grads[f"W{k}"] = h.T @ d
        grads[f"b{k}"] = d.sum(axis=0)
        if k > 1:
            d = d @ W.T
    return grads


@alternative("backward", "linear_backward for every layer, the input layer's dX computed and thrown away")
def bwd_all_linear(dscores, cache):
    grads, d = {}, dscores
    for k, (cache_linear, cache_relu, mask) in reversed(list(enumerate(cache, start=1))):
        if cache_relu is not None:
            d = relu_backward(d if mask is None else d * mask, cache_relu)
        d, grads[f"W{k}"], grads[f"b{k}"] = linear_backward(d, cache_linear)
    return grads


# --- train_step -----------------------------------------------------------------------


@alternative("train_step", "step 05's functions for every optimizer, new arrays (no in-place update)")
def ts_functions(params, state, X, y, lr, optimizer="momentum", weight_decay=0.0, dropout=0.0, rng=None):
    scores, cache = forward(params, X, "train", dropout, rng)
    loss, dscores = cross_entropy(scores, y)
    grads = backward(dscores, cache)
    steps = {"sgd": sgd_step, "momentum": momentum_step, "adam": adam_step}
    new_params, new_state = {}, {}
    for name in params:
        grad = grads[name] + weight_decay * params[name] if name[0] == "W" else grads[name]
        new_params[name], new_state[name] = steps[optimizer](params[name], grad, state.get(name, {}), lr)
    return float(loss), new_params, new_state


@alternative("train_step", "the penalty's gradient through a comprehension, the loss taken from the scores by hand")
def ts_comprehension(params, state, X, y, lr, optimizer="momentum", weight_decay=0.0, dropout=0.0, rng=None):
    scores, cache = forward(params, X, "train", dropout, rng)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(len(y)), y].mean()
    _, dscores = cross_entropy(scores, y)
    raw = backward(dscores, cache)
    grads = {name: raw[name] + (weight_decay * params[name] if name.startswith("W") else 0) for name in params}
    results = {}
    for name in params:
        if optimizer == "sgd":
            results[name] = sgd_step(params[name], grads[name], state.get(name, {}), lr)
        elif optimizer == "momentum":
            results[name] = momentum_step(params[name], grads[name], state.get(name, {}), lr, momentum=0.9)
        else:
            results[name] = adam_step(params[name], grads[name], state.get(name, {}), lr=lr)
    return float(loss), {k: v[0] for k, v in results.items()}, {k: v[1] for k, v in results.items()}


# --- evaluate -------------------------------------------------------------------------


@alternative("evaluate", "all batches' scores concatenated, then one cross_entropy")
def ev_concatenate(params, X, y, batch_size=1000):
    scores = np.concatenate([forward(params, X[i:i + batch_size])[0] for i in range(0, len(X), batch_size)])
    loss, _ = cross_entropy(scores, y)
    return float(loss), float(np.mean(scores.argmax(axis=1) == y))


@alternative("evaluate", "per-example losses from a log-sum-exp summed with math.fsum, np.array_split batches")
def ev_fsum(params, X, y, batch_size=1000):
    import math

    losses, hits = [], 0
    for rows in np.array_split(np.arange(len(X)), max(1, math.ceil(len(X) / batch_size))):
        scores = forward(params, X[rows])[0].astype(np.float64)
        top = scores.max(axis=1)
        lse = top + np.log(np.exp(scores - top[:, None]).sum(axis=1))
        losses.extend(lse - scores[np.arange(len(rows)), y[rows]])
        hits += int((scores.argmax(axis=1) == y[rows]).sum())
    return math.fsum(losses) / len(X), hits / len(X)
