"""Step 03 against PyTorch: activations (values and autograd gradients), initializers and
the collapse of two linear layers, all in float64.

The notebook's model solutions are reached through ``tests.nbns.namespace``. Every
activation runs under ``np.errstate(over="raise")``, so an overflow anywhere fails too.
"""

import zlib

import mpmath
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.nbns import namespace

TOL = dict(rtol=1e-6, atol=1e-6)
SHAPES = [(7,), (4, 5), (2, 3, 6)]

# name, keyword arguments of the forward, the PyTorch function, largest |x| tested
ACTIVATIONS = [
    ("relu", {}, F.relu, 1000.0),
    ("leaky_relu", {}, lambda t: F.leaky_relu(t, negative_slope=0.01), 1000.0),
    ("leaky_relu", {"alpha": 0.2}, lambda t: F.leaky_relu(t, negative_slope=0.2), 1000.0),
    ("sigmoid", {}, torch.sigmoid, 1000.0),
    ("tanh", {}, torch.tanh, 1000.0),
    ("gelu", {}, lambda t: F.gelu(t, approximate="none"), 1000.0),
    ("gelu_tanh", {}, lambda t: F.gelu(t, approximate="tanh"), 1000.0),
]
IDS = [f"{name}{''.join(f'-{k}={v}' for k, v in kw.items())}" for name, kw, _, _ in ACTIVATIONS]


@pytest.fixture(scope="module")
def ns():
    return namespace("03_activations")


def inputs(shape, seed, wide, largest):
    """Seeded inputs: moderate ones (with exact zeros), or spread out to +-largest."""
    rng = np.random.default_rng(seed)
    if wide:
        x = rng.uniform(-largest, largest, size=shape)
        edges = [-largest, largest, 0.0, -50.0, 50.0, -1e-3]
    else:
        x = 3.0 * rng.normal(size=shape)
        edges = [0.0, -0.5, 0.5]
    flat = x.reshape(-1)
    flat[: len(edges)] = edges[: flat.size]
    return x


def torch_value_and_grad(fn, x, dout):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = fn(xt)
    yt.backward(torch.tensor(dout, dtype=torch.float64))
    return yt.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize("wide", [False, True], ids=["moderate", "wide"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name,kwargs,fn,largest", ACTIVATIONS, ids=IDS)
def test_activation_matches_torch(ns, name, kwargs, fn, largest, shape, wide):
    seed = zlib.crc32(repr((name, kwargs, shape, wide)).encode())  # stable across runs
    x = inputs(shape, seed, wide, largest)
    dout = np.random.default_rng(seed + 1).normal(size=shape)
    with np.errstate(over="raise", invalid="raise"):
        out, cache = ns[f"{name}_forward"](x.copy(), **kwargs)
        dx = ns[f"{name}_backward"](dout.copy(), cache)
    out_ref, dx_ref = torch_value_and_grad(fn, x, dout)
    np.testing.assert_allclose(out, out_ref, **TOL, err_msg=f"{name} forward")
    np.testing.assert_allclose(dx, dx_ref, **TOL, err_msg=f"{name} backward")


def test_sigmoid_and_tanh_exact_limits(ns):
    x = np.array([-1000.0, 1000.0])
    with np.errstate(over="raise"):
        s, _ = ns["sigmoid_forward"](x)
        t, _ = ns["tanh_forward"](x)
    assert s.tolist() == torch.sigmoid(torch.tensor(x)).tolist() == [0.0, 1.0]
    assert t.tolist() == torch.tanh(torch.tensor(x)).tolist() == [-1.0, 1.0]


def _torch_weights(init, shape, **kw):
    torch.manual_seed(0)
    w = torch.empty(shape, dtype=torch.float64)
    init(w, **kw)
    return w.numpy()


INITS = [
    ("xavier_init", "normal", torch.nn.init.xavier_normal_, {}),
    ("xavier_init", "uniform", torch.nn.init.xavier_uniform_, {}),
    ("he_init", "normal", torch.nn.init.kaiming_normal_, {"mode": "fan_in", "nonlinearity": "relu"}),
    ("he_init", "uniform", torch.nn.init.kaiming_uniform_, {"mode": "fan_in", "nonlinearity": "relu"}),
]


@pytest.mark.parametrize("fan_in,fan_out", [(300, 500), (800, 200)])
@pytest.mark.parametrize("name,distribution,init,kw", INITS,
                         ids=[f"{n}-{d}" for n, d, _, _ in INITS])
def test_init_matches_torch(ns, name, distribution, init, kw, fan_in, fan_out):
    W = ns[name](fan_in, fan_out, np.random.default_rng(3), distribution=distribution)
    assert W.shape == (fan_in, fan_out)
    # PyTorch stores a layer's weight as (fan_out, fan_in)
    W_ref = _torch_weights(init, (fan_out, fan_in), **kw)
    np.testing.assert_allclose(W.std(), W_ref.std(), rtol=0.02)
    assert abs(W.mean()) < 0.05 * W_ref.std()
    if distribution == "uniform":
        np.testing.assert_allclose(np.abs(W).max(), np.abs(W_ref).max(), rtol=0.01)


@pytest.mark.parametrize("D,H,M", [(3, 5, 2), (6, 6, 6), (8, 1, 4)])
def test_collapse_linear_matches_torch_stack(ns, D, H, M):
    rng = np.random.default_rng(D * 100 + H * 10 + M)
    W1, b1 = rng.normal(size=(D, H)), rng.normal(size=H)
    W2, b2 = rng.normal(size=(H, M)), rng.normal(size=M)
    X = rng.normal(size=(9, D))
    stack = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.Linear(H, M)).double()
    with torch.no_grad():
        stack[0].weight.copy_(torch.tensor(W1.T))
        stack[0].bias.copy_(torch.tensor(b1))
        stack[1].weight.copy_(torch.tensor(W2.T))
        stack[1].bias.copy_(torch.tensor(b2))
        Y_ref = stack(torch.tensor(X)).numpy()
    W, b = ns["collapse_linear"](W1, b1, W2, b2)
    np.testing.assert_allclose(X @ W + b, Y_ref, rtol=1e-10, atol=1e-10)


def test_gelu_keeps_its_relative_accuracy_in_the_left_tail(ns):
    """PyTorch's CPU GELU computes 1 + erf and returns -0.0 at x = -10; the notebook's GELU
    must keep its digits there. Reference: 50-digit mpmath, down to x = -37 (below about
    -38.5 Phi(x) underflows float64)."""
    mpmath.mp.dps = 50
    x = np.concatenate([np.linspace(-37.0, -4.0, 34), [-5.5, -7.25, -0.5, 2.0]])
    with np.errstate(over="raise", invalid="raise"):
        out, cache = ns["gelu_forward"](x.copy())
        dx = ns["gelu_backward"](np.ones_like(x), cache)
    ref = np.array([float(mpmath.mpf(v) * mpmath.ncdf(v)) for v in x])
    dref = np.array([float(mpmath.ncdf(v) + mpmath.mpf(v) * mpmath.npdf(v)) for v in x])
    # erfc(t) is ill-conditioned for large t: rounding t = -x / sqrt(2) alone costs about
    # 2 t**2 ulp, up to 1e-13 relative at x = -37
    np.testing.assert_allclose(out, ref, rtol=1e-11, atol=0)
    np.testing.assert_allclose(dx, dref, rtol=1e-11, atol=0)
