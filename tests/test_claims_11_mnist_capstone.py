"""Every number the capstone's prose quotes, recomputed from a full run of the notebook.

This is the one place (with nbval) where the capstone runs its default training in full
(without QUICK), in a process of its own, as a kernel would: the default run reaches at
least 98.5 % test accuracy (its training time is printed, and measured by `make bench`),
and the process stays under 1 GiB (a JupyterHub pod's usual size); a learning rate
of 3 diverges and is reported; the concept answers hold; the experiments show what the prose
says; and the optional best recipe (switched on here) reaches 99.2 %.
"""

import json
import math
import os
import subprocess
import sys

import pytest

from tests.conftest import QUICK_ENV, ROOT

CHILD = r"""
import json, resource
import numpy as np
from tests.nbns import namespace
ns = namespace("11_mnist_capstone")
params = ns["final_params"]
untrained = ns["evaluate"](ns["untrained"], ns["X_val"], ns["y_val"])
print(json.dumps({
    "quick": ns["QUICK"], "test_acc": ns["test_acc"], "history": ns["history"],
    "diverged": ns["diverged"],
    "shapes": {k: list(v.shape) for k, v in params.items()},
    "dtypes": sorted({str(v.dtype) for v in params.values()}),
    "train_dtype": str(ns["X_train"].dtype), "train_width": ns["X_train"].shape[1],
    "n_train": len(ns["y_train"]), "n_val": len(ns["y_val"]),
    "num_parameters": int(ns["num_parameters"]), "parameter_bytes": int(ns["parameter_bytes"]),
    "sizes": int(sum(v.size for v in params.values())), "nbytes": int(sum(v.nbytes for v in params.values())),
    "untrained": list(untrained),
    "variants": ns["variants"], "variant_epochs": ns["variant_epochs"],
    "batch_sizes": ns["batch_sizes"], "batch_acc": {k: [float(a) for a in v] for k, v in ns["final_acc"].items()},
    "searches": {k: [list(map(float, t)) for t in v] for k, v in ns["searches"].items()},
    "search_epochs": ns["search_epochs"], "batch_epochs": ns["batch_epochs"],
    "best_recipe": ns["BEST_RECIPE"], "best_epochs": ns["BEST_EPOCHS"],
    "best_test_acc": ns.get("best_test_acc"), "best_seconds": ns["best_history"]["seconds"][-1],
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


@pytest.fixture(scope="module")
def run():
    env = {k: v for k, v in os.environ.items() if k != QUICK_ENV}
    env["CAPSTONE_BEST"] = "1"  # the optional best recipe too
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_default_run_reaches_98_5_percent(run):
    """"98.5 % test accuracy"; "30 epochs" "after one epoch of warm-up"; "about 98.6 %" (the best recipe's
    section). The training time ("about a minute", "about 1.5 seconds per epoch") is printed here and
    measured by `make bench`, which also runs seeds 0-2 and reports any that diverge."""
    assert not run["quick"]
    history = run["history"]
    assert len(history["val_acc"]) == 30 and history["diverged"] is None
    seconds = history["seconds"][-1]
    print(f"default run: test accuracy {run['test_acc']:.4f} after {seconds:.1f} s of training "
          f"({seconds / 30:.2f} s per epoch); peak resident memory {run['peak_mib']:.0f} MiB")
    assert run["test_acc"] >= 0.985
    assert abs(run["test_acc"] - 0.986) <= 0.001


def test_final_model_is_float32_784_512_512_10(run):
    assert run["shapes"] == {"W1": [784, 512], "b1": [512], "W2": [512, 512], "b2": [512], "W3": [512, 10],
                             "b3": [10]}
    assert run["dtypes"] == ["float32"]


def test_divergence_is_stopped_and_reported(run):
    """"A learning rate of 3 ... fit stops within the first epoch and says why"."""
    message = run["diverged"]["diverged"]
    assert message and message.startswith("diverged in epoch 1") and "lower the learning rate" in message
    assert run["diverged"]["val_acc"] == []


def test_data_and_memory(run):
    """55 000 training rows, a stratified validation split of 5 000, float32; the whole run (data, training,
    the experiments) peaks under 1 GiB of resident memory."""
    assert run["train_dtype"] == "float32" and run["train_width"] == 784
    assert abs(run["n_val"] - 5000) <= 5 and run["n_train"] + run["n_val"] == 60000
    assert run["peak_mib"] < 1024


def test_untrained_network_scores_chance(run):
    """"An untrained network scores about 0.1 ... with a loss near ln 10 = 2.30"."""
    loss, accuracy = run["untrained"]
    assert abs(loss - math.log(10)) < 0.05 and abs(accuracy - 0.1) < 0.05


def test_concept_answers(run):
    assert run["num_parameters"] == run["sizes"] == 669706
    assert run["parameter_bytes"] == run["nbytes"]


def test_batchnorm_and_dropout_experiment(run):
    """784-256-256-10, 5 epochs on 10 000 images: "Dropout raises the training loss several times over"
    and "costs validation accuracy" in this short run; "At lr = 0.05 BatchNorm changes little"; "At lr = 0.5
    the plain network blows up (its loss turns NaN and it guesses one class, about 10 %), while the network
    with BatchNorm still learns to about 95 %"."""
    v = run["variants"]
    assert list(v) == ["plain", "dropout 0.3", "BatchNorm", "BatchNorm + dropout", "plain, lr 0.5",
                       "BatchNorm, lr 0.5"]
    assert run["variant_epochs"] == 5 and all(len(r["val_acc"]) == 5 for r in v.values())
    for label, r in v.items():
        print(f"{label}: training loss {r['train_loss'][-1]:.4f}, validation accuracy {r['val_acc'][-1]:.4f}")
    loss = {label: r["train_loss"][-1] for label, r in v.items()}
    acc = {label: r["val_acc"][-1] for label, r in v.items()}
    assert loss["dropout 0.3"] >= 3 * loss["plain"] and loss["BatchNorm + dropout"] >= 3 * loss["BatchNorm"]
    assert acc["dropout 0.3"] < acc["plain"] and acc["BatchNorm + dropout"] < acc["BatchNorm"]
    assert abs(acc["BatchNorm"] - acc["plain"]) < 0.01 and acc["plain"] > 0.94
    assert math.isnan(loss["plain, lr 0.5"]) and abs(acc["plain, lr 0.5"] - 0.1) < 0.03
    assert abs(acc["BatchNorm, lr 0.5"] - 0.95) < 0.015


def test_batch_size_experiment(run):
    """"batches of 16, 64, 256 and 1024"; "(0.05 at 128, so 0.4 at 1024)"; "With one learning rate for all,
    the largest batches fall far behind"; "Scaling the learning rate helps them only a little here"."""
    assert run["batch_sizes"] == [16, 64, 256, 1024] and run["batch_epochs"] == 3
    same, scaled = run["batch_acc"]["same lr 0.05"], run["batch_acc"]["lr scaled with the batch"]
    print("same lr:", [f"{a:.4f}" for a in same], "scaled:", [f"{a:.4f}" for a in scaled])
    assert same[3] < min(same[:3]) - 0.04
    assert 0 <= scaled[3] - same[3] < 0.03 and scaled[3] < min(scaled[:3]) - 0.04


def test_random_search_against_grid(run):
    """"With 16 trials the grid tries only 4 learning rates, the random search 16 different ones";
    "2 000 images, 5 epochs"."""
    assert run["search_epochs"] == 5
    grid, random = run["searches"]["grid"], run["searches"]["random"]
    assert len(grid) == len(random) == 16
    assert len({lr for lr, _, _ in grid}) == 4 and len({lr for lr, _, _ in random}) == 16
    for label, trials in run["searches"].items():
        lr, wd, acc = max(trials, key=lambda t: t[2])
        print(f"{label}: best {acc:.4f} at lr {lr:.3g}, weight decay {wd:.2g}")


def test_best_recipe_reaches_99_2_percent(run):
    """"It reaches at least 99.2 % test accuracy" (its training time, "about two minutes", is printed here
    and measured by `make bench` over three seeds); the kernel stays under 1 GiB with it too."""
    assert run["best_recipe"] and run["best_epochs"] == 32
    print(f"best recipe: test accuracy {run['best_test_acc']:.4f} after {run['best_seconds']:.0f} s of training")
    assert run["best_test_acc"] >= 0.992
