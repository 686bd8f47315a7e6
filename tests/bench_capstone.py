"""Benchmarks of the capstone (`make bench`, also `make bench BENCH=capstone` alone). Prints figures;
asserts nothing.

Every measurement runs in a process of its own, with the same thread count for NumPy's BLAS and for
PyTorch (two libraries' thread pools in one process slow each other down), on the capstone's own data
and code: the notebook's cells up to its training loop (``fit``), model solution included.

- NumPy against PyTorch: seconds per epoch of the same MLP (784-256-10, 784-512-10, 784-512-512-10),
  the same batch size (128), optimizer (momentum 0.9, weight decay 5e-4, cosine schedule) and float32;
  the NumPy side is the notebook's ``fit``, the PyTorch side the same loop with autograd and
  ``torch.optim.SGD``; the median of each epoch's time over ``repeats`` runs of 2 epochs;
- the machine's matmul peak (float32, 2048 x 2048 @ 2048 x 2048, median of 10) and the fraction of it
  NumPy's training loop reaches (the loop's matrix-product FLOPs per second of training);
- the default run (the notebook's own cell: 784-512-512-10, 30 epochs, one of warm-up): time to 98 % and
  to 98.5 % test accuracy, the final accuracy and the training time, the process's peak resident memory,
  and any seed that diverges, for seeds 0, 1, 2;
- the best recipe (the notebook's own cell: 784-800-800-10, shifts, dropout, all 60 000 images): test
  accuracy and training time, seeds 0, 1, 2.
"""

import json
import os
import statistics
import subprocess
import sys

from tests.conftest import ROOT

STEP = "11_mnist_capstone"
ARCHITECTURES = ([784, 256, 10], [784, 512, 10], [784, 512, 512, 10])
BATCH = 128
THREADS = os.cpu_count() or 1

CHILD_SETUP = r"""
import json, os, resource, sys, time
import numpy as np
from tests.nbns import namespace_until

def ns():
    return namespace_until("11_mnist_capstone", "training_loop")

def notebook_cell(starts):  # the source of the capstone's one cell that starts with `starts`
    from tests.gradecycle import ROOT, read
    nb = read(ROOT / "source" / "11_mnist_capstone" / "11_mnist_capstone.ipynb")
    [source] = [c.source for c in nb.cells if c.source.startswith(starts)]
    return source

def run_with_seed(seed, starts, name):
    # the notebook's namespace after its training loop, then its own cell `starts`, with fit given this seed,
    # no live display, and the test set as the evaluation split (to time 98 % and 98.5 %)
    import functools
    from tests.nbns import run_cell
    nb = ns()
    nb["fit"] = functools.partial(nb["fit"], seed=seed, live=False, X_eval=nb["X_test"], y_eval=nb["y_test"])
    run_cell(nb, notebook_cell(starts), name)
    return nb

def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

CHILDREN = {
    "matmul": r"""
n = 2048
a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
a @ b
times = []
for _ in range(10):
    start = time.perf_counter()
    a @ b
    times.append(time.perf_counter() - start)
times.sort()
print(json.dumps({"gflops": 2 * n ** 3 / times[len(times) // 2] / 1e9}))
""",
    "numpy": r"""
sizes, epochs = json.loads(sys.argv[2]), int(sys.argv[3])
nb = ns()
_, history = nb["fit"](sizes, num_epochs=epochs, lr=0.05, batch_size=%(batch)d, weight_decay=5e-4, live=False)
seconds = history["seconds"]
print(json.dumps({"epoch_seconds": [b - a for a, b in zip([0.0] + seconds[:-1], seconds)]}))
""",
    "torch": r"""
import math
import torch
torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
sizes, epochs = json.loads(sys.argv[2]), int(sys.argv[3])
nb = ns()
X, y = torch.from_numpy(nb["X_train"]), torch.from_numpy(nb["y_train"].astype(np.int64))
g = torch.Generator().manual_seed(0)
params = []
for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
    params += [(torch.randn(fan_in, fan_out, generator=g) * math.sqrt(2 / fan_in)).requires_grad_(),
               torch.zeros(fan_out, requires_grad=True)]
weights, biases = params[0::2], params[1::2]
optimizer = torch.optim.SGD([{"params": weights, "weight_decay": 5e-4}, {"params": biases, "weight_decay": 0.0}],
                            lr=0.05, momentum=0.9)
N, batch = X.shape[0], %(batch)d
total, step, epoch_seconds = epochs * math.ceil(N / batch), 0, []
for epoch in range(epochs):
    start = time.perf_counter()
    order = torch.randperm(N, generator=g)
    for first in range(0, N, batch):
        rows = order[first:first + batch]
        h = X[rows]
        for k, (W, b) in enumerate(zip(weights, biases)):
            h = torch.matmul(h, W) + b
            if k < len(weights) - 1:
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        for group in optimizer.param_groups:
            group["lr"] = 0.05 * 0.5 * (1 + math.cos(math.pi * step / total))
        optimizer.step()
        step += 1
    epoch_seconds.append(time.perf_counter() - start)
print(json.dumps({"epoch_seconds": epoch_seconds}))
""",
    "default": r"""
nb = run_with_seed(int(sys.argv[2]), "NUM_EPOCHS = ", "final model")  # the notebook's own cell
history = nb["history"]
print(json.dumps({"test_acc": history["val_acc"], "seconds": history["seconds"], "peak_mib": peak_mib(),
                  "diverged": history["diverged"], "epochs": nb["NUM_EPOCHS"]}))
""",
    "best": r"""
os.environ["CAPSTONE_BEST"] = "1"
nb = run_with_seed(int(sys.argv[2]), "BEST_RECIPE = ", "best recipe")  # the notebook's own cell
print(json.dumps({"test_acc": nb["best_test_acc"], "seconds": nb["best_history"]["seconds"][-1],
                  "epochs": nb["BEST_EPOCHS"], "peak_mib": peak_mib()}))
""",
}


def child(kind, *args):
    """Run one measurement in a fresh process; its JSON answer."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), BENCH_THREADS=str(THREADS))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(THREADS)
    env.pop("CAPSTONE_QUICK", None)
    code = CHILD_SETUP + CHILDREN[kind] % {"batch": BATCH}
    result = subprocess.run([sys.executable, "-c", code, kind, *map(str, args)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=1800)
    if result.returncode:
        raise RuntimeError(f"benchmark {kind} {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def matmul_flops_per_sample(sizes):
    """FLOPs of the matrix products of one training step, per sample: the forward products, the weight
    gradients, and the gradients of every hidden layer's input (not of the data)."""
    products = [2 * a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return 2 * sum(products) + sum(products[1:])


def epoch_time(kind, sizes, repeats):
    times = []
    for _ in range(repeats):
        times += child(kind, json.dumps(sizes), 2)["epoch_seconds"]
    return statistics.median(times)


def first_time(run, target):
    for accuracy, seconds in zip(run["test_acc"], run["seconds"]):
        if accuracy >= target:
            return seconds
    return float("nan")


def main(repeats=3):
    from course.data import load_mnist

    load_mnist(progressbar=False)  # once, before any timing: a fresh machine downloads or copies it here
    n_train = 55000
    print(f"Capstone ({STEP}): {THREADS} thread(s) for NumPy's BLAS and for PyTorch, batch {BATCH}, float32, "
          f"median over {repeats} runs")
    peak = child("matmul")["gflops"]
    print(f"matmul peak (float32, 2048^3): {peak:.1f} GFLOP/s")
    print(f"{'architecture':<18} {'NumPy s/epoch':>14} {'PyTorch s/epoch':>16} {'NumPy / PyTorch':>16} "
          f"{'NumPy GFLOP/s':>14} {'of peak':>8}")
    for sizes in ARCHITECTURES:
        numpy_s, torch_s = epoch_time("numpy", sizes, repeats), epoch_time("torch", sizes, repeats)
        gflops = matmul_flops_per_sample(sizes) * n_train / numpy_s / 1e9
        print(f"{'-'.join(map(str, sizes)):<18} {numpy_s:>14.2f} {torch_s:>16.2f} {numpy_s / torch_s:>16.2f} "
              f"{gflops:>14.1f} {gflops / peak:>8.0%}")
    print()
    runs = [child("default", seed) for seed in range(repeats)]
    print(f"default run (the notebook's cell), 784-512-512-10, {runs[0]['epochs']} epochs (training time, "
          f"evaluation excluded), seeds 0..{repeats - 1}:")
    for seed, run in enumerate(runs):
        if run["diverged"]:  # fit stopped: the notebook's message, no accuracy to report
            print(f"  seed {seed}: {run['diverged']}")
            continue
        print(f"  seed {seed}: test accuracy {run['test_acc'][-1]:.4f} after {run['seconds'][-1]:.1f} s; 98 % at "
              f"{first_time(run, 0.98):.1f} s, 98.5 % at {first_time(run, 0.985):.1f} s; peak resident memory "
              f"{run['peak_mib']:.0f} MiB")
    print(f"  diverged: {sum(bool(r['diverged']) for r in runs)} of {len(runs)} seeds (the median below is over the others)")
    runs = [r for r in runs if not r["diverged"]]
    median = statistics.median
    if runs:
        print(f"  median: {median(r['test_acc'][-1] for r in runs):.4f} in {median(r['seconds'][-1] for r in runs):.1f} s;"
              f" 98 % at {median(first_time(r, 0.98) for r in runs):.1f} s, 98.5 % at "
              f"{median(first_time(r, 0.985) for r in runs):.1f} s; peak {max(r['peak_mib'] for r in runs):.0f} MiB")
    best = [child("best", seed) for seed in range(repeats)]
    print(f"best recipe (the notebook's cell), 784-800-800-10, {best[0]['epochs']} epochs on all 60 000 images, "
          f"seeds 0..{repeats - 1}:")
    for run in best:
        print(f"  test accuracy {run['test_acc']:.4f} after {run['seconds']:.1f} s; peak {run['peak_mib']:.0f} MiB")
    print(f"  median: {median(r['test_acc'] for r in best):.4f} in {median(r['seconds'] for r in best):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
