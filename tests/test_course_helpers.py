"""Unit tests for the small helpers in course/ (all but data, which has its own file)."""

import nbformat
import numpy as np
import pytest

from course import checks, gradcheck, init, toy, widgets
from course.grading import ClearHiddenTestsAndTracebacks

# --- checks: failures must say what is wrong -------------------------------------------


def test_check_shape_message_names_both_shapes():
    checks.check_shape("dW", np.zeros((4, 3)), (4, 3))
    with pytest.raises(AssertionError, match=r"^dW has shape \(3, 4\), expected \(4, 3\)$"):
        checks.check_shape("dW", np.zeros((3, 4)), (4, 3))
    with pytest.raises(AssertionError, match="dW is None.*forget to return"):
        checks.check_shape("dW", None, (4, 3))


def test_check_close_reports_the_largest_error_and_where():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    got = expected.copy()
    got[1, 0] += 0.5
    got[0, 1] += 0.1
    with pytest.raises(AssertionError) as info:
        checks.check_close("Y", got, expected, rtol=1e-7)
    message = str(info.value)
    assert "Y differs from the expected values in 2 of 4 place(s)" in message
    assert ("largest error 0.5 at index (1, 0) (got 3.5, expected 3.0, "
            "relative error 0.14;") in message
    checks.check_close("Y", expected + 1e-12, expected, rtol=1e-9)


def test_check_close_checks_shape_first_and_handles_nan():
    with pytest.raises(AssertionError, match=r"db has shape \(4,\), expected \(2,\)"):
        checks.check_close("db", np.zeros(4), np.zeros(2))
    with pytest.raises(AssertionError, match=r"got nan, expected 1\.0;"):
        checks.check_close("p", np.array([np.nan]), np.array([1.0]))
    checks.check_close("p", np.array([np.nan, np.inf]), np.array([np.nan, np.inf]))
    with pytest.raises(AssertionError, match=r"s differs .* \(got 2\.0, expected 1\.0, relative error 0\.5;"):
        checks.check_close("s", 2.0, 1.0)


def test_check_close_never_prints_two_different_values_alike():
    """"got 1.1, expected 1.1" must not happen: values are printed in full."""
    with pytest.raises(AssertionError) as info:
        checks.check_close("x", 1.1000001, 1.1, rtol=1e-9)
    assert "got 1.1000001, expected 1.1, relative error 9.1e-08" in str(info.value)


def test_check_equal_and_finite():
    checks.check_equal("shape", (2, 3), (2, 3))
    with pytest.raises(AssertionError, match=r"^shape is \(3, 2\), expected \(2, 3\)$"):
        checks.check_equal("shape", (3, 2), (2, 3))
    with pytest.raises(AssertionError, match=r"x has 1 non-finite value\(s\), the first at index \(1,\)"):
        checks.check_finite("x", np.array([0.0, np.inf]))


def test_report_error_prints_error_and_expectation(capsys):
    assert checks.report_error("dX", 3e-10, 1e-7)
    assert not checks.report_error("dW", 0.4, 1e-7)
    assert not checks.report_error("m", 0.4, 1e-7, hint="check the bias correction")
    out = capsys.readouterr().out
    assert "TOO LARGE: check the bias correction" in out
    assert "dX: relative error 3.00e-10 (expect below 1e-07) ok" in out
    assert "dW: relative error 4.00e-01" in out and "TOO LARGE" in out


# --- gradcheck: agrees with analytic gradients and catches wrong ones ---------------------


def test_numerical_gradient_matches_known_gradients():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    A = rng.normal(size=(4, 2))
    dout = rng.normal(size=(3, 2))
    num = gradcheck.numerical_gradient(lambda: x @ A, x, dout)
    assert gradcheck.rel_error(num, dout @ A.T) < 1e-6
    scalar = gradcheck.numerical_gradient(lambda: np.sum(np.sin(x)), x)
    assert gradcheck.rel_error(scalar, np.cos(x)) < 1e-8
    # a transposed or scaled gradient is far off
    assert gradcheck.rel_error(num, 2 * dout @ A.T) > 0.1


def test_numerical_gradient_restores_input_and_needs_float64():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    gradcheck.numerical_gradient(lambda: np.sum(x ** 2), x)
    np.testing.assert_array_equal(x, before)
    with pytest.raises(TypeError, match="float64"):
        gradcheck.numerical_gradient(lambda: 0.0, x.astype(np.float32))


def test_rel_error_shapes_must_match():
    assert gradcheck.rel_error(np.ones(3), np.ones(3)) == 0.0
    assert gradcheck.rel_error(1.0, 3.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"shapes \(3,\) and \(1, 3\)"):
        gradcheck.rel_error(np.ones(3), np.ones((1, 3)))


# --- toy data: shapes, labels, determinism, the promised geometry ------------------------


@pytest.mark.parametrize("make", [toy.blobs, toy.xor, toy.spirals, toy.moons])
def test_toy_sets_are_seeded_and_well_formed(make):
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    assert X1.ndim == 2 and X1.shape[1] == 2 and y1.shape == (len(X1),)
    assert np.issubdtype(y1.dtype, np.integer) and y1.min() == 0
    assert np.all(np.isfinite(X1))


@pytest.mark.parametrize("margin", [0.5, 1.0, 2.0])
def test_blobs_are_separated_by_the_margin(margin):
    X, y = toy.blobs(N=400, margin=margin, seed=1)
    # the best separating direction found by brute force over angles
    best = 0.0
    for angle in np.linspace(0, np.pi, 3600, endpoint=False):
        w = np.array([np.cos(angle), np.sin(angle)])
        s = X @ w
        for sign in (1, -1):
            gap = (sign * s)[y == 1].min() - (sign * s)[y == 0].max()
            best = max(best, gap)
    assert best >= margin * 0.999


def test_logic_gates_and_regression_data():
    X, y = toy.logic_gate("XOR")
    assert X.shape == (4, 2) and y.tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError, match="unknown gate 'NAND'"):
        toy.logic_gate("NAND")
    X, T, W, b = toy.linear_regression_data(N=10, D=3, M=2, noise=0.0, seed=0)
    np.testing.assert_allclose(T, X @ W + b)


# --- init -----------------------------------------------------------------------------


def test_init_schemes():
    rng = np.random.default_rng(0)
    assert not init.init_weights("zeros", (3, 2)).any()
    w = init.init_weights("normal", (400, 500), scale=0.5, rng=rng)
    assert w.shape == (400, 500) and abs(w.std() - 0.5) < 0.01
    u = init.init_weights("uniform", (400, 500), scale=2.0, rng=rng)
    assert u.min() >= -2.0 and u.max() <= 2.0 and abs(u.std() - 2 / np.sqrt(3)) < 0.02
    with pytest.raises(ValueError, match="unknown init scheme 'he'"):
        init.init_weights("he", (2, 2))


# --- widgets --------------------------------------------------------------------------


def test_standard_controls():
    lr = widgets.lr_slider(value=0.01, min_exp=-4, max_exp=0)
    assert type(lr).__name__ == "FloatLogSlider" and lr.value == pytest.approx(0.01)
    assert lr.description == "lr" and lr.base == 10
    assert widgets.init_dropdown().options == ("zeros", "normal", "uniform")
    choice = widgets.choice_dropdown("adam", ["sgd", "adam"], "optimizer")
    assert choice.value == "adam" and choice.options == ("sgd", "adam")
    margin = widgets.float_slider(0.5, min=-1.0, max=2.0, step=0.1, description="margin")
    assert (margin.min, margin.max, margin.value, margin.continuous_update) == (-1.0, 2.0, 0.5, False)


def test_explore_redraws_from_experiment_on_every_change():
    calls, drawn = [], []

    def experiment(lr, init):
        calls.append((lr, init))
        return {"loss": [lr, lr / 2]}

    def draw(result, ax):
        drawn.append(result)
        ax.plot(result["loss"])
        ax.set_yscale("log")
        ax.set_title("loss")

    lr = widgets.lr_slider(0.1)
    init_w = widgets.init_dropdown("normal")
    panel = widgets.explore(experiment, draw, lr=lr, init=init_w)
    assert panel.experiment is experiment and set(panel.controls) == {"lr", "init"}
    assert widgets.panels[-1] is panel
    assert calls == [(pytest.approx(0.1), "normal")]
    first = panel.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and panel.redraws == 1
    lr.value = 1.0
    init_w.value = "zeros"
    assert calls[-2:] == [(pytest.approx(1.0), "normal"), (pytest.approx(1.0), "zeros")]
    assert drawn[-1] == {"loss": [pytest.approx(1.0), pytest.approx(0.5)]}
    assert panel.redraws == 3 and panel.image.value != first
    # one figure, its axes emptied before each draw (no lines pile up)
    assert len(panel.axes.lines) == 1 and panel.axes.get_title() == "loss"


def test_explore_keeps_one_figure_and_grids_of_axes():
    def draw(result, axes):
        for ax, values in zip(axes, result):
            ax.plot(values)

    panel = widgets.explore(lambda lr: [[lr, 1.0], [2.0, lr]], draw, grid=(1, 2),
                            figsize=(6, 3), lr=widgets.lr_slider(0.1))
    figure = panel.figure
    panel.controls["lr"].value = 0.5
    assert panel.figure is figure and len(panel.axes) == 2
    assert [len(ax.lines) for ax in panel.axes] == [1, 1]


def test_explore_shows_an_error_in_the_learners_code_and_recovers():
    state = {"ready": False}

    def experiment(lr):
        if not state["ready"]:
            raise NotImplementedError("linear_forward is not written yet")
        return [lr]

    panel = widgets.explore(experiment, lambda r, ax: ax.plot(r), lr=widgets.lr_slider(0.1))
    assert panel.error == "NotImplementedError: linear_forward is not written yet"
    assert "could not run" in panel.message.outputs[0]["text"] and panel.redraws == 0
    state["ready"] = True
    panel.controls["lr"].value = 0.2
    assert panel.error is None and panel.redraws == 1 and not panel.message.outputs


def test_widget_descriptions_are_shown_whole():
    slider = widgets.int_slider(10, 1, 100, description="num_epochs")
    assert slider.style.description_width == "initial"


# --- grading: feedback keeps hidden tests and their tracebacks out ---------------------


def test_feedback_preprocessor_removes_hidden_tests_and_their_tracebacks():
    hidden_cell = nbformat.v4.new_code_cell(
        '"""dW is right."""\ncheck_shape("dW", dW, (3, 2))\n### BEGIN HIDDEN TESTS\n'
        'assert secret_check(dW)\n### END HIDDEN TESTS',
        metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "dW_shape",
                               "points": 1, "locked": True, "schema_version": 3}})
    hidden_cell.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="dW is wrong",
        traceback=["Traceback", "----> 5 assert secret_check(dW)", "AssertionError: dW is wrong"])]
    visible_cell = nbformat.v4.new_code_cell("1 / 0")
    visible_cell.outputs = [nbformat.v4.new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero",
        traceback=["----> 1 1 / 0", "ZeroDivisionError: division by zero"])]
    nb = nbformat.v4.new_notebook(cells=[hidden_cell, visible_cell])
    nb, _ = ClearHiddenTestsAndTracebacks().preprocess(nb, {})
    text = nbformat.writes(nb)
    assert "secret_check" not in text and "HIDDEN" not in text
    assert nb.cells[0].outputs[0].traceback == ["AssertionError: dW is wrong"]
    assert nb.cells[1].outputs[0].traceback[0] == "----> 1 1 / 0"  # visible code: kept
