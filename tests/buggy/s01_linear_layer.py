"""Typical mistakes in step 01 (linear layer). Each function is one wrong hand-in."""

import numpy as np

from tests.buggy import bug

# --- linear_forward -------------------------------------------------------------------


@bug("linear_forward", "multiplies by W transposed (column convention)")
def forward_transposed_weights(X, W, b):
    Y = X @ W.T + b
    return Y, (X, W)


@bug("linear_forward", "forgets the bias")
def forward_no_bias(X, W, b):
    Y = X @ W
    return Y, (X, W)


@bug("linear_forward", "adds the bias along the batch axis")
def forward_bias_wrong_axis(X, W, b):
    Y = X @ W + b.reshape(-1, 1)
    return Y, (X, W)


@bug("linear_forward", "caches the output Y instead of the input X")
def forward_caches_output(X, W, b):
    Y = X @ W + b
    return Y, (Y, W)


# --- linear_backward ------------------------------------------------------------------


@bug("linear_backward", "transposed dW: dY.T @ X has shape (M, D)")
def backward_dW_transposed(dY, cache):
    X, W = cache
    return dY @ W.T, dY.T @ X, dY.sum(axis=0)


@bug("linear_backward", "db summed over the wrong axis")
def backward_db_wrong_axis(dY, cache):
    X, W = cache
    return dY @ W.T, X.T @ dY, dY.sum(axis=1)


@bug("linear_backward", "db averaged instead of summed (an extra 1/N)")
def backward_db_mean(dY, cache):
    X, W = cache
    return dY @ W.T, X.T @ dY, dY.mean(axis=0)


@bug("linear_backward", "dW divided by N a second time")
def backward_dW_extra_mean(dY, cache):
    X, W = cache
    return dY @ W.T, X.T @ dY / len(X), dY.sum(axis=0)


@bug("linear_backward", "dX uses W instead of W.T")
def backward_dX_untransposed(dY, cache):
    X, W = cache
    return dY @ W, X.T @ dY, dY.sum(axis=0)


# --- shape_ledger ---------------------------------------------------------------------


@bug("shape_ledger", "dW written as (M, D), the shape of W transposed")
def ledger_dW_transposed(N, D, M):
    return {"X": (N, D), "W": (D, M), "b": (M,), "Y": (N, M),
            "dY": (N, M), "dW": (M, D), "db": (M,), "dX": (N, D)}


@bug("shape_ledger", "db given one entry per example")
def ledger_db_per_example(N, D, M):
    return {"X": (N, D), "W": (D, M), "b": (M,), "Y": (N, M),
            "dY": (N, M), "dW": (D, M), "db": (N, M), "dX": (N, D)}


@bug("shape_ledger", "column convention: X as (D, N) and Y as (M, N)")
def ledger_columns(N, D, M):
    return {"X": (D, N), "W": (D, M), "b": (M,), "Y": (M, N),
            "dY": (M, N), "dW": (D, M), "db": (M,), "dX": (D, N)}


@bug("shape_ledger", "hard-codes the shapes of the visible tests (N=5, D=3, M=2)",
     hidden_only="the answer is right for the visible tests' N=5, D=3, M=2 by construction; "
                 "only the hidden tests' other shapes expose it")
def ledger_hard_coded(N, D, M):
    return {"X": (5, 3), "W": (3, 2), "b": (2,), "Y": (5, 2),
            "dY": (5, 2), "dW": (3, 2), "db": (2,), "dX": (5, 3)}


# --- memory_bytes ---------------------------------------------------------------------


@bug("memory_bytes", "assumes 4 bytes per number whatever the dtype")
def memory_fixed_itemsize(N, D, M, dtype=np.float32):
    return {"parameters": (D * M + M) * 4, "activations": (N * D + N * M) * 4,
            "gradients": (N * M + N * D + D * M + M) * 4}


@bug("memory_bytes", "forgets the bias")
def memory_no_bias(N, D, M, dtype=np.float32):
    size = np.dtype(dtype).itemsize
    return {"parameters": D * M * size, "activations": (N * D + N * M) * size,
            "gradients": (N * M + N * D + D * M) * size}


@bug("memory_bytes", "counts numbers, not bytes")
def memory_counts_elements(N, D, M, dtype=np.float32):
    return {"parameters": D * M + M, "activations": N * D + N * M,
            "gradients": N * M + N * D + D * M + M}


@bug("memory_bytes", "activations for one example, not the batch")
def memory_no_batch(N, D, M, dtype=np.float32):
    size = np.dtype(dtype).itemsize
    return {"parameters": (D * M + M) * size, "activations": (D + M) * size,
            "gradients": (M + D + D * M + M) * size}
