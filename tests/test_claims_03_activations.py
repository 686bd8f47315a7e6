"""Every number step 03 quotes, recomputed: the printed expectations of its check cells,
the cancellation of 1 + erf in Part 3, and what the deep-stack Explore panel shows in the
prose and in the model answer of the written practice.

The notebook's model solution and its ``experiment`` come from ``tests.nbns.namespace``.
"""

import math
import re

import numpy as np
import pytest
import torch

from course.gradcheck import numerical_gradient, rel_error
from tests import gradecycle as gc
from tests.conftest import ROOT
from tests.nbns import namespace

STEP = "03_activations"


@pytest.fixture(scope="module")
def ns():
    return namespace(STEP)


@pytest.fixture(scope="module")
def ex(ns):
    return ns["experiment"]


def markdown(grade_id=None):
    """The notebook's markdown, or one markdown cell's, as a single string."""
    nb = gc.read(gc.notebook_path(ROOT, "source", STEP))
    cells = [c for c in nb.cells if c.cell_type == "markdown"
             and (grade_id is None or gc.meta(c).get("grade_id") == grade_id)]
    assert cells
    return " ".join(" ".join(c.source for c in cells).split())  # one space between words


# --- printed expectations ---------------------------------------------------------------

ARRAY_LINE = re.compile(r":\s*(\[[^\]]*\])\s*\(expect (\[[^\]]*\])\)")


def numbers(text):
    return np.array([float(v) for v in text.strip("[]").split()])


def test_printed_array_expectations_match_the_model_solution(ns):
    """Every "out: [...] (expect [...])" line prints what it expects, to the digits shown."""
    found = 0
    for index, text in ns["__stdout__"].items():
        for got, want in ARRAY_LINE.findall(text):
            found += 1
            got, want = numbers(got), numbers(want)
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-8,
                                       err_msg=f"cell {index}: {text.strip()}")
    assert found >= 5, "the ReLU, leaky ReLU, sigmoid, tanh and GELU checks print expectations"


def test_gelu_expectation_is_the_exact_gelu_to_eight_decimals(ns):
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    exact = [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x]
    printed = [-0.00404969, -0.15865525, 0.0, 0.84134475, 2.99595031]
    np.testing.assert_allclose(np.round(exact, 8), printed, rtol=0, atol=0)
    np.testing.assert_allclose(ns["gelu_forward"](x)[0], exact, rtol=1e-15, atol=1e-17)
    out = ns["gelu_forward"](np.array([-10.0]))[0][0]
    assert f"{out:.6e}" == "-7.619853e-23"


# --- Part 3: cancellation ----------------------------------------------------------------


def plain_gelu(x):
    erf = np.vectorize(math.erf, otypes=[float])
    return x * 0.5 * (1 + erf(x / np.sqrt(2))), x


def test_cancellation_numbers_in_part_3():
    text = markdown()
    plain = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    stable = lambda x: 0.5 * math.erfc(-x / math.sqrt(2))  # noqa: E731
    # "Phi(-8) ~ 6.22e-16 comes out as 6.11e-16 ... Phi(-9) ~ 1.1e-19 as exactly 0"
    assert "6.22 \\times 10^{-16}" in text and "6.11 \\times 10^{-16}" in text
    assert f"{stable(-8):.2e}" == "6.22e-16" and f"{plain(-8):.2e}" == "6.11e-16"
    assert f"{stable(-9):.1e}" == "1.1e-19" and plain(-9) == 0.0
    # near 1 a float64 cannot resolve anything below about 1e-16
    assert 1e-16 < np.spacing(1.0) < 1e-15
    # "the true slope of GELU is only -3.5e-8 at x = -6 and -6.3e-11 at x = -7"
    slope = lambda x: stable(x) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    assert f"{slope(-6):.1e}" == "-3.5e-08" and f"{slope(-7):.1e}" == "-6.3e-11"
    # "an error of 1e-16 into one of about 1e-10": divided by 2h = 2e-6
    assert math.isclose(1e-16 / 2e-6, 5e-11)
    # "PyTorch ... returns -0 for gelu(-10), whose true value is about -7.6e-23"
    t = torch.nn.functional.gelu(torch.tensor([-10.0], dtype=torch.float64)).item()
    assert t == 0.0 and math.copysign(1, t) == -1
    assert f"{-10 * stable(-10):.1e}" == "-7.6e-23"


def test_plain_gelu_fails_the_gradient_check_with_about_2e_3(ns):
    """With 1 + erf, the check after gelu_backward reports about 2e-3 for a correct derivative."""
    x = np.linspace(-6.0, 3.0, 24).reshape(4, 6)
    dout = np.random.default_rng(1).normal(size=x.shape)
    dx = ns["gelu_backward"](dout, x.copy())
    error = rel_error(dx, numerical_gradient(lambda: plain_gelu(x)[0], x, dout))
    assert 1e-3 < error < 3e-3
    assert ns["gradient_check"](ns["gelu_forward"], ns["gelu_backward"], x) < 1e-9


def test_tanh_approximation_gap_is_about_5e_4(ns):
    x = np.linspace(-4, 4, 801)
    gap = np.max(np.abs(ns["gelu_tanh_forward"](x)[0] - ns["gelu_forward"](x)[0]))
    assert 4e-4 < gap < 6e-4


def test_cosh_squared_overflows_for_x_above_about_21():
    """The bonus: np.cosh(u) ** 2 overflows once |u| > 355, i.e. for |x| above about 21."""
    u = lambda x: math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)  # noqa: E731
    with np.errstate(over="ignore"):
        assert np.isinf(np.cosh(356.0) ** 2) and np.isfinite(np.cosh(355.0) ** 2)
    assert u(21) < 355 < u(21.5)
    assert "$|u| > 355$" in markdown() and "above about 21" in markdown()


# --- Explore: the deep stack -------------------------------------------------------------


def ratios(ex, seeds=range(10), **kw):
    return np.array([(lambda s: s[-1] / s[0])(ex(seed=k, **kw)["act_std"]) for k in seeds])


def test_relu_xavier_shrinks_by_about_one_over_sqrt2_per_layer(ex):
    """0.68 on average in the default run, from 0.59 at layer 1 to 0.0004 at layer 20."""
    std = ex(init="xavier")["act_std"]
    assert len(std) == 20
    assert f"{std[0]:.2f}" == "0.59" and f"{std[-1]:.4f}" == "0.0004"
    per_layer = (std[-1] / std[0]) ** (1 / 19)
    assert f"{per_layer:.2f}" == "0.68"
    assert abs(per_layer - 1 / math.sqrt(2)) < 0.05


def test_relu_he_single_run_and_seeds(ex):
    """Default run 0.84 -> 0.40; seeds 0 to 9 end between 0.46 and 1.03 times their start,
    never near xavier's 1e-3."""
    std = ex()["act_std"]
    assert f"{std[0]:.2f}" == "0.84" and f"{std[-1]:.2f}" == "0.40"
    r = ratios(ex)
    assert f"{r.min():.2f}" == "0.46" and f"{r.max():.2f}" == "1.03"
    assert np.median(r) < 0.9  # "tends to drift down a little"
    assert ratios(ex, init="xavier").max() < 2e-3


def test_he_keeps_the_average_squared_factor_at_1(ex):
    """"He makes the average of the squared factor 1": the second moment of the activations,
    layer over layer, averaged over 20 seeds and 19 layer pairs."""
    factors = []
    for seed in range(20):
        r = ex(seed=seed)
        moment = r["act_std"] ** 2 + r["act_mean"] ** 2  # E[h^2] over the batch and units
        factors.append(moment[1:] / moment[:-1])
    assert abs(np.mean(factors) - 1) < 0.05
    xavier = ex(init="xavier")
    moment = xavier["act_std"] ** 2 + xavier["act_mean"] ** 2
    assert abs(np.mean(moment[1:] / moment[:-1]) - 0.5) < 0.1  # half per layer with xavier


def test_sigmoid_xavier_gradients_vanish(ex):
    """About 1e-2 at the top, about 1e-14 at layer 1; outputs with mean about 0.5."""
    result = ex(init="xavier", activation="sigmoid")
    grad = result["grad_std"]
    assert 0.5e-2 < grad[-1] < 2e-2 and 0.5e-14 < grad[0] < 5e-14
    assert np.all(np.abs(result["act_mean"] - 0.5) < 0.05)
    tanh = ex(init="xavier", activation="tanh")["grad_std"]
    assert tanh[0] > 1e-3  # tanh keeps the gradient far better


def test_sigmoid_large_normal_weights_flatten_three_quarters(ex):
    flat = ex(init="normal", scale=3.0, activation="sigmoid")["flat"]
    assert len(flat) == 20 and 0.7 < flat.mean() < 0.8


def test_one_large_step_kills_relu_units(ex):
    """lr = 1 leaves half or more of the units of layers 7 to 20 dead; at most 31 % before."""
    assert 0.4 < ex()["flat"].mean() < 0.6  # "about half the entries pass no gradient"
    result = ex(lr=1.0)
    assert result["dead_after"][6:].min() >= 0.5
    assert f"{result['dead'].max():.2f}" == "0.31"


def test_gelu_he_shrinks(ex):
    """Default run 0.86 -> 0.019 (about 45 times); seeds 0 to 9 all shrink, by 2.5 to 85 times;
    no dead units in the default run."""
    result = ex(activation="gelu")
    std = result["act_std"]
    assert f"{std[0]:.2f}" == "0.86" and f"{std[-1]:.3f}" == "0.019"
    assert 40 < std[0] / std[-1] < 50
    shrink = 1 / ratios(ex, activation="gelu")
    assert shrink.min() > 1
    assert round(shrink.min(), 1) == 2.5 and 80 < shrink.max() < 90
    assert result["dead"].max() == 0


def test_gelu_is_about_x_over_2_near_0(ns):
    """Near 0 GELU keeps about a quarter of the second moment, ReLU half."""
    z = np.random.default_rng(0).normal(size=200_000) * 0.01
    gelu = ns["gelu_forward"](z)[0]
    assert abs(np.mean(gelu**2) / np.mean(z**2) - 0.25) < 0.01
    relu = np.maximum(z, 0)
    assert abs(np.mean(relu**2) / np.mean(z**2) - 0.5) < 0.01


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "sigmoid", "tanh", "gelu", "gelu_tanh"])
def test_zero_init_makes_every_unit_a_copy(ex, activation):
    """zeros: one distinct unit out of 64 in every layer, the gradient exactly 0 below the top
    layer, so the step changes nothing below the top; only sigmoid (f(0) = 0.5) moves the top."""
    result = ex(init="zeros", activation=activation)
    assert np.all(result["distinct"] == 1 / 64)
    assert np.all(result["act_std"] == 0)
    assert np.sum(result["grad_std"] == 0) == 19 and result["grad_std"][-1] > 0
    assert np.all(result["step_norm"][:-1] == 0)
    assert np.all(result["distinct_after"][:-1] == 1 / 64)
    if activation == "sigmoid":
        assert result["step_norm"][-1] > 0
        assert np.all(result["act_mean"] == 0.5)
    else:
        assert result["step_norm"][-1] == 0
        assert np.all(result["act_mean"] == 0)
    assert np.all(ex(init="zeros", activation=activation, lr=10.0)["step_norm"][:-1] == 0)


def test_prose_quotes_the_numbers_the_tests_check():
    text = markdown()
    for quoted in ["0.68 on average", "0.59", "0.0004", "0.84 at layer 1 to 0.40", "between 0.46 and 1.03"]:
        assert quoted in text, quoted
    answer = markdown("practice_failure_modes")
    for quoted in ["0.86 at layer 1", "0.019 at layer 20", "about 45 times", "by 2.5 to 85",
                   "layers 7 to 20 dead", "31 %", "0.84 at layer 1, 0.40 at layer 20",
                   "three quarters", "$10^{-14}$"]:
        assert quoted in answer, quoted
