"""Correct alternatives for step 05 (optimizers): each must score full marks.

Other algebra for the same rule (torch's own rearrangements, decay folded into the step),
explicit loops over the entries, and documented-equivalent forms such as the textbook
clipping factor without torch's 1e-6.
"""

import math

import numpy as np

from tests.alternatives import alternative

# --- sgd_step -------------------------------------------------------------------------


@alternative("sgd_step", "decay folded into a shrink factor: (1 - lr * wd) * param - lr * grad")
def sgd_shrink_factor(param, grad, state, lr, weight_decay=0.0):
    return (1 - lr * weight_decay) * param - lr * grad, state


@alternative("sgd_step", "a loop over the entries, on a float copy")
def sgd_loop(param, grad, state, lr, weight_decay=0.0):
    new_param = np.array(param, dtype=np.float64)
    for i in np.ndindex(new_param.shape):
        new_param[i] = param[i] - lr * (grad[i] + weight_decay * param[i])
    return new_param, state


# --- momentum_step --------------------------------------------------------------------


@alternative("momentum_step", "first step special-cased (buf = grad), np.multiply / np.add")
def momentum_first_step_branch(param, grad, state, lr, momentum=0.9):
    if "buf" in state:
        buf = np.add(np.multiply(momentum, state["buf"]), grad)
    else:
        buf = np.array(grad, dtype=np.float64)
    return np.subtract(param, lr * buf), {"buf": buf}


@alternative("momentum_step", "a loop over the entries")
def momentum_loop(param, grad, state, lr, momentum=0.9):
    old = state.get("buf", np.zeros_like(param))
    buf = np.empty(np.shape(param))
    new_param = np.empty(np.shape(param))
    for i in np.ndindex(buf.shape):
        buf[i] = momentum * old[i] + grad[i]
        new_param[i] = param[i] - lr * buf[i]
    return new_param, {"buf": buf}


# --- nesterov_step --------------------------------------------------------------------


@alternative("nesterov_step", "in terms of the old buffer: lr * ((1 + mu) g + mu^2 buf_old)")
def nesterov_old_buffer_algebra(param, grad, state, lr, momentum=0.9):
    old = state.get("buf", np.zeros_like(param))
    new_param = param - lr * ((1 + momentum) * grad + momentum ** 2 * old)
    return new_param, {"buf": momentum * old + grad}


@alternative("nesterov_step", "a loop over the entries")
def nesterov_loop(param, grad, state, lr, momentum=0.9):
    old = state.get("buf", np.zeros_like(param))
    buf = np.empty(np.shape(param))
    new_param = np.empty(np.shape(param))
    for i in np.ndindex(buf.shape):
        buf[i] = momentum * old[i] + grad[i]
        new_param[i] = param[i] - lr * (grad[i] + momentum * buf[i])
    return new_param, {"buf": buf}


# --- rmsprop_step ---------------------------------------------------------------------


@alternative("rmsprop_step", "running mean as s + (1 - alpha) (g^2 - s); np.square")
def rmsprop_increment_form(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg = state.get("square_avg", np.zeros_like(param))
    square_avg = square_avg + (1 - alpha) * (np.square(grad) - square_avg)
    return param - lr * grad / (np.sqrt(square_avg) + eps), {"square_avg": square_avg}


@alternative("rmsprop_step", "a loop over the entries with math.sqrt")
def rmsprop_loop(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    old = state.get("square_avg", np.zeros_like(param))
    square_avg = np.empty(np.shape(param))
    new_param = np.empty(np.shape(param))
    for i in np.ndindex(square_avg.shape):
        square_avg[i] = alpha * old[i] + (1 - alpha) * grad[i] * grad[i]
        new_param[i] = param[i] - lr * grad[i] / (math.sqrt(square_avg[i]) + eps)
    return new_param, {"square_avg": square_avg}


# --- adam_step ------------------------------------------------------------------------


@alternative("adam_step", "torch's arrangement: step size lr / bc1, denominator sqrt(v) / sqrt(bc2) + eps")
def adam_folded_step_size(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad * grad
    step_size = lr / (1 - beta1 ** t)
    denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps
    return param - step_size * m / denom, {"t": t, "m": m, "v": v}


@alternative("adam_step", "a loop over the entries with explicit m_hat and v_hat")
def adam_loop(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m_old = state.get("m", np.zeros_like(param))
    v_old = state.get("v", np.zeros_like(param))
    m, v, new_param = (np.empty(np.shape(param)) for _ in range(3))
    for i in np.ndindex(m.shape):
        m[i] = beta1 * m_old[i] + (1 - beta1) * grad[i]
        v[i] = beta2 * v_old[i] + (1 - beta2) * grad[i] ** 2
        m_hat, v_hat = m[i] / (1 - beta1 ** t), v[i] / (1 - beta2 ** t)
        new_param[i] = param[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
    return new_param, {"t": t, "m": m, "v": v}


# --- adamw_step -----------------------------------------------------------------------


@alternative("adamw_step", "one expression: param - lr * (wd * param + m_hat / (sqrt(v_hat) + eps))")
def adamw_single_expression(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                            weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    update = (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return param - lr * (weight_decay * param + update), {"t": t, "m": m, "v": v}


@alternative("adamw_step", "torch's arrangement (folded step size), decay applied last")
def adamw_folded_decay_last(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                            weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad * grad
    adam_move = lr / (1 - beta1 ** t) * m / (np.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps)
    decay = lr * weight_decay * param
    return param - decay - adam_move, {"t": t, "m": m, "v": v}


# --- step_lr --------------------------------------------------------------------------


@alternative("step_lr", "a loop that multiplies by gamma once per completed period")
def step_lr_loop(t, base_lr, step_size, gamma=0.1):
    lr = base_lr
    for _ in range(t // step_size):
        lr *= gamma
    return lr


@alternative("step_lr", "math.floor of a true division, float result")
def step_lr_floor(t, base_lr, step_size, gamma=0.1):
    return float(base_lr * gamma ** math.floor(t / step_size))


# --- cosine_lr ------------------------------------------------------------------------


@alternative("cosine_lr", "the squared-cosine identity: (1 + cos x) / 2 = cos(x / 2)^2")
def cosine_lr_squared(t, base_lr, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * math.cos(math.pi * t / (2 * T_max)) ** 2


@alternative("cosine_lr", "np.cos, written as base_lr minus the part already annealed")
def cosine_lr_numpy(t, base_lr, T_max, eta_min=0.0):
    annealed = (base_lr - eta_min) * (1 - np.cos(np.pi * t / T_max)) / 2
    return float(base_lr - annealed)


# --- warmup_lr ------------------------------------------------------------------------


@alternative("warmup_lr", "np.interp between (0, f * base_lr) and (W, base_lr); np.interp holds the end")
def warmup_lr_interp(t, base_lr, warmup_steps, start_factor=0.1):
    return float(np.interp(t, [0, warmup_steps], [start_factor * base_lr, base_lr]))


@alternative("warmup_lr", "an early return after the warmup, then the line from the start value")
def warmup_lr_branch(t, base_lr, warmup_steps, start_factor=0.1):
    if t >= warmup_steps:
        return base_lr
    start = start_factor * base_lr
    return start + (base_lr - start) * t / warmup_steps


# --- clip_grad_norm -------------------------------------------------------------------


@alternative("clip_grad_norm", "textbook factor min(1, max_norm / norm), np.linalg.norm of the concatenation")
def clip_textbook_concatenate(grads, max_norm):
    total_norm = float(np.linalg.norm(np.concatenate([np.ravel(g) for g in grads])))
    factor = min(1.0, max_norm / total_norm) if total_norm > 0 else 1.0
    return [np.asarray(g, dtype=np.float64) * factor for g in grads], total_norm


@alternative("clip_grad_norm", "loops: sqrt of the sum of squares entry by entry, torch's 1e-6")
def clip_loops(grads, max_norm):
    squares = 0.0
    for g in grads:
        for x in np.ravel(g):
            squares += float(x) * float(x)
    total_norm = math.sqrt(squares)
    clipped = []
    for g in grads:
        if total_norm > max_norm:
            clipped.append(g * (max_norm / (total_norm + 1e-6)))
        else:
            clipped.append(g.copy())
    return clipped, total_norm
