"""Correct ways to write step 10's functions other than the model solution. Each must
score full marks (see tests/alternatives/__init__.py)."""

import numpy as np

from tests.alternatives import alternative

# --- batchnorm_forward ----------------------------------------------------------------


@alternative("batchnorm_forward", "explicit sums, running update as running + momentum * (batch - running), "
             "unbiased variance from the biased one times N / (N - 1)")
def bn_sums(X, gamma, beta, running, mode, momentum=0.1, eps=1e-5):
    N = X.shape[0]
    if mode == "train":
        mean = X.sum(axis=0) / N
        var = ((X - mean) ** 2).sum(axis=0) / N
        new = {"mean": running["mean"] + momentum * (mean - running["mean"]),
               "var": running["var"] + momentum * (var * N / (N - 1) - running["var"])}
    else:
        mean, var = running["mean"], running["var"]
        new = {key: value.copy() for key, value in running.items()}
    inv_std = (var + eps) ** -0.5
    X_hat = (X - mean) * inv_std
    out = gamma * (X - mean) / np.sqrt(var + eps) + beta
    return out, (X_hat, gamma, inv_std), new


@alternative("batchnorm_forward", "np.var with ddof=1 for the running update, division by the standard deviation")
def bn_ddof(X, gamma, beta, running, mode, momentum=0.1, eps=1e-5):
    if mode == "train":
        mean, var = np.mean(X, axis=0), np.var(X, axis=0)
        new = dict(mean=(1 - momentum) * running["mean"] + momentum * mean,
                   var=(1 - momentum) * running["var"] + momentum * np.var(X, axis=0, ddof=1))
    else:
        mean, var = running["mean"], running["var"]
        new = dict(mean=np.array(running["mean"]), var=np.array(running["var"]))
    std = np.sqrt(var + eps)
    X_hat = (X - mean) / std
    return X_hat * gamma + beta, (X_hat, gamma, 1.0 / std), new


# --- batchnorm_backward ---------------------------------------------------------------


@alternative("batchnorm_backward", "step by step through the computational graph (mean, centred, var, inv_std)")
def bnb_graph(dout, cache):
    X_hat, gamma, inv_std = cache
    N = X_hat.shape[0]
    xc = X_hat / inv_std  # X - mean
    dbeta = dout.sum(axis=0)
    dgamma = (dout * X_hat).sum(axis=0)
    dX_hat = dout * gamma
    dvar = np.sum(dX_hat * xc, axis=0) * -0.5 * inv_std ** 3
    dmean = np.sum(-dX_hat * inv_std, axis=0) + dvar * np.mean(-2.0 * xc, axis=0)
    dX = dX_hat * inv_std + dvar * 2.0 * xc / N + dmean / N
    return dX, dgamma, dbeta


@alternative("batchnorm_backward", "means instead of sums: (dX_hat - mean(dX_hat) - X_hat * mean(dX_hat * X_hat)) / std")
def bnb_means(dout, cache):
    X_hat, gamma, inv_std = cache
    std = 1.0 / inv_std
    dX_hat = dout * gamma
    dX = (dX_hat - dX_hat.mean(axis=0) - X_hat * (dX_hat * X_hat).mean(axis=0)) / std
    return dX, np.einsum("nd,nd->d", dout, X_hat), np.einsum("nd->d", dout)


# --- l2_penalty -----------------------------------------------------------------------


@alternative("l2_penalty", "a dict comprehension for grads, np.vdot for the sum of squares")
def l2_comprehension(params, weight_decay):
    weights = [name for name in params if name.startswith("W")]
    penalty = 0.5 * weight_decay * sum(np.vdot(params[name], params[name]) for name in weights)
    grads = {name: weight_decay * value if name in weights else 0.0 * value for name, value in params.items()}
    return float(penalty), grads


@alternative("l2_penalty", "np.einsum and np.linalg.norm squared, a loop over sorted keys")
def l2_norms(params, weight_decay):
    total = 0.0
    grads = {}
    for name in sorted(params):
        value = params[name]
        if name[0] == "W":
            total = total + np.linalg.norm(value.ravel()) ** 2
            grads[name] = np.einsum("...,->...", value, weight_decay)
        else:
            grads[name] = np.zeros(value.shape)
    return float(weight_decay * total / 2), grads


# --- dropout_forward ------------------------------------------------------------------


@alternative("dropout_forward", "rng.binomial for the kept entries, out computed with np.where")
def dropout_binomial(X, p, mode, rng):
    if mode != "train":
        return X.copy(), np.ones_like(X, dtype=float)
    keep = rng.binomial(1, 1 - p, size=X.shape)
    mask = keep * (1.0 / (1 - p))
    return np.where(keep == 1, X / (1 - p), 0.0), mask


@alternative("dropout_forward", "rng.uniform compared with p, drop where the draw is below p")
def dropout_uniform(X, p, mode, rng):
    mask = np.ones(np.shape(X))
    if mode == "train":
        mask = np.where(rng.uniform(size=np.shape(X)) < p, 0.0, 1.0 / (1.0 - p))
    return X * mask, mask


# --- early_stopping -------------------------------------------------------------------


@alternative("early_stopping", "epochs since the best, compared with patience")
def es_since_best(val_losses, patience):
    best = 0
    for epoch, loss in enumerate(val_losses):
        if loss < val_losses[best]:
            best = epoch
        if epoch - best >= patience:
            return best, epoch
    return best, len(val_losses) - 1


@alternative("early_stopping", "vectorized: the running minimum finds the improving epochs")
def es_vectorized(val_losses, patience):
    losses = np.asarray(val_losses, dtype=float)
    before = np.concatenate([[np.inf], np.minimum.accumulate(losses)[:-1]])
    improves = np.flatnonzero(losses < before)  # epoch 0 always improves
    last_improvement = np.maximum.accumulate(np.where(losses < before, np.arange(len(losses)), 0))
    stopping = np.flatnonzero(np.arange(len(losses)) - last_improvement >= patience)
    stop = int(stopping[0]) if stopping.size else len(losses) - 1
    best = int(improves[improves <= stop][-1])
    return best, stop


# --- the three training loops of the bug hunt ------------------------------------------


@alternative("train_a", "inputs and labels reordered together once per epoch, then sliced")
def loop_a_reorder_both(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": he_init(2, 32, rng), "b1": np.zeros(32), "W2": he_init(32, 2, rng), "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        X_epoch, y_epoch = X[order], y[order]
        for start in range(0, N, batch_size):
            scores, cache = mlp_forward(X_epoch[start:start + batch_size], params)
            loss, dscores = cross_entropy(scores, y_epoch[start:start + batch_size])
            grads = mlp_backward(dscores, cache)
            for name in params:
                params[name] = params[name] - lr * grads[name]
    return params


@alternative("train_a", "batch indices from np.array_split of the permutation, in-place update")
def loop_a_array_split(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": he_init(2, 32, rng), "b1": np.zeros(32), "W2": he_init(32, 2, rng), "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        for batch in np.array_split(rng.permutation(N), int(np.ceil(N / batch_size))):
            scores, cache = mlp_forward(X[batch], params)
            _, dscores = cross_entropy(scores, y[batch])
            for name, grad in mlp_backward(dscores, cache).items():
                params[name] -= lr * grad
    return params


@alternative("train_b", "in-place update of each array: params[name] -= lr * grads[name]")
def loop_b_in_place(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": he_init(2, 32, rng), "b1": np.zeros(32), "W2": he_init(32, 2, rng), "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            batch = order[start:start + batch_size]
            scores, cache = mlp_forward(X[batch], params)
            loss, dscores = cross_entropy(scores, y[batch])
            grads = mlp_backward(dscores, cache)
            for name, value in params.items():
                value -= lr * grads[name]  # changes the array the dict holds
    return params


@alternative("train_b", "a new dict each step, bound to params")
def loop_b_new_dict(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": he_init(2, 32, rng), "b1": np.zeros(32), "W2": he_init(32, 2, rng), "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            batch = order[start:start + batch_size]
            scores, cache = mlp_forward(X[batch], params)
            loss, dscores = cross_entropy(scores, y[batch])
            grads = mlp_backward(dscores, cache)
            params = {name: value - lr * grads[name] for name, value in params.items()}
    return params


@alternative("train_c", "He initialization drawn uniformly")
def loop_c_he_uniform(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": he_init(2, 32, rng, "uniform"), "b1": np.zeros(32), "W2": he_init(32, 2, rng, "uniform"),
              "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            batch = order[start:start + batch_size]
            scores, cache = mlp_forward(X[batch], params)
            loss, dscores = cross_entropy(scores, y[batch])
            grads = mlp_backward(dscores, cache)
            for name in params:
                params[name] = params[name] - lr * grads[name]
    return params


@alternative("train_c", "Glorot (Xavier) normal weights: std sqrt(2 / (fan_in + fan_out))")
def loop_c_glorot(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(0.0, np.sqrt(2 / 34), size=(2, 32)), "b1": np.zeros(32),
              "W2": rng.normal(0.0, np.sqrt(2 / 34), size=(32, 2)), "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            batch = order[start:start + batch_size]
            scores, cache = mlp_forward(X[batch], params)
            loss, dscores = cross_entropy(scores, y[batch])
            grads = mlp_backward(dscores, cache)
            for name in params:
                params[name] = params[name] - lr * grads[name]
    return params
