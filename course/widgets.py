"""The standard Explore controls and the panel that redraws from ``experiment``.

Introduced in step 01. A panel is controls plus one plot; whenever a control is released,
``draw(experiment(**values), axes)`` runs again. ``experiment`` is pure, so the same
numbers come out of the slider and out of a test.

Why the panel keeps one figure: a slider should answer at once (the course's target is
150 ms from release to the new plot in the browser). Building a new figure, laying it
out and encoding it with a tight bounding box (what ``plt.show()`` under
``%matplotlib inline`` does) costs about 200 ms for a two-axes plot. The panel instead
keeps one matplotlib ``Figure`` with fixed axes, clears and redraws them, and sends one
PNG to an ``ipywidgets.Image``: about 60 ms in the kernel for the same plot.
"""

import io
import traceback

import ipywidgets as widgets
import PIL.Image
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from course.init import SCHEMES as INIT_SCHEMES

# every panel built in this Python session, newest last: the tests sweep their controls
panels = []

# descriptions are shown whole ("num_epochs", not "num_epoc…")
_STYLE = {"description_width": "initial"}
DPI = 90


def lr_slider(value=0.1, min_exp=-3, max_exp=1, description="lr"):
    """Learning-rate slider on a log scale, from 10**min_exp to 10**max_exp."""
    return widgets.FloatLogSlider(value=value, base=10, min=min_exp, max=max_exp, step=0.1,
                                  description=description, readout_format=".3g",
                                  continuous_update=False, style=_STYLE)


def init_dropdown(value="normal", options=INIT_SCHEMES, description="init"):
    """Initialization scheme chooser."""
    return widgets.Dropdown(value=value, options=list(options), description=description,
                            style=_STYLE)


def choice_dropdown(value, options, description):
    """A dropdown for any other choice (data set, loss, optimizer, activation)."""
    return widgets.Dropdown(value=value, options=list(options), description=description,
                            style=_STYLE)


def float_slider(value, min, max, step, description):
    """A slider for any other number (margin, momentum, dropout rate)."""
    return widgets.FloatSlider(value=value, min=min, max=max, step=step,
                               description=description, continuous_update=False,
                               style=_STYLE)


def scale_slider(value=1.0, min=0.0, max=3.0, step=0.05, description="scale"):
    """Initialization scale slider (the standard deviation, or the half-width)."""
    return float_slider(value, min, max, step, description)


def int_slider(value, min, max, step=1, description=""):
    """Integer slider (epochs, depth, width)."""
    return widgets.IntSlider(value=value, min=min, max=max, step=step,
                             description=description, continuous_update=False,
                             style=_STYLE)


def _wipe(ax):
    """Empty ``ax`` for the next draw, like ``ax.clear()`` but keeping its tick objects
    (rebuilding them is half the cost of a redraw)."""
    for artist in (*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images,
                   *ax.artists, *ax.tables):
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.containers.clear()
    for loc in ("left", "center", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xscale("linear")
    ax.set_yscale("linear")
    ax.set_prop_cycle(None)
    ax.set_autoscale_on(True)
    ax.set_aspect("auto")
    ax.dataLim = Bbox.null()
    ax.ignore_existing_data_limits = True
    ax.set_xmargin(ax.get_xmargin())  # keep margins; limits follow the new data


class Panel(widgets.VBox):
    """Controls on top, one plot below, redrawn in place whenever a control changes.

    Attributes the tests use: ``experiment``, ``draw``, ``controls`` (dict of widgets by
    keyword), ``figure`` (the matplotlib figure), ``axes`` (as handed to ``draw``),
    ``image`` (the ``ipywidgets.Image`` showing the plot), ``redraws`` (how many times
    the plot was drawn) and ``error`` (the last error message, or None).
    """

    def __init__(self, experiment, draw, controls, grid=(1, 1), figsize=(10, 3.6)):
        self.experiment = experiment
        self.draw = draw
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=DPI)
        FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(*grid, squeeze=False)
        self.axes = axes[0, 0] if axes.size == 1 else (axes.ravel() if 1 in grid else axes)
        self.image = widgets.Image(format="png")
        self.message = widgets.Output()
        self.redraws = 0
        self.error = None
        self._laid_out = False
        box = widgets.HBox(list(self.controls.values()),
                           layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([box, self.image, self.message])
        for widget in self.controls.values():
            widget.observe(self._on_change, names="value")
        self.update()

    def values(self):
        return {key: widget.value for key, widget in self.controls.items()}

    def _on_change(self, _change):
        self.update()

    def render(self, result):
        """Draw ``result`` on the panel's axes and return the PNG bytes."""
        for ax in np.ravel(self.axes):
            _wipe(ax)
        self.draw(result, self.axes)
        if not self._laid_out:  # lay out once, for the first result; then keep it
            self.figure.tight_layout()
            self.figure.set_layout_engine("none")
            self._laid_out = True
        canvas = self.figure.canvas
        canvas.draw()  # one draw (savefig would draw twice)
        width, height = canvas.get_width_height(physical=True)
        pixels = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba())
        buffer = io.BytesIO()
        pixels.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def update(self, **values):
        """Run the experiment with the controls' values (or ``values``) and redraw.

        An error in the learner's code is shown under the plot, not raised: the panel
        stays usable once the code is fixed and the cell is run again.
        """
        try:
            png = self.render(self.experiment(**{**self.values(), **values}))
        except Exception as exc:  # noqa: BLE001 (shown to the learner, not swallowed)
            self.error = f"{type(exc).__name__}: {exc}"
            self.message.outputs = ()
            self.message.append_stderr(
                "The experiment could not run (it calls your functions from the parts "
                "above):\n" + "".join(traceback.format_exception_only(exc)))
            return None
        self.error = None
        if self.message.outputs:
            self.message.outputs = ()
        self.image.value = png
        self.redraws += 1
        return png


def explore(experiment, draw, *, grid=(1, 1), figsize=(10, 3.6), **controls):
    """Build the Explore panel: ``controls`` on top, the plot redrawn below.

    Inputs:
    - experiment: pure function taking the controls' values as keyword arguments
    - draw: ``draw(result, axes)`` draws the experiment's result on the panel's axes,
      which the panel clears before each call. ``axes`` is one matplotlib ``Axes`` for
      ``grid=(1, 1)``, else a 1-D array of them for one row or column (as
      ``plt.subplots`` gives), else a 2-D array. ``draw`` makes no figure of its own and
      calls neither ``plt.show()`` nor ``tight_layout()``: the panel lays the figure out
      once and keeps it.
    - grid: (rows, columns) of axes
    - figsize: the figure's size in inches
    - controls: widgets by the keyword they feed, e.g. ``lr=lr_slider()``

    Returns the panel (a ``VBox``); display it as the cell's last line. The panel keeps
    ``experiment``, ``draw`` and ``controls`` as attributes, so tests can sweep the same
    controls.
    """
    panel = Panel(experiment, draw, controls, grid=grid, figsize=figsize)
    panels.append(panel)
    return panel
