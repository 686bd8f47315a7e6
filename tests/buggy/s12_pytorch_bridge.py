"""Typical mistakes in step 12 (the PyTorch bridge). Each function is one wrong hand-in."""

import numpy as np
import torch

from tests.buggy import bug

# --- torch_mlp_forward ----------------------------------------------------------------


@bug("torch_mlp_forward", "ReLU after the output layer too (scores can no longer be negative)")
def fwd_relu_on_scores(X, params):
    h1 = torch.clamp(torch.matmul(X, params["W1"]) + params["b1"], min=0)
    return torch.clamp(torch.matmul(h1, params["W2"]) + params["b2"], min=0)


@bug("torch_mlp_forward", "the first bias forgotten")
def fwd_no_b1(X, params):
    h1 = torch.clamp(torch.matmul(X, params["W1"]), min=0)
    return torch.matmul(h1, params["W2"]) + params["b2"]


@bug("torch_mlp_forward", "through NumPy: .detach().numpy() and back (autograd loses the graph)")
def fwd_through_numpy(X, params):
    p = {k: v.detach().numpy() for k, v in params.items()}
    h1 = np.maximum(X.numpy() @ p["W1"] + p["b1"], 0)
    return torch.tensor(h1 @ p["W2"] + p["b2"])


@bug("torch_mlp_forward", "ReLU before the bias: relu(X @ W1) + b1")
def fwd_relu_before_bias(X, params):
    h1 = torch.clamp(torch.matmul(X, params["W1"]), min=0) + params["b1"]
    return torch.matmul(h1, params["W2"]) + params["b2"]


# --- torch_cross_entropy --------------------------------------------------------------


@bug("torch_cross_entropy", "sum over the batch instead of the mean")
def ce_sum(scores, y):
    N = scores.shape[0]
    return (torch.logsumexp(scores, dim=1) - scores[torch.arange(N), y]).sum()


@bug("torch_cross_entropy", "log of softmax computed naively: inf for logits of 1000")
def ce_naive(scores, y):
    N = scores.shape[0]
    p = torch.exp(scores) / torch.exp(scores).sum(dim=1, keepdim=True)
    return -torch.log(p[torch.arange(N), y]).mean()


@bug("torch_cross_entropy", "scores[:, y] picks an (N, N) block: the mean over all of it")
def ce_wrong_pick(scores, y):
    return (torch.logsumexp(scores, dim=1)[:, None] - scores[:, y]).mean()


@bug("torch_cross_entropy", "a Python float (loss.item()): backward() is impossible")
def ce_float(scores, y):
    N = scores.shape[0]
    return (torch.logsumexp(scores, dim=1) - scores[torch.arange(N), y]).mean().item()


# --- sgd_momentum_ --------------------------------------------------------------------


@bug("sgd_momentum_", "the gradients are not cleared: .grad keeps the old gradient")
def sgd_keeps_grad(params, velocity, lr, momentum=0.9):
    with torch.no_grad():
        for k, p in params.items():
            velocity[k].mul_(momentum).add_(p.grad)
            p.sub_(lr * velocity[k])


@bug("sgd_momentum_", "new tensors in the dict (params[k] = p - lr * v) instead of an in-place update")
def sgd_rebinds(params, velocity, lr, momentum=0.9):
    with torch.no_grad():
        for k in list(params):
            velocity[k] = momentum * velocity[k] + params[k].grad
            params[k] = params[k] - lr * velocity[k]


@bug("sgd_momentum_", "dampening: v = mu v + (1 - mu) g (a moving average, not torch's SGD)")
def sgd_dampened(params, velocity, lr, momentum=0.9):
    with torch.no_grad():
        for k, p in params.items():
            velocity[k].mul_(momentum).add_((1 - momentum) * p.grad)
            p.sub_(lr * velocity[k])
            p.grad = None


@bug("sgd_momentum_", "the learning rate inside the velocity, applied twice: v = mu v + lr g; p -= lr v")
def sgd_lr_twice(params, velocity, lr, momentum=0.9):
    with torch.no_grad():
        for k, p in params.items():
            velocity[k].mul_(momentum).add_(lr * p.grad)
            p.sub_(lr * velocity[k])
            p.grad = None
