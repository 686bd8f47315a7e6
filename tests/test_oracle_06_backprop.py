"""Step 06 (backpropagation) against PyTorch: the two-layer network's forward and its
hand-written backward against torch.autograd in float64, and the scalar Value engine
against torch on scalar expressions."""

import numpy as np
import pytest
import torch

from tests.nbns import namespace


@pytest.fixture(scope="module")
def ns():
    return namespace("06_backprop")


SHAPES = [(1, 1, 1, 1), (4, 3, 5, 2), (64, 784, 128, 10), (7, 2, 16, 1), (5, 6, 6, 6)]


@pytest.mark.parametrize("N,D,H,C", SHAPES)
def test_mlp_gradients_match_torch_autograd(ns, N, D, H, C):
    rng = np.random.default_rng(N + 10 * D + 100 * H + 1000 * C)
    params = {"W1": rng.normal(size=(D, H)), "b1": rng.normal(size=H),
              "W2": rng.normal(size=(H, C)), "b2": rng.normal(size=C)}
    X, dscores = rng.normal(size=(N, D)), rng.normal(size=(N, C))
    scores, cache = ns["mlp_forward"](X.copy(), {k: v.copy() for k, v in params.items()})
    grads = ns["mlp_backward"](dscores.copy(), cache)

    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    Xt = torch.from_numpy(X)
    st = torch.relu(Xt @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    st.backward(torch.from_numpy(dscores))
    np.testing.assert_allclose(scores, st.detach().numpy(), rtol=1e-6, atol=1e-10)
    for k in params:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-6, atol=1e-10, err_msg=k)


def test_mlp_with_bce_loss_matches_torch(ns):
    """The panel's loss: one logit, torch's BCEWithLogitsLoss (mean), end to end."""
    rng = np.random.default_rng(6)
    N, D, H = 32, 2, 16
    params = {"W1": rng.normal(size=(D, H)), "b1": rng.normal(size=H),
              "W2": rng.normal(size=(H, 1)), "b2": rng.normal(size=1)}
    X, y = rng.normal(size=(N, D)), (rng.uniform(size=N) < 0.5).astype(float)
    scores, cache = ns["mlp_forward"](X, params)
    loss, dz = ns["bce_with_logits_loss"](scores[:, 0], y)
    grads = ns["mlp_backward"](dz[:, None], cache)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    st = torch.relu(torch.from_numpy(X) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    lt = torch.nn.functional.binary_cross_entropy_with_logits(st[:, 0], torch.from_numpy(y))
    lt.backward()
    assert abs(loss - lt.item()) < 1e-12
    for k in params:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-6, atol=1e-12, err_msg=k)


EXPRESSIONS = {
    "a*b + c": (lambda a, b, c: a * b + c),
    "relu(a*b + c) * a": (lambda a, b, c: (a * b + c).relu() * a
                          if hasattr(a, "relu") else torch.relu(a * b + c) * a),
    "(a + b) * (a + b) * c": (lambda a, b, c: (a + b) * (a + b) * c),
    "(a*b) * (a*b + c) + 2*a": (lambda a, b, c: (a * b) * (a * b + c) + 2 * a),
    "relu(a + -3) * b * b + relu(c)": (lambda a, b, c: (a + -3.0).relu() * b * b + c.relu()
                                       if hasattr(a, "relu") else
                                       torch.relu(a + -3.0) * b * b + torch.relu(c)),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
@pytest.mark.parametrize("values", [(2.0, -0.5, 3.0), (-1.25, 0.75, -2.0), (4.0, 3.0, 0.5)])
def test_value_engine_matches_torch(ns, name, values):
    expr = EXPRESSIONS[name]
    nodes = [ns["Value"](v) for v in values]
    out = expr(*nodes)
    out.backward()
    tv = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    tout = expr(*tv)
    tout.backward()
    assert abs(out.data - tout.item()) <= 1e-12 * max(1.0, abs(tout.item()))
    for node, t in zip(nodes, tv):
        want = 0.0 if t.grad is None else t.grad.item()
        assert abs(node.grad - want) <= 1e-6 * max(1.0, abs(want)), (name, node.grad, want)
