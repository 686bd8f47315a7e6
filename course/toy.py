"""Small seeded 2-D data sets for the ladder steps.

Every function takes a ``seed`` and returns ``X`` of shape (N, 2), float64, and integer
labels ``y`` of shape (N,). Introduced in step 01 (``linear_regression_data``) and
step 02 (the classification sets).
"""

import numpy as np


def linear_regression_data(N=64, D=3, M=2, noise=0.1, seed=0):
    """Targets from a hidden linear map: ``T = X @ W_true + b_true + noise``.

    Returns ``X`` (N, D), ``T`` (N, M), ``W_true`` (D, M), ``b_true`` (M,).
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D))
    W_true = rng.normal(size=(D, M))
    b_true = rng.normal(size=M)
    T = X @ W_true + b_true + noise * rng.normal(size=(N, M))  # (N, D) @ (D, M) -> (N, M)
    return X, T, W_true, b_true


LOGIC_GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}


def logic_gate(name):
    """The four corners of the unit square labelled by a logic gate.

    Inputs:
    - name: "AND", "OR" or "XOR"

    Returns ``X`` (4, 2) and ``y`` (4,) in {0, 1}.
    """
    if name not in LOGIC_GATES:
        raise ValueError(f"unknown gate {name!r}; choose one of {sorted(LOGIC_GATES)}")
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, LOGIC_GATES[name].copy()


def blobs(N=100, margin=1.0, spread=1.0, seed=0):
    """Two classes separated by a straight line with a gap of ``margin`` around it.

    The classes are drawn on either side of a line through the origin, each point at a
    distance ``margin / 2 + |z|`` from it (z normal with standard deviation ``spread``),
    so a positive margin always leaves a gap. A negative margin puts a point on the wrong
    side of that line when ``|z| < -margin / 2``, so the classes *usually* overlap and no
    line separates them, but it does not guarantee it: when few points cross (a margin
    just below 0), another line may still separate the classes. With ``N=60``, about half
    of the seeds give separable blobs at ``margin=-0.1``, and none of the first 1000 at
    ``margin=-0.5``.

    Returns ``X`` (N, 2) and ``y`` (N,) in {0, 1}, half of each class.
    """
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    tangent = np.array([-normal[1], normal[0]])
    y = np.arange(N) % 2
    sign = 2.0 * y - 1.0
    # distance from the separating line: at least margin / 2 on each side
    across = sign * (margin / 2 + np.abs(rng.normal(scale=spread, size=N)))
    along = rng.normal(scale=2 * spread, size=N)
    X = across[:, None] * normal + along[:, None] * tangent  # (N, 2)
    order = rng.permutation(N)
    return X[order], y[order]


def xor(N=200, noise=0.2, seed=0):
    """Points around the four corners of a square, labelled by XOR of their quadrant.

    Returns ``X`` (N, 2) and ``y`` (N,) in {0, 1}.
    """
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 4, size=N)
    signs = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=np.float64)
    X = signs[corners] + noise * rng.normal(size=(N, 2))
    y = (signs[corners, 0] != signs[corners, 1]).astype(np.int64)
    return X, y


def spirals(N=300, num_classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms, one per class.

    Returns ``X`` (N, 2) and ``y`` (N,) in {0, ..., num_classes - 1}.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(N) % num_classes
    r = rng.uniform(0.05, 1.0, size=N)
    theta = y * (2 * np.pi / num_classes) + 4 * r + noise * rng.normal(size=N)
    X = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)  # (N, 2)
    return X, y.astype(np.int64)


def moons(N=200, noise=0.1, seed=0):
    """Two interleaving half circles.

    Returns ``X`` (N, 2) and ``y`` (N,) in {0, 1}.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(N) % 2
    t = rng.uniform(0, np.pi, size=N)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 0, upper, lower) + noise * rng.normal(size=(N, 2))
    return X, y.astype(np.int64)
