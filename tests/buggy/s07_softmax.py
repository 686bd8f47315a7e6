"""Typical mistakes in step 07 (softmax and numerical stability). Each function is one
wrong hand-in."""

import numpy as np

from tests.buggy import bug

# --- softmax --------------------------------------------------------------------------


@bug("softmax", "the textbook formula without the max shift: nan for logits of 1000")
def softmax_no_shift(z, axis=-1):
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


@bug("softmax", "one maximum for the whole batch instead of one per row: 0 / 0 for a row far below it")
def softmax_global_max(z, axis=-1):
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=axis, keepdims=True)


@bug("softmax", "normalizes over the batch axis (axis=0) instead of the class axis")
def softmax_wrong_axis(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


@bug("softmax", "divides by the sum over every entry (no axis): the rows sum to 1 / N")
def softmax_total_sum(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e)


@bug("softmax", "ignores the axis argument (always the last axis)")
def softmax_ignores_axis(z, axis=-1):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@bug("softmax", "converts the logits to float64 (float32 in, float64 out)")
def softmax_upcasts(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


# --- logsumexp ------------------------------------------------------------------------


@bug("logsumexp", "the textbook log(sum(exp(z))): inf for logits of 1000")
def logsumexp_no_shift(z, axis=-1, keepdims=False):
    return np.log(np.sum(np.exp(z), axis=axis, keepdims=keepdims))


@bug("logsumexp", "shifts by the maximum but forgets to add it back")
def logsumexp_forgets_max(z, axis=-1, keepdims=False):
    m = np.max(z, axis=axis, keepdims=True)
    return np.log(np.sum(np.exp(z - m), axis=axis, keepdims=keepdims))


@bug("logsumexp", "ignores keepdims (always drops the axis)")
def logsumexp_ignores_keepdims(z, axis=-1, keepdims=False):
    m = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(z - m), axis=axis))


@bug("logsumexp", "the maximum alone (forgets the log of the sum): a hard max, not log-sum-exp")
def logsumexp_hard_max(z, axis=-1, keepdims=False):
    return np.max(z, axis=axis, keepdims=keepdims)


@bug("logsumexp", "converts the logits to float64 (float32 in, float64 out)")
def logsumexp_upcasts(z, axis=-1, keepdims=False):
    z = np.asarray(z, dtype=np.float64)
    m = np.max(z, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


# --- log_softmax ----------------------------------------------------------------------


@bug("log_softmax", "np.log of softmax: -inf where a probability rounds to 0")
def log_softmax_log_of_softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return np.log(e / np.sum(e, axis=axis, keepdims=True))


@bug("log_softmax", "subtracts the maximum only (forgets the log of the sum)")
def log_softmax_max_only(z, axis=-1):
    return z - np.max(z, axis=axis, keepdims=True)


@bug("log_softmax", "the naive log-sum-exp: nan for logits of 1000")
def log_softmax_naive_lse(z, axis=-1):
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


@bug("log_softmax", "log-sum-exp over the wrong axis (axis=0) whatever axis is asked")
def log_softmax_wrong_axis(z, axis=-1):
    m = np.max(z, axis=0, keepdims=True)
    return z - (m + np.log(np.sum(np.exp(z - m), axis=0, keepdims=True)))


@bug("log_softmax", "converts the logits to float64 (float32 in, float64 out)")
def log_softmax_upcasts(z, axis=-1):
    z = np.array(z, dtype=np.float64)
    m = np.max(z, axis=axis, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
