"""Shared helpers for the course "Neural networks from scratch".

Small, flat modules, imported explicitly by the notebooks:

- ``course.checks``: assertions for test cells whose messages say what is wrong.
- ``course.gradcheck``: numerical gradients and ``rel_error``.
- ``course.data``: the IDX reader and ``load_mnist``.
- ``course.toy``: small 2-D data sets (blobs, XOR, spirals, moons).
- ``course.plots``: loss curves and decision regions.
- ``course.widgets``: the standard Explore controls and panel.
- ``course.grading``: the nbgrader preprocessor that keeps hidden tests out of feedback.

Nothing a learner is graded on lives here before its own step.
"""

__version__ = "0.1.0"
