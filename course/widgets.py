"""The standard Explore controls and the panel that redraws from ``experiment``.

Introduced in step 01. A panel is controls plus one plot; whenever a control changes,
``draw(experiment(**values))`` runs again. ``experiment`` is pure, so the same numbers
come out of the slider and out of a test.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt

from course.init import SCHEMES as INIT_SCHEMES

# every panel built in this Python session, newest last: the tests sweep their controls
panels = []


def lr_slider(value=0.1, min_exp=-3, max_exp=1, description="lr"):
    """Learning-rate slider on a log scale, from 10**min_exp to 10**max_exp."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=0.1,
                                  description=description, readout_format=".3g",
                                  continuous_update=False)


def init_dropdown(value="normal", options=INIT_SCHEMES, description="init"):
    """Initialization scheme chooser."""
    return widgets.Dropdown(value=value, options=list(options), description=description)


def choice_dropdown(value, options, description):
    """A dropdown for any other choice (data set, loss, optimizer, activation)."""
    return widgets.Dropdown(value=value, options=list(options), description=description)


def float_slider(value, min, max, step, description):
    """A slider for any other number (margin, momentum, dropout rate)."""
    return widgets.FloatSlider(value=value, min=min, max=max, step=step,
                               description=description, continuous_update=False)


def scale_slider(value=1.0, min=0.0, max=3.0, step=0.05, description="scale"):
    """Initialization scale slider (the standard deviation, or the half-width)."""
    return float_slider(value, min, max, step, description)


def int_slider(value, min, max, step=1, description=""):
    """Integer slider (epochs, depth, width)."""
    return widgets.IntSlider(value=value, min=min, max=max, step=step,
                             description=description, continuous_update=False)


def explore(experiment, draw, **controls):
    """Build the Explore panel: ``controls`` on top, the plot redrawn below.

    Inputs:
    - experiment: pure function taking the controls' values as keyword arguments
    - draw: function of the experiment's result that draws one matplotlib figure
    - controls: widgets by the keyword they feed, e.g. ``lr=lr_slider()``

    Returns the panel (a ``VBox``); display it as the cell's last line. The panel keeps
    ``experiment`` and ``controls`` as attributes, so tests can sweep the same controls.
    """
    def update(**values):
        draw(experiment(**values))
        plt.show()

    output = widgets.interactive_output(update, controls)
    box = widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
    panel = widgets.VBox([box, output])
    panel.experiment = experiment
    panel.controls = controls
    panels.append(panel)
    return panel
