"""Every number step 08's prose and model answers quote, recomputed from the notebook.

The Explore text quotes what the panel shows at its defaults, over the lr slider and at
scale 5; the written answer quotes the table of the "check yourself" cell; the concept
answers are recomputed with the notebook's cross_entropy.
"""

import math

import numpy as np
import pytest

from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("08_cross_entropy")


def test_defaults(ns):
    """"the loss falls from 3.92 to 0.12 and the accuracy from 0 to 0.95 ... 7 of the 150
    examples stay on the wrong side (the worst 3.5 behind, with a loss of 3.6)"."""
    run = ns["experiment"]()
    assert len(run["y"]) == 150 and np.all(np.bincount(run["y"]) == 50)
    assert round(run["loss"][0], 2) == 3.92 and round(run["loss"][-1], 2) == 0.12
    assert run["accuracy"][0] == 0.0 and round(run["accuracy"][-1], 2) == 0.95
    assert int((run["margin"] < 0).sum()) == 7
    worst = np.argmin(run["margin"])
    assert round(run["margin"][worst], 1) == -3.5 and round(run["example_loss"][worst], 1) == 3.6


def test_lr_range(ns):
    """"At lr = 0.01 ... loss 1.00, accuracy 0.59; from lr = 0.5 to 10 every run ends with a
    loss between 0.10 and 0.13, and the loss falls at every epoch even at lr = 10"."""
    ex = ns["experiment"]
    small = ex(lr=0.01)
    assert round(small["loss"][-1], 2) == 1.00 and round(small["accuracy"][-1], 2) == 0.59
    for lr in np.geomspace(0.5, 10.0, 15):
        run = ex(lr=float(lr))
        assert 0.10 <= run["loss"][-1] <= 0.13, lr
    for lr in np.geomspace(0.01, 10.0, 15):
        assert np.all(np.diff(ex(lr=float(lr))["loss"]) <= 0), lr


def test_scale_5_worst_example(ns):
    """"At scale = 5 (normal) the worst example starts about 49 behind, with a loss of about 49"."""
    run = ns["experiment"](scale=5.0)
    worst = np.argmin(run["margin_init"])
    assert round(run["margin_init"][worst]) == -49 and round(run["example_loss_init"][worst]) == 49


def test_margin_bounds_hold(ns):
    """The right plot's curves bound every example's loss: log(1 + e^-m) <= loss <= log(1 + 2 e^-m)."""
    for kwargs in ({}, {"scale": 5.0}, {"init": "uniform", "lr": 5.0}):
        run = ns["experiment"](**kwargs)
        for m, loss in ((run["margin"], run["example_loss"]), (run["margin_init"], run["example_loss_init"])):
            assert np.all(loss >= np.logaddexp(0, -m) - 1e-12)
            assert np.all(loss <= np.logaddexp(0, math.log(2) - m) + 1e-12)


def test_written_answer_table(ns):
    """1 behind: 1.31 and -0.73; 5 behind: -0.99; 10 behind: 10.00005 and -0.99995; 40: 40 and -1."""
    ce = ns["cross_entropy"]

    def at(gap):
        loss, d = ce(np.array([[0.0, float(gap)]]), np.array([0]))
        return loss, d[0, 0]

    assert round(at(1)[0], 2) == 1.31 and round(at(1)[1], 2) == -0.73
    assert round(at(5)[1], 2) == -0.99
    assert round(at(10)[0], 5) == 10.00005 and round(at(10)[1], 5) == -0.99995
    assert round(at(40)[0], 6) == 40.0 and round(at(40)[1], 6) == -1.0


def test_concept_answers(ns):
    ce = ns["cross_entropy"]
    assert ce(np.zeros((2, 10)), np.array([0, 5]))[0] == pytest.approx(ns["loss_at_zero_weights"])
    assert round(ns["loss_at_zero_weights"], 3) == 2.303
    grad = ce(np.array([[-3.0, 2.0, 0.0]]), np.array([0]))[1][0, 0]
    assert grad == pytest.approx(ns["grad_correct_logit"]) and round(grad, 2) == -0.99
    loss = ce(np.array([[0.0, 10.0]]), np.array([0]))[0]
    assert loss == pytest.approx(ns["loss_ten_behind"]) and round(loss, 1) == 10.0


def test_part_checks(ns):
    """Part 3's check: zero weights give log 3 at epoch 0 on three classes."""
    X, y = ns["three_clusters_t"](90, seed=0)
    loss, _, _ = ns["softmax_regression_step"](X, y, np.zeros((2, 3)), np.zeros(3), 0.5)
    assert loss == pytest.approx(math.log(3))
