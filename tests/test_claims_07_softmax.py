"""Every number step 07's prose and model answers quote, recomputed from the notebook.

Part 1 and the Summary quote where ``np.exp`` overflows and underflows in float32 and
float64; the Explore text and the written answer quote the effective logit scales at which
``log(softmax)`` and the naive form break on the panel's base logits, and how the fit
ends for several learning rates and temperatures; the concept check's answers are
recomputed with the notebook's functions.
"""

import math

import numpy as np
import pytest

from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("07_softmax")


def test_exp_overflow_and_underflow_thresholds():
    """"overflows ... above about 88.7 in float32 and 709.8 in float64", "underflows to
    exactly 0 below about -104 in float32 and -745 in float64"."""
    assert round(math.log(float(np.finfo(np.float32).max)), 1) == 88.7
    assert round(math.log(float(np.finfo(np.float64).max)), 1) == 709.8
    with np.errstate(over="ignore", under="ignore"):
        assert np.isfinite(np.exp(np.float32(88.7))) and np.isinf(np.exp(np.float32(88.75)))
        assert np.isfinite(np.exp(709.78)) and np.isinf(np.exp(709.79))
        assert np.exp(np.float32(-103.9)) > 0 and np.exp(np.float32(-104.0)) == 0
        assert np.exp(-745.1) > 0 and np.exp(-745.2) == 0


def first_failures(ns, dtype):
    """Smallest effective scale (on a fine grid) where log(softmax) has a non-finite entry,
    and where the naive form has no finite entry at all; and whether log_softmax ever fails."""
    s = np.linspace(1.0, 1000.0, 399601)
    Zs = (s[:, None] * ns["Z0"]).astype(dtype)
    lp, log_of_softmax, log_of_naive = ns["three_log_probs"](Zs)
    assert np.isfinite(lp).all()
    underflow = s[np.flatnonzero(~np.isfinite(log_of_softmax).all(axis=1))[0]]
    naive_same = s[np.flatnonzero(~np.isfinite(log_of_naive).all(axis=1))[0]]
    overflow = s[np.flatnonzero(~np.isfinite(log_of_naive).any(axis=1))[0]]
    return underflow, naive_same, overflow


def test_where_each_method_breaks_float32(ns):
    """float32: log(softmax) gives -inf from about 52, the naive form nan from about 88.7."""
    underflow, naive_same, overflow = first_failures(ns, "float32")
    assert round(underflow) == 52 and naive_same == underflow
    assert round(overflow, 1) == 88.7


def test_where_each_method_breaks_float64(ns):
    """float64: about 373 and 710."""
    underflow, _, overflow = first_failures(ns, "float64")
    assert round(underflow) == 373
    assert round(overflow) == 710


def test_sweep_covers_the_thresholds_and_log_softmax_never_fails(ns):
    """The middle plot sweeps 0.1 to 10 000, and log_softmax stays finite across it (both dtypes)."""
    sweep = ns["SWEEP"]
    assert sweep[0] == pytest.approx(0.1) and sweep[-1] == pytest.approx(1e4)
    for dtype in ("float32", "float64"):
        counts = ns["experiment"](dtype=dtype)["finite_counts"]
        assert np.all(counts[0] == 6)
        assert counts[2][-1] == 0 and counts[1][-1] < 6


def test_fit_claims(ns):
    """float64, normal init: lr=1 ends about 1e-7 above the minimum, lr=0.1 about 0.01;
    lr 2 to 5 reach the rounding level; from lr=8 on it ends no lower than it started."""
    ex = ns["experiment"]
    assert f"{ex(lr=1.0, dtype='float64')['excess'][-1]:.0e}" == "1e-07"
    assert round(ex(lr=0.1, dtype="float64")["excess"][-1], 2) == 0.01
    for lr in (2.0, 3.0, 4.0, 5.0):
        assert abs(ex(lr=lr, dtype="float64")["excess"][-1]) < 1e-11
    for lr in np.geomspace(8.0, 100.0, 25):
        run = ex(lr=float(lr), dtype="float64")
        assert run["excess"][-1] >= run["excess"][0], lr


def test_temperature_fit_claims(ns):
    """"at temperature = 0.1 ... still about 0.01 above its minimum, at temperature = 3
    about 1e-13"."""
    ex = ns["experiment"]
    assert round(ex(temperature=0.1, dtype="float64")["excess"][-1], 2) == 0.01
    assert f"{ex(temperature=3.0, dtype='float64')['excess'][-1]:.0e}" == "1e-13"


def test_explore_prints_the_default_fit(ns):
    run = ns["experiment"]()
    assert run["num_steps"] == 100 and len(run["excess"]) == 101


def test_concept_answers(ns):
    """{"log_softmax"} for float32 [50, 0, -60]; 89; softmax([4, 0])[0] = 0.982."""
    z32 = np.array([50.0, 0.0, -60.0], dtype=np.float32)
    finite = {name for name, lp in zip(ns["METHODS"], ns["three_log_probs"](z32))
              if np.isfinite(lp).all()}
    assert finite == ns["finite_methods"] == {"log_softmax"}
    with np.errstate(over="ignore"):
        k = next(k for k in range(80, 100) if np.isinf(np.exp(np.float32(k))))
    assert k == ns["float32_overflow_at"] == 89
    p = ns["softmax"](np.array([2.0, 0.0]) / 0.5)[0]
    assert round(p, 3) == 0.982 and p == pytest.approx(ns["p_first_at_half_temperature"])


def test_part_prose_examples(ns):
    """Part 1's check: [1000, 999] -> [0.7311, 0.2689]; Part 2: LSE([1000, 1000]) = 1000 + log 2;
    Part 3: log_softmax([0, -1000]) = [0, -1000] and log(softmax) gives -inf."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(ns["softmax"](np.array([1000.0, 999.0])), [0.7311, 0.2689], atol=5e-5)
        assert ns["logsumexp"](np.array([1000.0, 1000.0])) == pytest.approx(1000 + math.log(2))
        np.testing.assert_allclose(ns["log_softmax"](np.array([0.0, -1000.0])), [0.0, -1000.0])
    with np.errstate(divide="ignore"):
        assert np.log(ns["softmax"](np.array([0.0, -1000.0])))[1] == -np.inf
