"""Correct ways to write step 03's functions other than the model solution. Each must score
full marks (see tests/alternatives/__init__.py). The notebook's Setup provides ``np``,
``math``, ``erf`` and ``erfc``; a learner's function may also call their own functions of
earlier parts (``sigmoid_forward`` in a tanh)."""

import math

import numpy as np

from tests.alternatives import alternative

erf = np.vectorize(math.erf, otypes=[float])  # as in the notebook's Setup
erfc = np.vectorize(math.erfc, otypes=[float])


def sigmoid_forward(x):  # the notebook's own, for the tanh written with it
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    return out, out


# --- relu_forward ---------------------------------------------------------------------


@alternative("relu_forward", "np.where(x > 0, x, 0.0)")
def relu_where(x):
    return np.where(x > 0, x, 0.0), x


@alternative("relu_forward", "x times the mask x > 0 (-0.0 on the negative side)")
def relu_mask_product(x):
    out = x * (x > 0)
    return out, x


@alternative("relu_forward", "np.clip(x, 0, None)")
def relu_clip(x):
    return np.clip(x, 0.0, None), x


# --- relu_backward --------------------------------------------------------------------


@alternative("relu_backward", "np.where(x > 0, dout, 0.0)")
def relu_backward_where(dout, cache):
    x = cache
    return np.where(x > 0, dout, 0.0)


@alternative("relu_backward", "np.heaviside(x, 0.0) as the slope, 0 at exactly 0")
def relu_backward_heaviside(dout, cache):
    x = cache
    return dout * np.heaviside(x, 0.0)


# --- leaky_relu_forward ---------------------------------------------------------------


@alternative("leaky_relu_forward", "np.maximum(x, alpha * x), valid for 0 <= alpha < 1")
def leaky_maximum(x, alpha=0.01):
    return np.maximum(x, alpha * x), (x, alpha)


@alternative("leaky_relu_forward", "x times a slope array: 1 where x > 0, alpha elsewhere")
def leaky_slope_product(x, alpha=0.01):
    slope = np.where(x > 0, 1.0, alpha)
    return x * slope, (x, alpha)


@alternative("leaky_relu_forward", "a Python loop over the entries")
def leaky_loop(x, alpha=0.01):
    out = np.empty_like(x)
    flat_in, flat_out = x.reshape(-1), out.reshape(-1)
    for k in range(flat_in.size):
        v = flat_in[k]
        flat_out[k] = v if v > 0 else alpha * v
    return out, (x, alpha)


# --- leaky_relu_backward --------------------------------------------------------------


@alternative("leaky_relu_backward", "dout times a slope array: 1 where x > 0, alpha elsewhere")
def leaky_backward_slope(dout, cache):
    x, alpha = cache
    return dout * np.where(x > 0, 1.0, alpha)


@alternative("leaky_relu_backward", "the two sides as masks added: dout (x > 0) + alpha dout (x <= 0)")
def leaky_backward_masks(dout, cache):
    x, alpha = cache
    return dout * (x > 0) + alpha * dout * (x <= 0)


# --- sigmoid_forward ------------------------------------------------------------------


@alternative("sigmoid_forward", "the tanh identity 0.5 (1 + tanh(x / 2)); np.tanh never overflows")
def sigmoid_tanh_identity(x):
    out = 0.5 * (1.0 + np.tanh(0.5 * x))
    return out, out


@alternative("sigmoid_forward", "exp(-log(1 + exp(-x))) with np.logaddexp(0, -x), which never overflows")
def sigmoid_logaddexp(x):
    out = np.exp(-np.logaddexp(0.0, -x))
    return out, out


@alternative("sigmoid_forward", "boolean masks: each branch computed only where it is stable")
def sigmoid_masks(x):
    out = np.empty_like(x, dtype=float)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out, out


# --- sigmoid_backward -----------------------------------------------------------------


@alternative("sigmoid_backward", "dout * (out - out**2)")
def sigmoid_backward_expanded(dout, cache):
    out = cache
    return dout * (out - out**2)


@alternative("sigmoid_backward", "dout * (1/4 - (out - 1/2)**2), the same parabola")
def sigmoid_backward_parabola(dout, cache):
    out = cache
    return dout * (0.25 - (out - 0.5) ** 2)


# --- tanh_forward ---------------------------------------------------------------------


@alternative("tanh_forward", "2 sigmoid(2x) - 1 with the learner's own stable sigmoid_forward")
def tanh_from_sigmoid(x):
    s, _ = sigmoid_forward(2.0 * x)
    out = 2.0 * s - 1.0
    return out, out


@alternative("tanh_forward", "np.where on the sign, z = exp(-2|x|) computed once")
def tanh_where(x):
    z = np.exp(-2.0 * np.abs(x))
    out = np.where(x >= 0, (1.0 - z) / (1.0 + z), (z - 1.0) / (1.0 + z))
    return out, out


@alternative("tanh_forward", "-expm1(-2|x|) / (2 + expm1(-2|x|)), accurate near 0 too")
def tanh_expm1(x):
    m = np.expm1(-2.0 * np.abs(x))  # in (-1, 0]
    out = np.sign(x) * (-m) / (2.0 + m)
    return out, out


# --- tanh_backward --------------------------------------------------------------------


@alternative("tanh_backward", "dout * (1 - out) * (1 + out)")
def tanh_backward_factored(dout, cache):
    out = cache
    return dout * (1.0 - out) * (1.0 + out)


@alternative("tanh_backward", "dout - dout * out**2")
def tanh_backward_expanded(dout, cache):
    out = cache
    return dout - dout * out * out


# --- gelu_forward ---------------------------------------------------------------------


@alternative("gelu_forward", "a Python loop with math.erfc")
def gelu_loop(x):
    flat = [v * 0.5 * math.erfc(-v / math.sqrt(2.0)) for v in np.ravel(x).tolist()]
    return np.array(flat, dtype=float).reshape(np.shape(x)), x


@alternative("gelu_forward", "piecewise: 1 + erf for x >= 0 (no cancellation there), erfc below")
def gelu_piecewise(x):
    t = x / np.sqrt(2.0)
    Phi = np.where(x >= 0, 0.5 * (1.0 + erf(t)), 0.5 * erfc(-t))
    return x * Phi, x


# --- gelu_backward --------------------------------------------------------------------


@alternative("gelu_backward", "a Python loop with math.erfc and math.exp")
def gelu_backward_loop(dout, cache):
    x = cache
    slope = [0.5 * math.erfc(-v / math.sqrt(2.0)) + v * math.exp(-0.5 * v * v) / math.sqrt(2.0 * math.pi)
             for v in np.ravel(x).tolist()]
    return dout * np.array(slope, dtype=float).reshape(np.shape(x))


@alternative("gelu_backward", "piecewise Phi as in the forward, the density from np.exp(-x*x/2)")
def gelu_backward_piecewise(dout, cache):
    x = cache
    t = x / np.sqrt(2.0)
    Phi = np.where(x >= 0, 0.5 * (1.0 + erf(t)), 0.5 * erfc(-t))
    phi = np.exp(-x * x / 2.0) * (1.0 / math.sqrt(2.0 * math.pi))
    return dout * Phi + dout * x * phi


# --- collapse_linear ------------------------------------------------------------------


@alternative("collapse_linear", "np.einsum for both products")
def collapse_einsum(W1, b1, W2, b2):
    W = np.einsum("dh,hm->dm", W1, W2)
    b = np.einsum("h,hm->m", b1, W2) + b2
    return W, b


@alternative("collapse_linear", "push the identity and a zero input through the stack")
def collapse_probe(W1, b1, W2, b2):
    D = W1.shape[0]
    b = (np.zeros(D) @ W1 + b1) @ W2 + b2  # the stack at X = 0
    W = (np.eye(D) @ W1 + b1) @ W2 + b2 - b  # row d: the stack at e_d, minus the offset
    return W, b


@alternative("collapse_linear", "Python loops over the entries")
def collapse_loops(W1, b1, W2, b2):
    D, H = W1.shape
    M = W2.shape[1]
    W = np.zeros((D, M))
    b = np.array(b2, dtype=float)
    for m in range(M):
        for h in range(H):
            b[m] += b1[h] * W2[h, m]
            for d in range(D):
                W[d, m] += W1[d, h] * W2[h, m]
    return W, b


# --- xavier_init ----------------------------------------------------------------------


@alternative("xavier_init", "std * rng.standard_normal and a * (2 rng.random - 1)")
def xavier_standard(fan_in, fan_out, rng, distribution="normal"):
    std = math.sqrt(2.0 / (fan_in + fan_out))
    if distribution == "uniform":
        a = math.sqrt(3.0) * std
        return a * (2.0 * rng.random((fan_in, fan_out)) - 1.0)
    return std * rng.standard_normal((fan_in, fan_out))


@alternative("xavier_init", "drawn as (fan_out, fan_in), PyTorch's layout, then transposed")
def xavier_transposed_draw(fan_in, fan_out, rng, distribution="normal"):
    var = 2.0 / (fan_in + fan_out)
    if distribution == "normal":
        return rng.normal(0.0, np.sqrt(var), size=(fan_out, fan_in)).T
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(low=-a, high=a, size=(fan_out, fan_in)).T


# --- he_init --------------------------------------------------------------------------


@alternative("he_init", "std * rng.standard_normal and a * (2 rng.random - 1)")
def he_standard(fan_in, fan_out, rng, distribution="normal"):
    std = math.sqrt(2.0 / fan_in)
    if distribution == "uniform":
        a = math.sqrt(6.0 / fan_in)
        return a * (2.0 * rng.random((fan_in, fan_out)) - 1.0)
    return std * rng.standard_normal((fan_in, fan_out))


@alternative("he_init", "one row per input unit, drawn in a loop from the same rng")
def he_rows(fan_in, fan_out, rng, distribution="normal"):
    std = np.sqrt(2.0 / fan_in)
    rows = []
    for _ in range(fan_in):
        if distribution == "normal":
            rows.append(rng.normal(0.0, std, size=fan_out))
        else:
            rows.append(rng.uniform(-np.sqrt(3.0) * std, np.sqrt(3.0) * std, size=fan_out))
    return np.array(rows)
