"""Step 05's optimizers, schedules and clipping against PyTorch, in float64.

Every update rule of the notebook (the model solution) runs 100 steps next to the
matching ``torch.optim`` optimizer, with the same hyper-parameters (defaults and others)
and the same gradients: either seeded random gradients written into ``p.grad``, or the
gradients of a fixed quadratic, which each side computes at its own parameters (torch by
autograd). Parameters are compared after every step. The schedules are compared with
``torch.optim.lr_scheduler`` over 100 steps, and clipping with
``torch.nn.utils.clip_grad_norm_`` on several tensors.
"""

import numpy as np
import pytest
import torch

from tests.nbns import namespace

ASSIGNMENT = "05_optimizers"
NUM_STEPS = 100
RTOL, ATOL = 1e-6, 1e-9


def ns():
    return namespace(ASSIGNMENT)


def quadratic(shape, seed):
    """A fixed quadratic f(p) = p . (A p) / 2 + c . p over the flattened p."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    Q = rng.normal(size=(n, n))
    A = Q @ Q.T / n + 0.5 * np.eye(n)  # symmetric positive definite
    c = rng.normal(size=n)
    return A, c


def run_both(step, make_optimizer, hyper, shape, seed, gradients="random", scale=1.0, lrs=None):
    """Run the notebook's ``step`` and a torch optimizer side by side; compare every step.

    - step: the notebook's update rule, called as step(p, g, state, lr=..., **hyper)
    - make_optimizer: function of a list of tensors and lr returning a torch optimizer
    - gradients: "random" (the same seeded gradients fed to both) or "quadratic"
    - scale: size of the gradients (tiny ones make eps matter)
    - lrs: learning rate of each step (set on the torch optimizer before each step)
    """
    rng = np.random.default_rng(seed)
    p0 = rng.normal(size=shape)
    if lrs is None:
        lrs = [hyper.pop("lr")] * NUM_STEPS
    w = torch.tensor(p0.copy(), dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([w], lrs[0])
    if gradients == "quadratic":
        A, c = quadratic(shape, seed + 1)
        A_t, c_t = torch.tensor(A * scale), torch.tensor(c * scale)
    else:
        random_grads = rng.normal(size=(NUM_STEPS,) + shape) * scale
    p, state = p0.copy(), {}
    for k in range(NUM_STEPS):
        for group in optimizer.param_groups:
            group["lr"] = lrs[k]
        optimizer.zero_grad()
        if gradients == "quadratic":
            flat = w.reshape(-1)
            loss = 0.5 * flat @ (A_t @ flat) + c_t @ flat
            loss.backward()
            g = (A * scale @ p.reshape(-1) + c * scale).reshape(shape)
        else:
            g = random_grads[k]
            w.grad = torch.tensor(g.copy())
        optimizer.step()
        p, state = step(p, g.copy(), state, lr=lrs[k], **hyper)
        np.testing.assert_allclose(p, w.detach().numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f"parameters differ from torch after step {k + 1}")


# (shape, gradients, their size, seed): tiny gradients make eps matter, large ones stress the rest
CASES = [((7,), "random", 1.0, 0), ((3, 4), "random", 1e-6, 1), ((2, 3, 2), "random", 1e3, 2),
         ((3, 4), "quadratic", 1.0, 3), ((2, 3, 2), "quadratic", 1.0, 4)]
IDS = [f"{kind}-x{scale:g}-{'x'.join(map(str, shape))}" for shape, kind, scale, _ in CASES]


def sgd_case(kind, scale):
    # keep plain gradient descent stable on the quadratic
    return 0.05 if kind == "quadratic" else 0.05 / max(scale, 1.0)


@pytest.mark.parametrize("shape,kind,scale,seed", CASES, ids=IDS)
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_sgd(shape, kind, scale, seed, weight_decay):
    lr = sgd_case(kind, scale)
    run_both(ns()["sgd_step"], lambda ps, lr: torch.optim.SGD(ps, lr=lr, weight_decay=weight_decay),
             {"lr": lr, "weight_decay": weight_decay}, shape, seed, kind, scale)


@pytest.mark.parametrize("shape,kind,scale,seed", CASES, ids=IDS)
@pytest.mark.parametrize("momentum", [0.9, 0.5])
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_and_nesterov(shape, kind, scale, seed, momentum, nesterov):
    step = ns()["nesterov_step" if nesterov else "momentum_step"]
    lr = sgd_case(kind, scale) / 5
    run_both(step, lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=momentum, nesterov=nesterov),
             {"lr": lr, "momentum": momentum}, shape, seed, kind, scale)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_with_a_changing_learning_rate(nesterov):
    """torch multiplies the whole buffer by the current lr: check it under a schedule."""
    step = ns()["nesterov_step" if nesterov else "momentum_step"]
    lrs = [ns()["cosine_lr"](t, 0.02, 40, 0.001) for t in range(NUM_STEPS)]
    run_both(step, lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.8, nesterov=nesterov),
             {"momentum": 0.8}, (4, 3), 7, "quadratic", 1.0, lrs=lrs)


RMSPROP_HYPER = [{"lr": 0.01}, {"lr": 0.003, "alpha": 0.9, "eps": 1e-3}, {"lr": 0.02, "alpha": 0.5, "eps": 1e-6}]


@pytest.mark.parametrize("shape,kind,scale,seed", CASES, ids=IDS)
@pytest.mark.parametrize("hyper", RMSPROP_HYPER, ids=["defaults", "alpha0.9-eps1e-3", "alpha0.5-eps1e-6"])
def test_rmsprop(shape, kind, scale, seed, hyper):
    torch_kw = {k: v for k, v in hyper.items() if k != "lr"}
    run_both(ns()["rmsprop_step"], lambda ps, lr: torch.optim.RMSprop(ps, lr=lr, **torch_kw),
             dict(hyper), shape, seed, kind, scale)


ADAM_HYPER = [{"lr": 0.001}, {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-4},
              {"lr": 0.01, "beta1": 0.5, "beta2": 0.9, "eps": 1e-8}]


def torch_adam_kw(hyper):
    kw = {"betas": (hyper.get("beta1", 0.9), hyper.get("beta2", 0.999))}
    for key in ("eps", "weight_decay"):
        if key in hyper:
            kw[key] = hyper[key]
    return kw


@pytest.mark.parametrize("shape,kind,scale,seed", CASES, ids=IDS)
@pytest.mark.parametrize("hyper", ADAM_HYPER, ids=["defaults", "betas0.8-0.99-eps1e-4", "betas0.5-0.9"])
def test_adam(shape, kind, scale, seed, hyper):
    kw = torch_adam_kw(hyper)
    run_both(ns()["adam_step"], lambda ps, lr: torch.optim.Adam(ps, lr=lr, **kw),
             dict(hyper), shape, seed, kind, scale)


ADAMW_HYPER = [{"lr": 0.001}, {"lr": 0.05, "beta1": 0.85, "beta2": 0.995, "eps": 1e-6, "weight_decay": 0.3},
               {"lr": 0.01, "weight_decay": 0.0}, {"lr": 0.02, "beta1": 0.5, "beta2": 0.9, "weight_decay": 2.0}]


@pytest.mark.parametrize("shape,kind,scale,seed", CASES, ids=IDS)
@pytest.mark.parametrize("hyper", ADAMW_HYPER, ids=["defaults", "wd0.3", "wd0", "wd2"])
def test_adamw(shape, kind, scale, seed, hyper):
    kw = torch_adam_kw(hyper)
    run_both(ns()["adamw_step"], lambda ps, lr: torch.optim.AdamW(ps, lr=lr, **kw),
             dict(hyper), shape, seed, kind, scale)


def test_adamw_is_not_adam_with_l2():
    """Sanity: the notebook's AdamW differs from torch's Adam(weight_decay=...) (coupled L2)."""
    with pytest.raises(AssertionError):
        run_both(ns()["adamw_step"], lambda ps, lr: torch.optim.Adam(ps, lr=lr, weight_decay=0.3),
                 {"lr": 0.05, "weight_decay": 0.3}, (5,), 3, "quadratic", 1.0)


# --- schedules ------------------------------------------------------------------------


def torch_lrs(make_scheduler, base_lr):
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(NUM_STEPS):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(lrs)


@pytest.mark.parametrize("base_lr,step_size,gamma", [(0.1, 30, 0.1), (0.5, 7, 0.5), (0.01, 1, 0.95),
                                                     (1.0, 100, 0.3)])
def test_step_lr(base_lr, step_size, gamma):
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=step_size, gamma=gamma),
                         base_lr)
    got = np.array([ns()["step_lr"](t, base_lr, step_size, gamma) for t in range(NUM_STEPS)])
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("base_lr,T_max,eta_min", [(0.1, 100, 0.0), (0.1, 99, 0.001), (0.5, 30, 0.01),
                                                   (0.02, 7, 0.0), (1.0, 1000, 0.1)])
def test_cosine_lr(base_lr, T_max, eta_min):
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=T_max, eta_min=eta_min),
                         base_lr)
    got = np.array([ns()["cosine_lr"](t, base_lr, T_max, eta_min) for t in range(NUM_STEPS)])
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("base_lr,warmup_steps,start_factor", [(0.1, 10, 0.1), (0.01, 5, 1 / 3),
                                                               (1.0, 60, 0.01), (0.3, 1, 0.5),
                                                               (0.05, 150, 0.2)])
def test_warmup_lr(base_lr, warmup_steps, start_factor):
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.LinearLR(
        o, start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps), base_lr)
    got = np.array([ns()["warmup_lr"](t, base_lr, warmup_steps, start_factor) for t in range(NUM_STEPS)])
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12)


# --- clipping -------------------------------------------------------------------------


@pytest.mark.parametrize("shapes", [[(3, 4), (4,), (4, 2), (2,)], [(10,)], [(2, 3, 4), (1,), (5, 5)]])
@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
@pytest.mark.parametrize("ratio", [0.1, 0.9, 1.0, 3.0])
def test_clip_grad_norm(shapes, scale, ratio):
    rng = np.random.default_rng(len(shapes) + int(ratio * 10))
    grads = [rng.normal(size=s) * scale for s in shapes]
    params = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in shapes]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g.copy())
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    max_norm = ratio * norm
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    clipped, total_np = ns()["clip_grad_norm"]([g.copy() for g in grads], max_norm)
    np.testing.assert_allclose(total_np, total.item(), rtol=1e-9)
    assert len(clipped) == len(grads)
    for c, p in zip(clipped, params):
        np.testing.assert_allclose(c, p.grad.numpy(), rtol=1e-9, atol=1e-300)
