"""Typical mistakes in step 10 (BatchNorm). Each function is one wrong hand-in."""

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
