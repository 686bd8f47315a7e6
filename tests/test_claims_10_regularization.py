"""Every number step 10's prose and model answers quote, recomputed from the notebook.

The Explore text and the written answer quote the losses at the panel's defaults and with
weight decay or dropout; the Adam demo quotes the two weights it ends with; the curve
diagnosis's model answers must describe what the four runs really show; the bug hunt
says a working loop reaches about 0.02; the concept answers are recomputed with the
notebook's functions.
"""

import math

import numpy as np
import pytest

from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("10_regularization")


@pytest.fixture(scope="module")
def defaults(ns):
    return ns["experiment"]()


def test_explore_defaults(defaults):
    """"lowest at epoch 11 (0.34) and then climbs to 0.69 ... the training loss falls to 0.19: early
    stopping stops at epoch 21 and keeps epoch 11's weights"; "40 noisy moons ... 150 epochs"."""
    run = defaults
    assert run["num_epochs"] == 150 and len(run["val_loss"]) == 150
    assert int(np.argmin(run["val_loss"])) == 11 and round(run["val_loss"].min(), 2) == 0.34
    assert round(run["val_loss"][-1], 2) == 0.69
    assert round(run["train_loss"][-1], 2) == 0.19
    assert (run["best_epoch"], run["stop_epoch"]) == (11, 21)
    # "the validation accuracy barely moves" while the validation loss doubles
    assert abs(run["val_acc"][-1] - run["val_acc"][11]) < 0.06 and run["val_loss"][-1] > 1.9 * run["val_loss"][11]


def test_explore_weight_decay_and_dropout(ns, defaults):
    """"With weight_decay = 0.01 the final validation loss is 0.42, with dropout = 0.6 it is 0.56";
    weight decay costs some training loss."""
    decayed = ns["experiment"](weight_decay=0.01)
    dropped = ns["experiment"](dropout=0.6)
    assert round(decayed["val_loss"][-1], 2) == 0.42
    assert round(dropped["val_loss"][-1], 2) == 0.56
    assert decayed["train_loss"][-1] > defaults["train_loss"][-1]


def test_adam_l2_against_adamw(ns):
    """"it ends at 0.935 ... driven to 0.000 ... AdamW shrinks both alike, to 0.596 and 0.606, about
    (1 - lr * lambda) ** 500"."""
    assert np.array_equal(ns["w_l2"].round(3), [0.935, 0.0])
    assert np.array_equal(ns["w_decoupled"].round(3), [0.596, 0.606])
    assert round((1 - 0.01 * 0.1) ** 500, 3) == 0.606


def test_diagnosis_answers_describe_the_runs(ns):
    """Run A jumps (lr too high), B over-fits, C stays at chance (labels shuffled), D under-fits."""
    runs = ns["runs"]
    a, b, c, d = (runs[k] for k in "ABCD")
    # A: the loss jumps up by more than half its value several times; it ends far above its best
    jumps = np.sum(np.diff(a["train_loss"]) > 0.5 * a["train_loss"][:-1])
    assert jumps >= 3 and a["train_loss"][-1] > 2 * a["train_loss"].min()
    # B: training loss falls to its lowest while validation loss ends well above its own minimum
    assert b["train_loss"][-1] < 0.2 and b["val_loss"][-1] > 1.5 * b["val_loss"].min()
    # C: both losses near ln 2 and accuracies near chance over the last 20 epochs
    for key in ("train_loss", "val_loss"):
        assert abs(np.mean(c[key][-20:]) - math.log(2)) < 0.03
    assert abs(np.mean(c["train_acc"][-20:]) - 0.5) < 0.1
    # D: flat (no trend over the last 40 epochs), close together, below ln 2 but far above B's training loss
    assert np.ptp(d["train_loss"][-40:]) < 0.02 and abs(d["train_loss"][-1] - d["val_loss"][-1]) < 0.1
    assert 0.25 < d["train_loss"][-1] < math.log(2)
    answers = ns["diagnosis"]
    assert answers == {"A": ("lr_too_high", "lower_lr"), "B": ("overfit", "regularize"),
                       "C": ("labels_shuffled", "fix_shuffle"), "D": ("underfit", "bigger_model")}


def test_bug_hunt_claims(ns):
    """"a working loop reaches a training loss near 0.02 in its 60 epochs"; each broken loop stays above 0.5."""
    X, y = ns["X_moons"], ns["y_moons"]
    for name in ("a", "b", "c"):
        fixed = ns["cross_entropy"](ns["mlp_forward"](X, ns[f"train_{name}"](X, y))[0], y)[0]
        broken = ns["cross_entropy"](ns["mlp_forward"](X, ns[f"broken_train_{name}"](X, y))[0], y)[0]
        assert round(fixed, 2) == 0.02 and broken > 0.5


def test_concept_answers(ns):
    """Second output of [[1], [3]] with gamma 2, beta 0.5; running var 1.1; column sums of dX are 0."""
    out, cache, after = ns["batchnorm_forward"](np.array([[1.0], [3.0]]), np.array([2.0]), np.array([0.5]),
                                                {"mean": np.zeros(1), "var": np.ones(1)}, "train")
    assert abs(out[1, 0] - ns["bn_second_output"]) < 2e-5
    assert abs(out[1, 0] - (2 / math.sqrt(1 + 1e-5) + 0.5)) < 1e-12
    assert abs(after["var"][0] - ns["running_var_after"]) < 1e-12
    dX, _, _ = ns["batchnorm_backward"](np.random.default_rng(0).normal(size=(2, 1)), cache)
    assert abs(dX.sum()) < 1e-12 and ns["dX_column_sum"] == 0.0


def test_penalty_example(ns):
    """"penalty 0.5125 (expect 0.5 * 0.1 * (1 + 4 + 0.25 + 0 + 4 + 1) = 0.5125)"."""
    assert abs(0.5 * 0.1 * (1 + 4 + 0.25 + 0 + 4 + 1) - 0.5125) < 1e-12
    params = {"W1": np.array([[1.0, -2.0], [0.5, 0.0]]), "b1": np.array([3.0, 4.0]),
              "W2": np.array([[2.0], [-1.0]]), "b2": np.array([5.0])}
    assert abs(ns["l2_penalty"](params, 0.1)[0] - 0.5125) < 1e-12


def test_early_stopping_examples(ns):
    """The worked example: patience 2 gives (1, 3); patience 3 gives (4, 4); a falling run (2, 2)."""
    es = ns["early_stopping"]
    assert es([1.0, 0.8, 0.9, 0.85, 0.7], 2) == (1, 3)
    assert es([1.0, 0.8, 0.9, 0.85, 0.7], 3) == (4, 4)
    assert es([3.0, 2.0, 1.0], 1) == (2, 2)


def test_diagnosis_hint(ns):
    """"on the 400 moons of runs A, C and D, a network with 64 hidden units that trains well reaches a loss of
    about 0.20 in 60 epochs, training and validation alike"; run D's linear model stays well above it."""
    working = ns["diagnosis_run"](hidden=64, lr=0.5, num_train=400)
    assert round(working["train_loss"][-1], 2) == 0.20 and abs(working["val_loss"][-1] - 0.20) < 0.02
    assert ns["runs"]["D"]["train_loss"][-1] > working["train_loss"][-1] + 0.1
