"""Initial weights for the Explore panels' "init" control. Introduced in step 01.

Only the schemes every step may use live here (zeros, normal, uniform, each with a
scale). Xavier and He initialization are learners' work in step 03.
"""

import numpy as np

SCHEMES = ("zeros", "normal", "uniform")


def init_weights(scheme, shape, scale=1.0, rng=None):
    """A weight array of ``shape`` drawn by ``scheme``.

    Inputs:
    - scheme: "zeros"; "normal" (standard deviation ``scale``); or "uniform" (on
      [-scale, scale])
    - shape: tuple, e.g. (D, M)
    - scale: spread of the random schemes
    - rng: a ``np.random.Generator`` (seed it for repeatable runs)

    Returns a float64 array of ``shape``.
    """
    if rng is None:
        rng = np.random.default_rng(0)
    if scheme == "zeros":
        return np.zeros(shape)
    if scheme == "normal":
        return scale * rng.normal(size=shape)
    if scheme == "uniform":
        return scale * rng.uniform(-1.0, 1.0, size=shape)
    raise ValueError(f"unknown init scheme {scheme!r}; choose one of {SCHEMES}")
