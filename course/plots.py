"""Plots shared by the Explore panels. Introduced in step 01.

Each function draws on the axes it is given (or new ones) and returns them; none calls
``plt.show()``, so a panel can lay several out and show them once.
"""

import matplotlib.pyplot as plt
import numpy as np


def plot_history(history, keys=("loss",), ax=None, logy=True, title=None):
    """Curves of ``history[key]`` against the epoch, one per key.

    Inputs:
    - history: dict of 1-D sequences (one value per epoch)
    - keys: which entries to draw
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    for key in keys:
        values = np.asarray(history[key], dtype=np.float64)
        ax.plot(np.arange(len(values)), values, label=key)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax


def plot_points(X, y, ax=None):
    """Scatter 2-D points ``X`` (N, 2) coloured by their integer label ``y`` (N,)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=18, edgecolors="k", linewidths=0.4)
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def plot_decision_regions(predict, X, y, ax=None, resolution=150, pad=0.5):
    """Colour the plane by ``predict`` and scatter the points on top.

    Inputs:
    - predict: function from (K, 2) points to (K,) integer labels
    - X: (N, 2) points; y: (N,) labels
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    lo = X.min(axis=0) - pad
    hi = X.max(axis=0) + pad
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([g0.ravel(), g1.ravel()], axis=1)  # (resolution**2, 2)
    labels = np.asarray(predict(grid)).reshape(g0.shape)
    ax.contourf(g0, g1, labels, alpha=0.25, cmap="coolwarm")
    plot_points(X, y, ax=ax)
    return ax
