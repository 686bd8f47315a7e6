"""Typical mistakes in step 05 (optimizers). Each function is one wrong hand-in."""

import math

import numpy as np

from tests.buggy import bug

# --- sgd_step -------------------------------------------------------------------------


@bug("sgd_step", "steps along the gradient instead of against it")
def sgd_wrong_sign(param, grad, state, lr, weight_decay=0.0):
    return param + lr * (grad + weight_decay * param), state


@bug("sgd_step", "weight decay not multiplied by the learning rate")
def sgd_decay_without_lr(param, grad, state, lr, weight_decay=0.0):
    return param - lr * grad - weight_decay * param, state


@bug("sgd_step", "weight decay subtracted from the gradient (pushes weights outwards)")
def sgd_decay_wrong_sign(param, grad, state, lr, weight_decay=0.0):
    return param - lr * (grad - weight_decay * param), state


@bug("sgd_step", "ignores weight_decay")
def sgd_forgets_decay(param, grad, state, lr, weight_decay=0.0):
    return param - lr * grad, state


# --- momentum_step --------------------------------------------------------------------


@bug("momentum_step", "momentum buffer updated after the step (steps with the old buffer)")
def momentum_buffer_after_step(param, grad, state, lr, momentum=0.9):
    buf = state.get("buf", np.zeros_like(param))
    new_param = param - lr * buf
    buf = momentum * buf + grad
    return new_param, {"buf": buf}


@bug("momentum_step", "averages instead of summing: buf = mu * buf + (1 - mu) * grad")
def momentum_dampened(param, grad, state, lr, momentum=0.9):
    buf = state.get("buf", np.zeros_like(param))
    buf = momentum * buf + (1 - momentum) * grad
    return param - lr * buf, {"buf": buf}


@bug("momentum_step", "velocity form v = mu * v - lr * grad: wrong when lr changes between steps")
def momentum_velocity_form(param, grad, state, lr, momentum=0.9):
    v = state.get("buf", np.zeros_like(param))
    v = momentum * v - lr * grad
    return param + v, {"buf": v}


@bug("momentum_step", "steps with the gradient; the buffer is computed but not used")
def momentum_unused_buffer(param, grad, state, lr, momentum=0.9):
    buf = state.get("buf", np.zeros_like(param))
    buf = momentum * buf + grad
    return param - lr * grad, {"buf": buf}


# --- nesterov_step --------------------------------------------------------------------


@bug("nesterov_step", "no look-ahead: plain momentum")
def nesterov_no_lookahead(param, grad, state, lr, momentum=0.9):
    buf = state.get("buf", np.zeros_like(param))
    buf = momentum * buf + grad
    return param - lr * buf, {"buf": buf}


@bug("nesterov_step", "look-ahead uses the buffer from before this step's update")
def nesterov_old_buffer(param, grad, state, lr, momentum=0.9):
    buf = state.get("buf", np.zeros_like(param))
    new_param = param - lr * (grad + momentum * buf)
    buf = momentum * buf + grad
    return new_param, {"buf": buf}


@bug("nesterov_step", "drops the gradient term: steps by lr * mu * buf")
def nesterov_no_grad_term(param, grad, state, lr, momentum=0.9):
    buf = state.get("buf", np.zeros_like(param))
    buf = momentum * buf + grad
    return param - lr * momentum * buf, {"buf": buf}


@bug("nesterov_step", "look-ahead with the wrong sign: grad - mu * buf")
def nesterov_wrong_sign(param, grad, state, lr, momentum=0.9):
    buf = state.get("buf", np.zeros_like(param))
    buf = momentum * buf + grad
    return param - lr * (grad - momentum * buf), {"buf": buf}


# --- rmsprop_step ---------------------------------------------------------------------


@bug("rmsprop_step", "eps inside the square root")
def rmsprop_eps_inside_sqrt(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg = state.get("square_avg", np.zeros_like(param))
    square_avg = alpha * square_avg + (1 - alpha) * grad ** 2
    return param - lr * grad / np.sqrt(square_avg + eps), {"square_avg": square_avg}


@bug("rmsprop_step", "alpha and 1 - alpha swapped in the running mean")
def rmsprop_alpha_swapped(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg = state.get("square_avg", np.zeros_like(param))
    square_avg = (1 - alpha) * square_avg + alpha * grad ** 2
    return param - lr * grad / (np.sqrt(square_avg) + eps), {"square_avg": square_avg}


@bug("rmsprop_step", "divides by the running mean from before this step's update")
def rmsprop_update_after_step(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg = state.get("square_avg", np.zeros_like(param))
    new_param = param - lr * grad / (np.sqrt(square_avg) + eps)
    square_avg = alpha * square_avg + (1 - alpha) * grad ** 2
    return new_param, {"square_avg": square_avg}


@bug("rmsprop_step", "forgets the square root")
def rmsprop_no_sqrt(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8):
    square_avg = state.get("square_avg", np.zeros_like(param))
    square_avg = alpha * square_avg + (1 - alpha) * grad ** 2
    return param - lr * grad / (square_avg + eps), {"square_avg": square_avg}


# --- adam_step ------------------------------------------------------------------------


@bug("adam_step", "forgets the bias correction")
def adam_no_bias_correction(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    return param - lr * m / (np.sqrt(v) + eps), {"t": t, "m": m, "v": v}


@bug("adam_step", "eps inside the square root of the corrected second moment")
def adam_eps_inside_sqrt(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / np.sqrt(v_hat + eps), {"t": t, "m": m, "v": v}


@bug("adam_step", "t starts at 0 in the bias correction (incremented after it)")
def adam_t_from_zero(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0)
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    t = t + 1
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}


@bug("adam_step", "bias correction one step ahead: 1 - beta ** (t + 1)")
def adam_t_off_by_one(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}


@bug("adam_step", "beta and 1 - beta swapped in the moment updates")
def adam_betas_swapped(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m = (1 - beta1) * state.get("m", np.zeros_like(param)) + beta1 * grad
    v = (1 - beta2) * state.get("v", np.zeros_like(param)) + beta2 * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}


# --- adamw_step -----------------------------------------------------------------------


@bug("adamw_step", "weight decay coupled into the gradient (Adam with an L2 term)")
def adamw_coupled(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    grad = grad + weight_decay * param
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), {"t": t, "m": m, "v": v}


@bug("adamw_step", "decay not multiplied by the learning rate: param * (1 - weight_decay)")
def adamw_decay_without_lr(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                           weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    new_param = param * (1 - weight_decay) - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_param, {"t": t, "m": m, "v": v}


@bug("adamw_step", "decay applied after the Adam step (shrinks the updated parameters)")
def adamw_decay_after_step(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                           weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    new_param = (param - lr * m_hat / (np.sqrt(v_hat) + eps)) * (1 - lr * weight_decay)
    return new_param, {"t": t, "m": m, "v": v}


@bug("adamw_step", "forgets the bias correction")
def adamw_no_bias_correction(param, grad, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                             weight_decay=0.01):
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(param)) + (1 - beta1) * grad
    v = beta2 * state.get("v", np.zeros_like(param)) + (1 - beta2) * grad ** 2
    new_param = param * (1 - lr * weight_decay) - lr * m / (np.sqrt(v) + eps)
    return new_param, {"t": t, "m": m, "v": v}


# --- step_lr --------------------------------------------------------------------------


@bug("step_lr", "decays one step early: (t + 1) // step_size")
def step_lr_early(t, base_lr, step_size, gamma=0.1):
    return base_lr * gamma ** ((t + 1) // step_size)


@bug("step_lr", "no floor: gamma ** (t / step_size) decays at every step")
def step_lr_no_floor(t, base_lr, step_size, gamma=0.1):
    return base_lr * gamma ** (t / step_size)


@bug("step_lr", "already decayed in the first period: gamma ** (t // step_size + 1)")
def step_lr_decays_from_start(t, base_lr, step_size, gamma=0.1):
    return base_lr * gamma ** (t // step_size + 1)


# --- cosine_lr ------------------------------------------------------------------------


@bug("cosine_lr", "divides by T_max - 1 (np.linspace habit)")
def cosine_lr_off_by_one_period(t, base_lr, T_max, eta_min=0.0):
    return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(math.pi * t / (T_max - 1)))


@bug("cosine_lr", "adds eta_min on top instead of interpolating towards it")
def cosine_lr_eta_min_added(t, base_lr, T_max, eta_min=0.0):
    return eta_min + 0.5 * base_lr * (1 + math.cos(math.pi * t / T_max))


@bug("cosine_lr", "1 - cos: the schedule climbs instead of decaying")
def cosine_lr_wrong_sign(t, base_lr, T_max, eta_min=0.0):
    return eta_min + 0.5 * (base_lr - eta_min) * (1 - math.cos(math.pi * t / T_max))


@bug("cosine_lr", "evaluated one step ahead: t + 1")
def cosine_lr_t_plus_one(t, base_lr, T_max, eta_min=0.0):
    return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(math.pi * (t + 1) / T_max))


@bug("cosine_lr", "holds eta_min after T_max (min(t, T_max)); torch's formula climbs back up")
def cosine_lr_clamped(t, base_lr, T_max, eta_min=0.0):
    return eta_min + 0.5 * (base_lr - eta_min) * (1 + math.cos(math.pi * min(t, T_max) / T_max))


# --- warmup_lr ------------------------------------------------------------------------


@bug("warmup_lr", "no cap: the learning rate keeps growing after the warmup")
def warmup_lr_no_cap(t, base_lr, warmup_steps, start_factor=0.1):
    return base_lr * (start_factor + (1 - start_factor) * t / warmup_steps)


@bug("warmup_lr", "ramps from 0, ignoring start_factor")
def warmup_lr_from_zero(t, base_lr, warmup_steps, start_factor=0.1):
    return base_lr * min(t, warmup_steps) / warmup_steps


@bug("warmup_lr", "one step ahead: uses t + 1")
def warmup_lr_t_plus_one(t, base_lr, warmup_steps, start_factor=0.1):
    progress = min(t + 1, warmup_steps) / warmup_steps
    return base_lr * (start_factor + (1 - start_factor) * progress)


@bug("warmup_lr", "reaches base_lr at warmup_steps - 1")
def warmup_lr_short_ramp(t, base_lr, warmup_steps, start_factor=0.1):
    progress = min(t, warmup_steps - 1) / (warmup_steps - 1)
    return base_lr * (start_factor + (1 - start_factor) * progress)


# --- clip_grad_norm -------------------------------------------------------------------


@bug("clip_grad_norm", "clips each tensor by its own norm instead of the global norm")
def clip_per_tensor(grads, max_norm):
    total_norm = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    clipped = []
    for g in grads:
        scale = max_norm / (float(np.sqrt(np.sum(g ** 2))) + 1e-6)
        clipped.append(g * scale if scale < 1 else g.copy())
    return clipped, total_norm


@bug("clip_grad_norm", "always rescales to max_norm, even small gradients")
def clip_always(grads, max_norm):
    total_norm = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    scale = max_norm / (total_norm + 1e-6)
    return [g * scale for g in grads], total_norm


@bug("clip_grad_norm", "global norm as the sum of the tensors' norms")
def clip_sum_of_norms(grads, max_norm):
    total_norm = sum(float(np.sqrt(np.sum(g ** 2))) for g in grads)
    scale = max_norm / (total_norm + 1e-6)
    return ([g * scale for g in grads] if scale < 1 else [g.copy() for g in grads]), total_norm


@bug("clip_grad_norm", "returns the norm after clipping")
def clip_returns_new_norm(grads, max_norm):
    total_norm = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    scale = max_norm / (total_norm + 1e-6)
    clipped = [g * scale for g in grads] if scale < 1 else [g.copy() for g in grads]
    return clipped, math.sqrt(sum(float(np.sum(g ** 2)) for g in clipped))
