"""Every number step 12's prose and model answers quote, recomputed from the notebook.

The MNIST run of Part 4 (test accuracy above 0.97), the BatchNorm and dropout comparison
of Part 5 at lr 1.0 (plain near 93 %, BatchNorm about 97.5 %, dropout's higher training
loss), the Explore text at its defaults and at the settings it names, the concept answers
and the written answer's agreement to about 1e-16.
"""

import numpy as np
import pytest
import torch

from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("12_pytorch_bridge")


def test_mnist_run(ns):
    """"expect a test accuracy above 97 %"; the summary's "about 98 %"."""
    assert ns["test_accuracy"] > 0.97
    assert round(ns["test_accuracy"], 2) == 0.98
    assert len(ns["history"]["loss"]) == 5


def test_batchnorm_and_dropout_at_lr_1(ns):
    """"near 93 %" plain, "about 97.5 %" with BatchNorm; dropout raises the training loss."""
    results = ns["comparison"]
    plain, bn, drop = results["plain"], results["BatchNorm"], results["dropout 0.2"]
    assert abs(plain[1] - 0.93) <= 0.01
    assert abs(bn[1] - 0.975) <= 0.005
    assert drop[0]["loss"][-1] > plain[0]["loss"][-1]
    assert drop[1] <= plain[1] + 0.005, "dropout does not help in two epochs"


def test_explore_defaults(ns):
    """"training accuracy reaches 1.00 at epoch 9 ... validation accuracy ends at 0.85 ...
    validation loss is lowest at epoch 4 (0.58) ... 0.64 at the end"."""
    r = ns["experiment"]()
    first_full = next(i for i, a in enumerate(r["train_accuracy"], start=1) if round(a, 2) == 1.0)
    assert first_full == 9
    assert round(r["val_accuracy"][-1], 2) == 0.85
    assert int(np.argmin(r["val_loss"])) + 1 == 4 and round(min(r["val_loss"]), 2) == 0.58
    assert round(r["val_loss"][-1], 2) == 0.64


def test_explore_dropout(ns):
    """"dropout 0.5: training accuracy 0.99 at the end, validation loss 0.51, accuracy 0.88"."""
    r = ns["experiment"](dropout=0.5)
    assert round(r["train_accuracy"][-1], 2) == 0.99
    assert round(r["val_loss"][-1], 2) == 0.51 and round(r["val_accuracy"][-1], 2) == 0.88


def test_explore_large_lr(ns):
    """"lr = 1: validation loss jumps between 1.4 and 2.8; 0.91 and about 0.75 at the end; with
    BatchNorm 1.00 by epoch 6 and validation 0.83"."""
    r = ns["experiment"](lr=1.0)
    assert 1.35 <= min(r["val_loss"][1:]) <= 1.45 and 2.75 <= max(r["val_loss"]) <= 2.85
    # an unsteady run: the last digits move with the order of float additions
    assert abs(r["train_accuracy"][-1] - 0.91) <= 0.02 and abs(r["val_accuracy"][-1] - 0.75) <= 0.02
    b = ns["experiment"](lr=1.0, batchnorm="on")
    first_full = next(i for i, a in enumerate(b["train_accuracy"], start=1) if round(a, 2) == 1.0)
    assert first_full == 6 and round(b["val_accuracy"][-1], 2) == 0.83


def test_explore_small_lr(ns):
    """"lr = 0.01: too slow for 12 epochs (training accuracy 0.90)"."""
    assert round(ns["experiment"](lr=0.01)["train_accuracy"][-1], 2) == 0.90


def test_concept_answers(ns):
    W = torch.tensor([1.0, 2.0], requires_grad=True)
    (3 * W).sum().backward()
    (W ** 2).sum().backward()
    assert W.grad.tolist() == [5.0, 7.0]  # g1 + g2
    assert ns["num_parameters"] == sum(p.numel() for p in ns["mnist_params"].values()) == 203530


def test_gradients_agree_to_rounding(ns):
    """The written answer: "agreed with mine to about 1e-16 in float64"."""
    p = ns["params_np"]
    X, y = np.random.default_rng(3).normal(size=(16, 5)), np.random.default_rng(4).integers(0, 3, 16)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in p.items()}
    ns["torch_cross_entropy"](ns["torch_mlp_forward"](torch.tensor(X), t), torch.tensor(y)).backward()
    scores, cache = ns["mlp_forward"](X, p)
    grads = ns["mlp_backward"](ns["cross_entropy"](scores, y)[1], cache)
    worst = max(np.max(np.abs(t[k].grad.numpy() - grads[k])) / np.max(np.abs(grads[k])) for k in p)
    assert worst < 1e-14


def test_explore_zero_init(ns):
    """"scale 0: training accuracy 0.13, validation 0.10, with or without BatchNorm"."""
    for batchnorm in ("off", "on"):
        r = ns["experiment"](scale=0.0, batchnorm=batchnorm)
        assert round(r["train_accuracy"][-1], 2) == 0.13 and round(r["val_accuracy"][-1], 2) == 0.10


def test_setup_says_how_to_install_torch_when_it_is_missing():
    """Without PyTorch the Setup cell stops with one message that names `make torch`."""
    import sys

    import nbformat

    from tests.conftest import ROOT

    path = ROOT / "source" / "12_pytorch_bridge" / "12_pytorch_bridge.ipynb"
    setup = next(c.source for c in nbformat.read(str(path), as_version=4).cells
                 if c.cell_type == "code" and "import torch" in c.source)
    setup = "\n".join(line for line in setup.splitlines() if not line.startswith("%"))
    saved = sys.modules.get("torch")
    sys.modules["torch"] = None  # what `import torch` meets where it is not installed
    sys.path.insert(0, str(path.parent))
    try:
        with pytest.raises(ImportError, match="make torch") as err:
            exec(setup, {})
    finally:
        sys.path.remove(str(path.parent))
        sys.modules["torch"] = saved
    assert err.value.__cause__ is None and "PyTorch is not installed" in str(err.value)
