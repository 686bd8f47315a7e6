"""Every number and claim step 02's prose (and ``course.toy.blobs``' docstring) states about
the Explore panel, the checks and the concept answers, recomputed."""

import numpy as np
import pytest

from course.init import SCHEMES
from course.toy import blobs, logic_gate
from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("02_perceptron")


def _hull(points):
    """Convex hull of 2-D points, counter-clockwise (Andrew's monotone chain)."""
    pts = sorted(map(tuple, points))
    if len(pts) <= 2:
        return np.array(pts)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def separable(X, y):
    """True when a line puts class 0 strictly on one side and class 1 on the other: two
    convex hulls are disjoint exactly when an edge normal of one of them separates them."""
    A, B = X[y == 0], X[y == 1]
    for hull in (_hull(A), _hull(B)):
        for i in range(len(hull)):
            edge = hull[(i + 1) % len(hull)] - hull[i]
            normal = np.array([-edge[1], edge[0]])
            a, b = A @ normal, B @ normal
            if a.max() < b.min() or b.max() < a.min():
                return True
    return False


def test_separable_agrees_with_the_perceptron(ns):
    """The hull test says what a long perceptron run says (the theorem: separable <=> fit)."""
    verdicts = []
    for seed in range(6):  # at margin -0.1 seeds 2 and 5 are separable, the others not
        X, y = blobs(N=60, margin=-0.1, seed=seed)
        _, _, mistakes = ns["perceptron_train"](X, y, 1.0, 2000, np.zeros(2), 0.0)
        assert separable(X, y) == (mistakes[-1] == 0), seed
        verdicts.append(separable(X, y))
    assert any(verdicts) and not all(verdicts)


# --- Part 3's check and the theorem's check ------------------------------------------------


def test_gates_check_cell(ns):
    """'Expect AND and OR to end with an epoch of 0 mistakes (after a few epochs), and XOR
    to run all 20 epochs without ever reaching 0.'"""
    for gate in ("AND", "OR", "XOR"):
        X, y = logic_gate(gate)
        _, _, mistakes = ns["perceptron_train"](X, y, 1.0, 20, np.zeros(2), 0.0)
        if gate == "XOR":
            assert len(mistakes) == 20 and min(mistakes) > 0
        else:
            assert mistakes[-1] == 0 and len(mistakes) <= 6


def test_theorem_check_cell_total_within_bound(ns):
    printed = ns["__stdout__"]
    line = next(text for text in printed.values() if "bound (R / gamma)^2" in text)
    total = int(line.split("total mistakes ")[1].split(",")[0])
    bound = float(line.split("= ")[1].split(" ")[0])
    assert total <= bound


# --- the Explore bullets ------------------------------------------------------------------


def test_and_or_fit_within_a_few_epochs_xor_never(ns):
    """'AND and OR are fit within a few epochs, XOR never is.'"""
    for init in SCHEMES:
        for gate in ("AND", "OR"):
            run = ns["experiment"](dataset=gate, init=init)
            assert run["converged_at"] is not None and run["converged_at"] <= 6, (gate, init)
        assert ns["experiment"](dataset="XOR", init=init, num_epochs=50)["converged_at"] is None
    assert not separable(*logic_gate("XOR"))


def test_margin_numbers_quoted(ns):
    """'margin 2.0 is fit after 2 epochs and 2 mistakes in all, margin 0.1 after 5 epochs
    and 11 mistakes'; and the wider the gap, the fewer mistakes."""
    wide, narrow = ns["experiment"](margin=2.0), ns["experiment"](margin=0.1)
    assert (wide["converged_at"], int(wide["mistakes"].sum())) == (2, 2)
    assert (narrow["converged_at"], int(narrow["mistakes"].sum())) == (5, 11)
    total = {m: int(ns["experiment"](margin=m)["mistakes"].sum())
             for m in np.round(np.arange(0.0, 2.01, 0.1), 1)}
    narrow_mean = np.mean([total[m] for m in total if m <= 0.5])
    wide_mean = np.mean([total[m] for m in total if m >= 1.5])
    assert narrow_mean > 2 * wide_mean, total


def test_every_negative_margin_on_the_slider_overlaps_and_never_settles(ns):
    """'On this panel's 60 points every negative margin of the slider does overlap, and the
    loop never settles.'"""
    slider = ns["__panels__"][0].controls["margin"]
    margins = np.round(np.arange(slider.min, 0.0, slider.step), 1)
    assert len(margins) == 10
    for margin in margins:
        X, y = blobs(N=60, margin=margin, seed=0)  # the panel's data (seed 0)
        assert not separable(X, y), margin
        assert ns["experiment"](margin=margin, num_epochs=50)["converged_at"] is None, margin


def test_negative_margin_does_not_guarantee_overlap():
    """'at margin -0.1 about half of all seeds still give separable blobs' (and, in
    course.toy.blobs: 'none of the first 1000 at margin=-0.5')."""
    near = np.mean([separable(*blobs(N=60, margin=-0.1, seed=s)) for s in range(1000)])
    assert 0.4 <= near <= 0.6, near
    assert not any(separable(*blobs(N=60, margin=-0.5, seed=s)) for s in range(1000))
    # a positive margin always leaves a gap
    assert all(separable(*blobs(N=60, margin=0.05, seed=s)) for s in range(50))


def test_tiny_lr_with_large_scale_leaves_the_blobs_unfit(ns):
    """'lr = 0.001 with scale = 3 leaves the blobs unfit after 20 epochs.'"""
    for init in ("normal", "uniform"):
        run = ns["experiment"](init=init, lr=0.001, scale=3.0, num_epochs=20)
        assert run["converged_at"] is None and run["mistakes"][-1] > 0, init


@pytest.mark.parametrize("factor", [0.01, 0.1, 10.0])
def test_scaling_lr_and_init_together_changes_nothing(ns, factor):
    """'multiply both by the same factor and the mistakes per epoch do not change at all.'"""
    for dataset in ("blobs", "AND", "OR", "XOR"):
        for init in ("normal", "uniform"):
            base = ns["experiment"](dataset=dataset, init=init, lr=0.1, scale=1.0)
            scaled = ns["experiment"](dataset=dataset, init=init, lr=0.1 * factor, scale=factor)
            assert scaled["mistakes"].tolist() == base["mistakes"].tolist(), (dataset, init)


# --- the concept answers --------------------------------------------------------------------


def test_from_zero_lr_changes_no_mistake(ns):
    """lr_doubling_effect == 'same', and the panel's zeros runs agree for every lr."""
    X, y = blobs(N=60, margin=0.5, seed=0)
    runs = [ns["perceptron_train"](X, y, lr, 50, np.zeros(2), 0.0)[2].tolist() for lr in (0.1, 0.2)]
    assert runs[0] == runs[1]
    assert ns["lr_doubling_effect"] == "same"
    slider = ns["__panels__"][0].controls["lr"]
    lrs = np.logspace(slider.min, slider.max, 21)
    for dataset in ("blobs", "AND", "OR", "XOR"):
        ref = ns["experiment"](dataset=dataset, init="zeros", lr=0.1)["mistakes"].tolist()
        for lr in lrs:
            got = ns["experiment"](dataset=dataset, init="zeros", lr=lr)["mistakes"].tolist()
            assert got == ref, (dataset, lr)


GATES = {"NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0], "XNOR": [1, 0, 0, 1], "GREATER": [0, 0, 1, 0]}


def test_separable_gates_answer(ns):
    """The concept table's labels, and which gates perceptron_train fits."""
    X, _ = logic_gate("AND")
    assert [int(x1 > x2) for x1, x2 in X] == GATES["GREATER"]
    fit = set()
    for name, labels in GATES.items():
        y = np.array(labels)
        _, _, mistakes = ns["perceptron_train"](X, y, 1.0, 1000, np.zeros(2), 0.0)
        assert (mistakes[-1] == 0) == separable(X, y), name
        if mistakes[-1] == 0:
            fit.add(name)
    assert fit == ns["separable_gates"] == {"NAND", "NOR", "GREATER"}
