"""Assertions for notebook test cells, with messages a learner can act on.

Introduced in step 01. Every check raises ``AssertionError`` (so nbgrader marks the cell
as failed) with a message that names the tensor and what is wrong, for example
``dW has shape (3, 4), expected (4, 3)`` or ``db differs from the expected values in 1
of 3 place(s): largest error 0.5 at index (2,) (got 1.5, expected 1.0, relative error
0.33; ...)``. Values are printed in full (``1.0000001``, never a rounded ``1``), so two
numbers that differ never look the same.
"""

import contextlib

import numpy as np


def _as_shape(shape):
    return tuple(int(s) for s in shape)


def check_shape(name, value, expected):
    """Check that ``value`` is an array of shape ``expected``.

    Inputs:
    - name: what the value is called in the notebook (``"dW"``)
    - value: the learner's result
    - expected: the shape it must have, a tuple
    """
    expected = _as_shape(expected)
    if value is None:
        raise AssertionError(f"{name} is None, expected an array of shape {expected} "
                             "(did the function forget to return it?)")
    shape = np.shape(value)
    if shape != expected:
        raise AssertionError(f"{name} has shape {shape}, expected {expected}")


def check_finite(name, value):
    """Check that ``value`` holds no NaN or infinity."""
    value = np.asarray(value)
    bad = ~np.isfinite(value)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AssertionError(f"{name} has {int(bad.sum())} non-finite value(s), "
                             f"the first at index {index}: {value[index]}")


def check_close(name, value, expected, *, rtol=1e-7, atol=0.0):
    """Check shape, then values, of ``value`` against ``expected``.

    The message reports the largest error, where it is, and the two values there.

    Inputs:
    - name: what the value is called in the notebook
    - value: the learner's result (array or number)
    - expected: the reference (array or number)
    - rtol, atol: tolerances, as in ``np.testing.assert_allclose``
    """
    expected = np.asarray(expected)
    check_shape(name, value, expected.shape)
    value = np.asarray(value)
    if not (np.issubdtype(value.dtype, np.number) or value.dtype == np.bool_):
        raise AssertionError(f"{name} has dtype {value.dtype}, expected numbers")
    got_all = value.astype(np.float64)
    want_all = expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got_all - want_all)
        ok = (err <= atol + rtol * np.abs(want_all)) | (got_all == want_all)
    ok |= np.isnan(got_all) & np.isnan(want_all)
    if not ok.all():
        ranked = np.where(ok, -np.inf, np.nan_to_num(err, nan=np.inf))
        index = tuple(int(i) for i in np.unravel_index(int(np.argmax(ranked)), err.shape))
        where = f" at index {index}" if index else ""
        got, want = float(got_all[index]), float(want_all[index])
        raise AssertionError(
            f"{name} differs from the expected values in {int((~ok).sum())} of "
            f"{ok.size} place(s): largest error {float(err[index]):.3g}{where} "
            f"(got {got!r}, expected {want!r}{_relative(got, want)}; "
            f"tolerance rtol={rtol:g}, atol={atol:g})")


def _relative(got, want):
    """", relative error 3.1e-05" when both values are finite and not both zero."""
    if not (np.isfinite(got) and np.isfinite(want)) or got == want == 0:
        return ""
    return f", relative error {abs(got - want) / max(abs(got), abs(want)):.2g}"


def check_equal(name, value, expected):
    """Check that ``value == expected`` for plain Python values (tuples, dicts, sets)."""
    if value != expected:
        raise AssertionError(f"{name} is {value!r}, expected {expected!r}")


def report_error(name, error, expected_below, hint="look for a transposed or missing term"):
    """Print a relative error and the size to expect, for visible check cells.

    ``hint`` is printed when the error is too large. Returns True when the error is below
    ``expected_below``.
    """
    ok = bool(error < expected_below)
    verdict = "ok" if ok else f"TOO LARGE: {hint}"
    print(f"{name}: relative error {error:.2e} (expect below {expected_below:.0e}) {verdict}")
    return ok


@contextlib.contextmanager
def stand_in(namespace, name, function):
    """While the ``with`` block runs, the notebook's global ``name`` is ``function``.

    A test replaces one of the learner's functions with a stand-in of its own, to see how
    another of their functions calls it (``namespace`` is the notebook's ``globals()``).
    When ``nbgrader autograde`` evaluates the tests outside the learner's kernel
    (``course.outside``), the grader's own version replaces the name in the kernel.
    """
    missing = object()
    before = namespace.get(name, missing)
    namespace[name] = function
    try:
        yield
    finally:
        if before is missing:
            namespace.pop(name, None)
        else:
            namespace[name] = before
