"""Numerical gradients by centered differences, and the relative error.

Introduced in step 01 as a tool to trust a backward pass; learners write their own
checker in step 06, where it is graded.
"""

import numpy as np


def rel_error(x, y, eps=1e-12):
    """Largest elementwise relative error ``|x - y| / max(eps, |x| + |y|)``.

    Inputs:
    - x, y: arrays of the same shape (or numbers)

    Returns a float: about 1e-7 or less for a correct float64 gradient, near 1 for a
    wrong one.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error got shapes {x.shape} and {y.shape}; they must match")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(eps, np.abs(x) + np.abs(y))))


def numerical_gradient(f, x, dout=None, h=1e-6):
    """Gradient of ``sum(f(x) * dout)`` with respect to ``x``, by centered differences.

    ``x`` is changed in place one entry at a time and restored afterwards.

    Inputs:
    - f: function of no arguments that reads ``x`` and returns a scalar or an array
    - x: float64 array, shape (any)
    - dout: upstream gradient with the shape of ``f()``'s output; None when f is scalar
    - h: step size

    Returns an array with the shape of ``x``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient needs x as a float64 array "
                        f"(got {type(x).__name__} {getattr(x, 'dtype', '')}); "
                        "float32 is too coarse for centered differences")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = np.array(f(), dtype=np.float64, copy=True)
        x[i] = old - h
        minus = np.array(f(), dtype=np.float64, copy=True)
        x[i] = old
        diff = plus - minus
        grad[i] = np.sum(diff if dout is None else diff * dout) / (2 * h)
        it.iternext()
    return grad
