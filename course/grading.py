"""nbgrader plumbing: keep hidden tests out of the feedback students receive.

``nbgrader_config.py`` puts ``ClearHiddenTestsAndTracebacks`` in the feedback
preprocessors. nbgrader's own ``ClearHiddenTests`` removes the hidden code from a test
cell, but the cell's error output still holds a traceback that quotes the failing hidden
line; this preprocessor also cuts such tracebacks down to the error's name and message
(which our checks write for learners: "dW has shape (3, 4), expected (4, 3)").
"""

from nbgrader.preprocessors import ClearHiddenTests


class ClearHiddenTestsAndTracebacks(ClearHiddenTests):
    """Remove hidden-test regions and the tracebacks of the cells that had them."""

    def preprocess_cell(self, cell, resources, cell_index):
        had_hidden = (cell.cell_type == "code"
                      and self.begin_test_delimeter in cell.source)
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had_hidden:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: "
                                           f"{output.get('evalue', '')}"]
        return cell, resources
