"""Typical mistakes in step 10 (regularization). Each function is one wrong hand-in.

The bug-hunt loops call the notebook's earlier-step functions (he_init, mlp_forward, ...):
they run in the notebook's namespace, where Setup imported them."""

import numpy as np

from tests.buggy import bug

# --- batchnorm_forward ----------------------------------------------------------------


@bug("batchnorm_forward", "normalizes with the unbiased batch variance (N - 1), torch uses the biased one")
def bn_unbiased_normalize(X, gamma, beta, running, mode, momentum=0.1, eps=1e-5):
    if mode == "train":
        N = X.shape[0]
        mean = X.mean(axis=0)
        var = X.var(axis=0, ddof=1)
        new_running = {"mean": (1 - momentum) * running["mean"] + momentum * mean,
                       "var": (1 - momentum) * running["var"] + momentum * var}
    else:
        mean, var = running["mean"], running["var"]
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    if mode == "eval":
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    inv_std = 1.0 / np.sqrt(var + eps)
    X_hat = (X - mean) * inv_std
    out = gamma * X_hat + beta
    return out, (X_hat, gamma, inv_std), new_running


@bug("batchnorm_forward", "updates running_var with the biased batch variance (torch uses N - 1)")
def bn_biased_running(X, gamma, beta, running, mode, momentum=0.1, eps=1e-5):
    if mode == "train":
        N = X.shape[0]
        mean = X.mean(axis=0)
        var = X.var(axis=0)
        new_running = {"mean": (1 - momentum) * running["mean"] + momentum * mean,
                       "var": (1 - momentum) * running["var"] + momentum * var}
    else:
        mean, var = running["mean"], running["var"]
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    if mode == "eval":
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    inv_std = 1.0 / np.sqrt(var + eps)
    X_hat = (X - mean) * inv_std
    out = gamma * X_hat + beta
    return out, (X_hat, gamma, inv_std), new_running


@bug("batchnorm_forward", "momentum weights the old average (Keras's convention), not the new batch")
def bn_momentum_swapped(X, gamma, beta, running, mode, momentum=0.1, eps=1e-5):
    if mode == "train":
        N = X.shape[0]
        mean = X.mean(axis=0)
        var = X.var(axis=0)
        new_running = {"mean": momentum * running["mean"] + (1 - momentum) * mean,
                       "var": momentum * running["var"] + (1 - momentum) * var * N / (N - 1)}
    else:
        mean, var = running["mean"], running["var"]
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    if mode == "eval":
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    inv_std = 1.0 / np.sqrt(var + eps)
    X_hat = (X - mean) * inv_std
    out = gamma * X_hat + beta
    return out, (X_hat, gamma, inv_std), new_running


@bug("batchnorm_forward", "eval mode still normalizes with the batch statistics")
def bn_eval_uses_batch(X, gamma, beta, running, mode, momentum=0.1, eps=1e-5):
    if True:
        N = X.shape[0]
        mean = X.mean(axis=0)
        var = X.var(axis=0)
        new_running = {"mean": (1 - momentum) * running["mean"] + momentum * mean,
                       "var": (1 - momentum) * running["var"] + momentum * var * N / (N - 1)}
    else:
        mean, var = running["mean"], running["var"]
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    if mode == "eval":
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    inv_std = 1.0 / np.sqrt(var + eps)
    X_hat = (X - mean) * inv_std
    out = gamma * X_hat + beta
    return out, (X_hat, gamma, inv_std), new_running


@bug("batchnorm_forward", "eps outside the square root: sqrt(var) + eps")
def bn_eps_outside(X, gamma, beta, running, mode, momentum=0.1, eps=1e-5):
    if mode == "train":
        N = X.shape[0]
        mean = X.mean(axis=0)
        var = X.var(axis=0)
        new_running = {"mean": (1 - momentum) * running["mean"] + momentum * mean,
                       "var": (1 - momentum) * running["var"] + momentum * var * N / (N - 1)}
    else:
        mean, var = running["mean"], running["var"]
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    if mode == "eval":
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    inv_std = 1.0 / (np.sqrt(var) + eps)
    X_hat = (X - mean) * inv_std
    out = gamma * X_hat + beta
    return out, (X_hat, gamma, inv_std), new_running


@bug("batchnorm_forward", "updates the running dict in place and returns it")
def bn_in_place(X, gamma, beta, running, mode, momentum=0.1, eps=1e-5):
    if mode == "train":
        N = X.shape[0]
        mean = X.mean(axis=0)
        var = X.var(axis=0)
        new_running = {"mean": (1 - momentum) * running["mean"] + momentum * mean,
                       "var": (1 - momentum) * running["var"] + momentum * var * N / (N - 1)}
    else:
        mean, var = running["mean"], running["var"]
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    if mode == "eval":
        new_running = {"mean": running["mean"].copy(), "var": running["var"].copy()}
    inv_std = 1.0 / np.sqrt(var + eps)
    X_hat = (X - mean) * inv_std
    out = gamma * X_hat + beta
    if mode == "train":
        running["mean"][...] = new_running["mean"]
        running["var"][...] = new_running["var"]
        new_running = running
    return out, (X_hat, gamma, inv_std), new_running


# --- batchnorm_backward ---------------------------------------------------------------


@bug("batchnorm_backward", "treats the batch mean and variance as constants: dX = dout * gamma / std")
def bnb_constant_stats(dout, cache):
    X_hat, gamma, inv_std = cache
    return dout * gamma * inv_std, (dout * X_hat).sum(axis=0), dout.sum(axis=0)


@bug("batchnorm_backward", "forgets the variance term (only the mean is subtracted)")
def bnb_no_variance_term(dout, cache):
    X_hat, gamma, inv_std = cache
    dX = gamma * inv_std * (dout - dout.mean(axis=0))
    return dX, (dout * X_hat).sum(axis=0), dout.sum(axis=0)


@bug("batchnorm_backward", "dgamma as the sum of dout (forgets X_hat)")
def bnb_dgamma_without_xhat(dout, cache):
    X_hat, gamma, inv_std = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * X_hat).sum(axis=0)
    dX = gamma * inv_std / N * (N * dout - dbeta - X_hat * dgamma)
    return dX, dbeta, dbeta


@bug("batchnorm_backward", "dgamma and dbeta averaged over the batch (an extra 1/N)")
def bnb_param_mean(dout, cache):
    X_hat, gamma, inv_std = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), (dout * X_hat).sum(axis=0)
    dX = gamma * inv_std / N * (N * dout - dbeta - X_hat * dgamma)
    return dX, dgamma / N, dbeta / N


# --- l2_penalty -----------------------------------------------------------------------


@bug("l2_penalty", "no factor 1/2: penalty lambda * sum W**2 with gradient 2 * lambda * W")
def l2_no_half(params, weight_decay):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += weight_decay * np.sum(value ** 2)
            grads[name] = 2 * weight_decay * value
        else:
            grads[name] = np.zeros_like(value)
    return float(penalty), grads


@bug("l2_penalty", "penalizes the biases too")
def l2_biases_too(params, weight_decay):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        penalty += 0.5 * weight_decay * np.sum(value ** 2)
        grads[name] = weight_decay * value
    return float(penalty), grads


@bug("l2_penalty", "grads holds only the weights (no zero entries for the biases)")
def l2_missing_keys(params, weight_decay):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += 0.5 * weight_decay * np.sum(value ** 2)
            grads[name] = weight_decay * value
    return float(penalty), grads


@bug("l2_penalty", "the norm instead of the squared norm: 0.5 * lambda * ||W||")
def l2_norm_not_squared(params, weight_decay):
    penalty, grads = 0.0, {}
    for name, value in params.items():
        if name.startswith("W"):
            penalty += 0.5 * weight_decay * np.linalg.norm(value)
            grads[name] = weight_decay * value
        else:
            grads[name] = np.zeros_like(value)
    return float(penalty), grads


# --- dropout_forward ------------------------------------------------------------------


@bug("dropout_forward", "no rescaling: the mask holds 0 and 1 (the expected output shrinks by 1 - p)")
def dropout_no_rescale(X, p, mode, rng):
    if mode == "train":
        mask = (rng.random(X.shape) >= p).astype(float)
    else:
        mask = np.ones(X.shape)
    return X * mask, mask


@bug("dropout_forward", "p taken as the probability of keeping")
def dropout_keep_probability(X, p, mode, rng):
    if mode == "train":
        mask = (rng.random(X.shape) < p) / (1 - p)
    else:
        mask = np.ones(X.shape)
    return X * mask, mask


@bug("dropout_forward", "drops in eval mode too")
def dropout_in_eval(X, p, mode, rng):
    mask = (rng.random(X.shape) >= p) / (1 - p)
    return X * mask, mask


@bug("dropout_forward", "one mask per feature, shared by every row")
def dropout_one_row(X, p, mode, rng):
    if mode == "train":
        mask = np.broadcast_to((rng.random(X.shape[-1]) >= p) / (1 - p), X.shape).copy()
    else:
        mask = np.ones(X.shape)
    return X * mask, mask


@bug("dropout_forward", "draws from numpy's global generator, not from rng")
def dropout_global_random(X, p, mode, rng):
    if mode == "train":
        mask = (np.random.random(X.shape) >= p) / (1 - p)
    else:
        mask = np.ones(X.shape)
    return X * mask, mask


@bug("dropout_forward", "eval mode scales by 1 - p (the old, non-inverted dropout's test time)")
def dropout_eval_scaled(X, p, mode, rng):
    if mode == "train":
        mask = (rng.random(X.shape) >= p) / (1 - p)
    else:
        mask = np.full(X.shape, 1 - p)
    return X * mask, mask


# --- early_stopping -------------------------------------------------------------------


@bug("early_stopping", "a tie counts as an improvement (<= instead of <)")
def es_tie_improves(val_losses, patience):
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] <= val_losses[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


@bug("early_stopping", "off by one: stops after patience + 1 non-improving epochs")
def es_off_by_one(val_losses, patience):
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited > patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


@bug("early_stopping", "best epoch is the argmin of the whole run, even past the stop")
def es_best_of_all(val_losses, patience):
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return int(np.argmin(val_losses)), epoch
    return best_epoch, len(val_losses) - 1


@bug("early_stopping", "the misses are not reset by an improvement (counts every miss since the start)")
def es_no_reset(val_losses, patience):
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best_epoch]:
            best_epoch = epoch
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


@bug("early_stopping", "a run that never stops returns len(val_losses) (one past the last epoch)")
def es_stop_past_end(val_losses, patience):
    best_epoch, waited = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best_epoch]:
            best_epoch, waited = epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


# --- the three training loops of the bug hunt ------------------------------------------


@bug("train_a", "left as it was: the labels of the first rows, not of the shuffled batch")
def loop_a_unrepaired(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": he_init(2, 32, rng), "b1": np.zeros(32), "W2": he_init(32, 2, rng), "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            batch = order[start:start + batch_size]
            scores, cache = mlp_forward(X[batch], params)
            loss, dscores = cross_entropy(scores, y[start:start + batch_size])
            grads = mlp_backward(dscores, cache)
            for name in params:
                params[name] = params[name] - lr * grads[name]
    return params


@bug("train_a", "inputs and labels shuffled with two different permutations")
def loop_a_two_permutations(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": he_init(2, 32, rng), "b1": np.zeros(32), "W2": he_init(32, 2, rng), "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        X_shuffled, y_shuffled = X[rng.permutation(N)], y[rng.permutation(N)]
        for start in range(0, N, batch_size):
            scores, cache = mlp_forward(X_shuffled[start:start + batch_size], params)
            loss, dscores = cross_entropy(scores, y_shuffled[start:start + batch_size])
            grads = mlp_backward(dscores, cache)
            for name in params:
                params[name] = params[name] - lr * grads[name]
    return params


@bug("train_a", "the shuffle moved to the labels: inputs in order, labels of the shuffled batch")
def loop_a_swapped(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": he_init(2, 32, rng), "b1": np.zeros(32), "W2": he_init(32, 2, rng), "b2": np.zeros(2)}
    N = X.shape[0]
    for epoch in range(num_epochs):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            batch = order[start:start + batch_size]
            scores, cache = mlp_forward(X[start:start + batch_size], params)
            loss, dscores = cross_entropy(scores, y[batch])
            grads = mlp_backward(dscores, cache)
            for name in params:
                params[name] = params[name] - lr * grads[name]
    return params


@bug("train_b", "left as it was: the update rebinds the loop variable and never reaches params")
def loop_b_unrepaired(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
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
                value = value - lr * grads[name]
    return params


@bug("train_b", "the updated parameters go to a new dict that the loop never uses")
def loop_b_new_dict_unused(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
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
            new_params = {name: value - lr * grads[name] for name, value in params.items()}
    return params


@bug("train_b", "repaired with the wrong sign: params + lr * grads climbs the loss")
def loop_b_ascent(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
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
            for name in params:
                params[name] = params[name] + lr * grads[name]
    return params


@bug("train_c", "left as it was: every weight starts at zero")
def loop_c_unrepaired(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": np.zeros((2, 32)), "b1": np.zeros(32), "W2": np.zeros((32, 2)), "b2": np.zeros(2)}
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


@bug("train_c", "only W2 made random: W1 = 0 gives every hidden unit input 0, where ReLU's slope is 0")
def loop_c_only_w2(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": np.zeros((2, 32)), "b1": np.zeros(32), "W2": he_init(32, 2, rng), "b2": np.zeros(2)}
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


@bug("train_c", "every weight the same non-zero constant: the hidden units stay identical (symmetry)")
def loop_c_constant(X, y, num_epochs=60, lr=0.5, batch_size=20, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": np.full((2, 32), 0.5), "b1": np.zeros(32), "W2": np.full((32, 2), 0.5), "b2": np.zeros(2)}
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
