"""Correct alternatives for step 01 (linear layer). Each must score full marks."""

import numpy as np

from tests.alternatives import alternative

# --- linear_forward -------------------------------------------------------------------


@alternative("linear_forward", "np.einsum for the product, bias added by broadcasting")
def forward_einsum(X, W, b):
    Y = np.einsum("nd,dm->nm", X, W) + b
    cache = (X, W)
    return Y, cache


@alternative("linear_forward", "one np.dot per row, stacked")
def forward_rows(X, W, b):
    Y = np.stack([np.dot(x, W) + b for x in X])
    return Y, (X, W)


@alternative("linear_forward", "explicit triple loop into a zero array")
def forward_loops(X, W, b):
    N, D = X.shape
    M = W.shape[1]
    Y = np.zeros((N, M))
    for n in range(N):
        for m in range(M):
            Y[n, m] = b[m]
            for d in range(D):
                Y[n, m] += X[n, d] * W[d, m]
    return Y, (X, W)


# --- linear_backward ------------------------------------------------------------------


@alternative("linear_backward", "np.einsum for all three gradients")
def backward_einsum(dY, cache):
    X, W = cache
    dX = np.einsum("nm,dm->nd", dY, W)
    dW = np.einsum("nd,nm->dm", X, dY)
    db = np.einsum("nm->m", dY)
    return dX, dW, db


@alternative("linear_backward", "dW as a sum of per-example outer products, db by np.add.reduce")
def backward_outer(dY, cache):
    X, W = cache
    dX = np.dot(dY, W.T)
    dW = sum(np.outer(x, dy) for x, dy in zip(X, dY))
    db = np.add.reduce(dY, axis=0)
    return dX, dW, db


@alternative("linear_backward", "(dW.T = dY.T @ X) transposed back, db as ones @ dY")
def backward_transposes(dY, cache):
    X, W = cache
    dX = (W @ dY.T).T
    dW = (dY.T @ X).T
    db = np.ones(len(dY)) @ dY
    return dX, dW, db


# --- shape_ledger ---------------------------------------------------------------------


@alternative("shape_ledger", "forward shapes first, each gradient copied from its tensor")
def ledger_from_forward(N, D, M):
    forward = {"X": (N, D), "W": (D, M), "b": (M,), "Y": (N, M)}
    ledger = dict(forward)
    for name, shape in forward.items():
        ledger["d" + name] = shape
    return ledger


@alternative("shape_ledger", "read off real zero arrays pushed through the layer")
def ledger_from_arrays(N, D, M):
    X, W, b = np.zeros((N, D)), np.zeros((D, M)), np.zeros(M)
    Y, cache = linear_forward(X, W, b)
    dY = np.zeros_like(Y)
    dX, dW, db = linear_backward(dY, cache)
    arrays = {"X": X, "W": W, "b": b, "Y": Y, "dY": dY, "dW": dW, "db": db, "dX": dX}
    return {name: tuple(int(s) for s in a.shape) for name, a in arrays.items()}


# --- memory_bytes ---------------------------------------------------------------------


@alternative("memory_bytes", "math.prod over the shape ledger's entries")
def memory_from_ledger(N, D, M, dtype=np.float32):
    import math

    size = np.dtype(dtype).itemsize
    ledger = shape_ledger(N, D, M)

    def total(*names):
        return sum(math.prod(ledger[name]) for name in names) * size

    return {"parameters": total("W", "b"), "activations": total("X", "Y"),
            "gradients": total("dY", "dX", "dW", "db")}


@alternative("memory_bytes", "np.empty(...).nbytes of real (uninitialised) arrays")
def memory_nbytes(N, D, M, dtype=np.float32):
    def nbytes(*shapes):
        return int(sum(np.empty(s, dtype=dtype).nbytes for s in shapes))

    return {"parameters": nbytes((D, M), (M,)), "activations": nbytes((N, D), (N, M)),
            "gradients": nbytes((N, M), (N, D), (D, M), (M,))}
