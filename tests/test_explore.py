"""Every Explore panel, swept without a browser over a seeded grid of its own controls.

The grid comes from the widgets themselves (log-spaced learning rates between the
slider's ends, every dropdown option, evenly spaced scales), varied one control at a
time from the panel's defaults. Each run must be finite, a rerun must repeat it, and
different values of a control must give different results. (An experiment that can stop early, on convergence or
divergence, should return its budget, e.g. ``num_epochs``, so that two budgets differ.)
"""

import itertools
import numbers

import ipywidgets as widgets
import numpy as np
import pytest

from tests.conftest import ASSIGNMENTS
from tests.nbns import namespace


def grid(widget, n=4):
    if isinstance(widget, widgets.FloatLogSlider):
        return [float(widget.base ** e) for e in np.linspace(widget.min, widget.max, n)]
    if isinstance(widget, (widgets.FloatSlider, widgets.BoundedFloatText)):
        return [float(v) for v in np.linspace(widget.min, widget.max, n)]
    if isinstance(widget, (widgets.IntSlider, widgets.BoundedIntText)):
        return sorted({int(round(v)) for v in np.linspace(widget.min, widget.max, n)})
    if isinstance(widget, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)):
        return [value for _, value in widget.options] if isinstance(widget.options[0], tuple) \
            else list(widget.options)
    if isinstance(widget, widgets.Checkbox):
        return [False, True]
    raise TypeError(f"no sweep grid for {type(widget).__name__}")


def leaves(result):
    """Numbers and arrays in a (nested) experiment result, in a fixed order."""
    if isinstance(result, dict):
        for key in sorted(result):
            yield from leaves(result[key])
    elif isinstance(result, (list, tuple)) and not all(isinstance(v, numbers.Number) for v in result):
        for value in result:
            yield from leaves(value)
    elif result is None or isinstance(result, str):
        return
    else:
        yield np.asarray(result, dtype=np.float64)


def fingerprint(result):
    parts = list(leaves(result))
    assert parts, "the experiment returned no numbers"
    return np.concatenate([p.ravel() for p in parts])


def panels(assignment):
    found = namespace(assignment)["__panels__"]
    assert found, f"{assignment} builds no Explore panel with course.widgets.explore"
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_panel_has_the_standard_controls(assignment):
    for panel in panels(assignment):
        controls = panel.controls
        assert isinstance(controls.get("lr"), widgets.FloatLogSlider), \
            "the panel needs a learning-rate FloatLogSlider named lr"
        assert "init" in controls or "scale" in controls, \
            "the panel needs an initialization control (init scheme and/or scale)"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_sweep_is_finite_repeatable_and_distinct(assignment):
    for panel in panels(assignment):
        defaults = {key: w.value for key, w in panel.controls.items()}
        first = fingerprint(panel.experiment(**defaults))
        again = fingerprint(panel.experiment(**defaults))
        np.testing.assert_array_equal(first, again, err_msg="a rerun gave other numbers")
        for key, widget in panel.controls.items():
            runs = []
            for value in grid(widget):
                fp = fingerprint(panel.experiment(**{**defaults, key: value}))
                assert np.all(np.isfinite(fp)), f"{key}={value!r} gives non-finite results"
                runs.append((value, fp))
            assert len(runs) >= 2, f"control {key} offers a single value"
            for (v1, f1), (v2, f2) in itertools.combinations(runs, 2):
                same = f1.shape == f2.shape and np.allclose(f1, f2, rtol=1e-9, atol=1e-12)
                assert not same, f"{key}={v1!r} and {key}={v2!r} give the same result"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_panel_draws_every_grid_point_in_its_one_figure(assignment):
    """draw(result, axes) works for every swept value, on the panel's own figure."""
    for panel in panels(assignment):
        figure = panel.figure
        for key, widget in panel.controls.items():
            for value in grid(widget):
                png = panel.update(**{key: value})
                assert panel.error is None, f"{key}={value!r}: the panel shows {panel.error}"
                assert png[:4] == b"\x89PNG"
        assert panel.figure is figure, "the panel must keep one figure"
        panel.update()
