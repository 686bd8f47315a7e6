"""Correct ways to write step 12's functions other than the model solution. Each must
score full marks (see tests/alternatives/__init__.py)."""

import torch

from tests.alternatives import alternative

# --- torch_mlp_forward ----------------------------------------------------------------


@alternative("torch_mlp_forward", "the @ operator and torch.relu")
def fwd_at_relu(X, params):
    return torch.relu(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]


@alternative("torch_mlp_forward", "torch.addmm (bias + matrix product in one call) and torch.maximum")
def fwd_addmm(X, params):
    z1 = torch.addmm(params["b1"], X, params["W1"])
    h1 = torch.maximum(z1, torch.zeros_like(z1))
    return torch.addmm(params["b2"], h1, params["W2"])


@alternative("torch_mlp_forward", "torch.einsum for both products")
def fwd_einsum(X, params):
    h1 = torch.clamp(torch.einsum("nd,dh->nh", X, params["W1"]) + params["b1"], min=0)
    return torch.einsum("nh,hc->nc", h1, params["W2"]) + params["b2"]


# --- torch_cross_entropy --------------------------------------------------------------


@alternative("torch_cross_entropy", "torch.log_softmax, then gather at the labels")
def ce_gather(scores, y):
    log_p = torch.log_softmax(scores, dim=1)
    return -log_p.gather(1, y[:, None]).mean()


@alternative("torch_cross_entropy", "maximum subtracted by hand, one-hot mask from torch.eye")
def ce_by_hand(scores, y):
    m = scores.max(dim=1, keepdim=True).values
    log_p = scores - m - torch.log(torch.exp(scores - m).sum(dim=1, keepdim=True))
    onehot = torch.eye(scores.shape[1], dtype=scores.dtype)[y]
    return -(onehot * log_p).sum() / scores.shape[0]


# --- sgd_momentum_ --------------------------------------------------------------------


@alternative("sgd_momentum_", "the augmented operators *=, += and -= on the tensors, each .grad cleared as it goes")
def sgd_operators(params, velocity, lr, momentum=0.9):
    with torch.no_grad():
        for k in params:
            velocity[k] *= momentum
            velocity[k] += params[k].grad
            params[k] -= lr * velocity[k]
            params[k].grad = None


@alternative("sgd_momentum_", "copy_ of the new values, then the gradients cleared in a second loop")
def sgd_copy(params, velocity, lr, momentum=0.9):
    with torch.no_grad():
        for k, p in params.items():
            velocity[k].copy_(momentum * velocity[k] + p.grad)
            p.copy_(p - lr * velocity[k])
    for p in params.values():
        p.grad = None
