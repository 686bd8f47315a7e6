"""Every number step 10's prose and model answers quote, recomputed from the notebook.

The Explore text and the written answer quote the validation accuracies at the panel's
defaults; the concept answers are recomputed with the notebook's functions.
"""

import math

import numpy as np
import pytest

from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("10_regularization")


def test_defaults(ns):
    """"the eval-mode validation accuracy ends at 0.88, and with the eval mode forgotten ... at 0.74,
    below it at every epoch"; "64 noisy moons ... 30 epochs ... 400 fresh moons"."""
    run = ns["experiment"]()
    assert run["num_epochs"] == 30 and len(run["val_acc"]) == 30
    assert round(run["val_acc"][-1], 2) == 0.88
    assert round(run["val_acc_forgot"][-1], 2) == 0.74
    assert np.all(run["val_acc_forgot"] < run["val_acc"])


def test_concept_answers(ns):
    """Second output of [[1], [3]] with gamma 2, beta 0.5; running var 1.1; column sums of dX are 0."""
    out, cache, after = ns["batchnorm_forward"](np.array([[1.0], [3.0]]), np.array([2.0]), np.array([0.5]),
                                                {"mean": np.zeros(1), "var": np.ones(1)}, "train")
    assert abs(out[1, 0] - ns["bn_second_output"]) < 2e-5
    assert abs(out[1, 0] - (2 / math.sqrt(1 + 1e-5) + 0.5)) < 1e-12
    assert abs(after["var"][0] - ns["running_var_after"]) < 1e-12
    dX, _, _ = ns["batchnorm_backward"](np.random.default_rng(0).normal(size=(2, 1)), cache)
    assert abs(dX.sum()) < 1e-12 and ns["dX_column_sum"] == 0.0


def test_batch_of_one_outputs_beta(ns):
    """The written answer: "with a batch of one the layer outputs beta"."""
    beta = np.array([0.3, -1.0])
    X = np.array([[5.0, -7.0]])
    mean, var = X.mean(axis=0), X.var(axis=0)
    assert np.allclose(2.0 * (X - mean) / np.sqrt(var + 1e-5) + beta, beta)
