"""Typical mistakes in step 03 (activations and initialization). Each function is one
wrong hand-in; the notebook's Setup provides ``np``, ``math`` and ``erf``."""

import math

import numpy as np

from tests.buggy import bug

erf = np.vectorize(math.erf, otypes=[float])  # as in the notebook's Setup


# --- relu_forward ---------------------------------------------------------------------


@bug("relu_forward", "np.max(x, 0) (a reduction over axis 0) instead of np.maximum(x, 0)")
def relu_max_reduction(x):
    out = np.max(x, 0)
    return out, x


@bug("relu_forward", "clips in place, overwriting the caller's x (and the cache)")
def relu_in_place(x):
    np.maximum(x, 0, out=x)
    return x, x


@bug("relu_forward", "caches the output instead of the input")
def relu_caches_output(x):
    out = np.maximum(x, 0)
    return out, out


# --- relu_backward --------------------------------------------------------------------


@bug("relu_backward", "returns the mask and forgets dout")
def relu_backward_no_dout(dout, cache):
    x = cache
    return (x > 0).astype(float)


@bug("relu_backward", "masks on dout > 0 instead of x > 0")
def relu_backward_mask_dout(dout, cache):
    return dout * (dout > 0)


@bug("relu_backward", "x >= 0: passes the gradient at exactly 0")
def relu_backward_ge(dout, cache):
    x = cache
    return dout * (x >= 0)


# --- leaky_relu_forward ---------------------------------------------------------------


@bug("leaky_relu_forward", "hard-codes 0.01 and ignores alpha")
def leaky_fixed_alpha(x, alpha=0.01):
    return np.where(x > 0, x, 0.01 * x), (x, alpha)


@bug("leaky_relu_forward", "puts the slope alpha on the positive side")
def leaky_alpha_wrong_side(x, alpha=0.01):
    return np.where(x > 0, alpha * x, x), (x, alpha)


@bug("leaky_relu_forward", "caches x alone, without alpha")
def leaky_caches_x_only(x, alpha=0.01):
    return np.where(x > 0, x, alpha * x), x


# --- leaky_relu_backward --------------------------------------------------------------


@bug("leaky_relu_backward", "slope 0 on the negative side (the ReLU derivative)")
def leaky_backward_relu(dout, cache):
    x, alpha = cache
    return dout * (x > 0)


@bug("leaky_relu_backward", "hard-codes 0.01 instead of the cached alpha")
def leaky_backward_fixed_alpha(dout, cache):
    x, alpha = cache
    return np.where(x > 0, dout, 0.01 * dout)


@bug("leaky_relu_backward", "x >= 0: slope 1 at exactly 0")
def leaky_backward_ge(dout, cache):
    x, alpha = cache
    return np.where(x >= 0, dout, alpha * dout)


# --- sigmoid_forward ------------------------------------------------------------------


@bug("sigmoid_forward", "the naive 1 / (1 + exp(-x)): overflows at x = -1000")
def sigmoid_naive(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


@bug("sigmoid_forward", "both branches inside np.where: exp still overflows")
def sigmoid_where_both_branches(x):
    out = np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
    return out, out


@bug("sigmoid_forward", "exp(x) / (1 + exp(x)) for every x: nan at x = 1000")
def sigmoid_exp_ratio(x):
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.exp(x) / (1 + np.exp(x))
    return out, out


@bug("sigmoid_forward", "caches x instead of the output")
def sigmoid_caches_x(x):
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return out, x


# --- sigmoid_backward -----------------------------------------------------------------


@bug("sigmoid_backward", "forgets dout")
def sigmoid_backward_no_dout(dout, cache):
    out = cache
    return out * (1 - out)


@bug("sigmoid_backward", "treats the cache as x and applies the sigmoid again")
def sigmoid_backward_recompute(dout, cache):
    s = 1 / (1 + np.exp(-cache))
    return dout * s * (1 - s)


@bug("sigmoid_backward", "drops a factor: dout * (1 - out)")
def sigmoid_backward_one_factor(dout, cache):
    out = cache
    return dout * (1 - out)


# --- tanh_forward ---------------------------------------------------------------------


@bug("tanh_forward", "the textbook quotient: overflows, inf / inf = nan at x = 1000")
def tanh_naive(x):
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out


@bug("tanh_forward", "2 * sigmoid(x) - 1, forgetting the 2 inside (that is tanh(x / 2))")
def tanh_half_argument(x):
    z = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    out = 2 * s - 1
    return out, out


@bug("tanh_forward", "caches x instead of the output")
def tanh_caches_x(x):
    return np.tanh(x), x


# --- tanh_backward --------------------------------------------------------------------


@bug("tanh_backward", "forgets the square: 1 - out")
def tanh_backward_no_square(dout, cache):
    out = cache
    return dout * (1 - out)


@bug("tanh_backward", "treats the cache as x and applies tanh again")
def tanh_backward_recompute(dout, cache):
    return dout * (1 - np.tanh(cache) ** 2)


@bug("tanh_backward", "forgets dout")
def tanh_backward_no_dout(dout, cache):
    out = cache
    return 1 - out**2


# --- gelu_forward ---------------------------------------------------------------------


@bug("gelu_forward", "uses the tanh approximation instead of the exact form")
def gelu_uses_tanh(x):
    u = np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)
    return 0.5 * x * (1 + np.tanh(u)), x


@bug("gelu_forward", "erf(x) instead of erf(x / sqrt(2))")
def gelu_no_sqrt2(x):
    return x * 0.5 * (1 + erf(x)), x


@bug("gelu_forward", "the sigmoid approximation x * sigmoid(1.702 x)")
def gelu_sigmoid_approx(x):
    z = np.exp(-np.abs(1.702 * x))
    s = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return x * s, x


@bug("gelu_forward", "0.5 * (1 + erf(x / sqrt(2))): cancels to 0 far on the negative side")
def gelu_cancels(x):
    Phi = 0.5 * (1 + erf(x / np.sqrt(2)))
    return x * Phi, x


@bug("gelu_forward", "caches the output instead of x")
def gelu_caches_output(x):
    out = x * 0.5 * (1 + erf(x / np.sqrt(2)))
    return out, out


# --- gelu_backward --------------------------------------------------------------------


@bug("gelu_backward", "forgets the product rule: Phi(x) only, no x * phi(x)")
def gelu_backward_no_product_rule(dout, cache):
    x = cache
    return dout * 0.5 * (1 + erf(x / np.sqrt(2)))


@bug("gelu_backward", "density without its 1 / sqrt(2 pi)")
def gelu_backward_unnormalised(dout, cache):
    x = cache
    Phi = 0.5 * (1 + erf(x / np.sqrt(2)))
    return dout * (Phi + x * np.exp(-0.5 * x**2))


@bug("gelu_backward", "forgets dout")
def gelu_backward_no_dout(dout, cache):
    x = cache
    Phi = 0.5 * (1 + erf(x / np.sqrt(2)))
    return Phi + x * np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)


# --- xavier_init ----------------------------------------------------------------------


@bug("xavier_init", "LeCun's std 1 / sqrt(fan_in) instead of sqrt(2 / (fan_in + fan_out))")
def xavier_lecun(fan_in, fan_out, rng, distribution="normal"):
    std = 1 / np.sqrt(fan_in)
    if distribution == "normal":
        return rng.normal(0, std, size=(fan_in, fan_out))
    return rng.uniform(-np.sqrt(3) * std, np.sqrt(3) * std, size=(fan_in, fan_out))


@bug("xavier_init", "uses the variance as the std (no square root)")
def xavier_variance_as_std(fan_in, fan_out, rng, distribution="normal"):
    var = 2 / (fan_in + fan_out)
    if distribution == "normal":
        return rng.normal(0, var, size=(fan_in, fan_out))
    a = np.sqrt(3 * var)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@bug("xavier_init", "shape (fan_out, fan_in): the PyTorch weight layout")
def xavier_transposed(fan_in, fan_out, rng, distribution="normal"):
    var = 2 / (fan_in + fan_out)
    if distribution == "normal":
        return rng.normal(0, np.sqrt(var), size=(fan_out, fan_in))
    a = np.sqrt(3 * var)
    return rng.uniform(-a, a, size=(fan_out, fan_in))


@bug("xavier_init", "uniform bound set to the normal std (variance three times too small)")
def xavier_uniform_bound_std(fan_in, fan_out, rng, distribution="normal"):
    std = np.sqrt(2 / (fan_in + fan_out))
    if distribution == "normal":
        return rng.normal(0, std, size=(fan_in, fan_out))
    return rng.uniform(-std, std, size=(fan_in, fan_out))


@bug("xavier_init", "'normal' drawn uniform with the right std: not a Gaussian")
def xavier_normal_is_uniform(fan_in, fan_out, rng, distribution="normal"):
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@bug("xavier_init", "ignores the distribution argument (always normal)")
def xavier_always_normal(fan_in, fan_out, rng, distribution="normal"):
    return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


@bug("xavier_init", "draws from np.random instead of the rng it is given")
def xavier_global_random(fan_in, fan_out, rng, distribution="normal"):
    var = 2 / (fan_in + fan_out)
    if distribution == "normal":
        return np.random.normal(0, np.sqrt(var), size=(fan_in, fan_out))
    a = np.sqrt(3 * var)
    return np.random.uniform(-a, a, size=(fan_in, fan_out))


# --- he_init --------------------------------------------------------------------------


@bug("he_init", "std sqrt(1 / fan_in): the ReLU factor 2 forgotten")
def he_no_factor_two(fan_in, fan_out, rng, distribution="normal"):
    var = 1 / fan_in
    if distribution == "normal":
        return rng.normal(0, np.sqrt(var), size=(fan_in, fan_out))
    a = np.sqrt(3 * var)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@bug("he_init", "divides by fan_out instead of fan_in")
def he_fan_out(fan_in, fan_out, rng, distribution="normal"):
    var = 2 / fan_out
    if distribution == "normal":
        return rng.normal(0, np.sqrt(var), size=(fan_in, fan_out))
    a = np.sqrt(3 * var)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@bug("he_init", "uniform bound sqrt(2 / fan_in), the normal std")
def he_uniform_bound_std(fan_in, fan_out, rng, distribution="normal"):
    std = np.sqrt(2 / fan_in)
    if distribution == "normal":
        return rng.normal(0, std, size=(fan_in, fan_out))
    return rng.uniform(-std, std, size=(fan_in, fan_out))


@bug("he_init", "shape (fan_out, fan_in)")
def he_transposed(fan_in, fan_out, rng, distribution="normal"):
    var = 2 / fan_in
    if distribution == "normal":
        return rng.normal(0, np.sqrt(var), size=(fan_out, fan_in))
    a = np.sqrt(3 * var)
    return rng.uniform(-a, a, size=(fan_out, fan_in))


@bug("he_init", "a fresh unseeded generator instead of the rng it is given")
def he_fresh_generator(fan_in, fan_out, rng, distribution="normal"):
    rng = np.random.default_rng()
    var = 2 / fan_in
    if distribution == "normal":
        return rng.normal(0, np.sqrt(var), size=(fan_in, fan_out))
    a = np.sqrt(3 * var)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


# --- collapse_linear ------------------------------------------------------------------


@bug("collapse_linear", "adds the biases: b = b1 + b2")
def collapse_add_biases(W1, b1, W2, b2):
    return W1 @ W2, b1 + b2


@bug("collapse_linear", "multiplies the weights in the wrong order: W2 @ W1")
def collapse_wrong_order(W1, b1, W2, b2):
    return W2 @ W1, b1 @ W2 + b2


@bug("collapse_linear", "forgets b2: b = b1 @ W2")
def collapse_forgets_b2(W1, b1, W2, b2):
    return W1 @ W2, b1 @ W2


@bug("collapse_linear", "forgets that b1 goes through W2: b = b2")
def collapse_forgets_b1(W1, b1, W2, b2):
    return W1 @ W2, b2
