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
