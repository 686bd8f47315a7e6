"""nbgrader configuration for the course (the course directory is this folder).

Layout, as nbgrader expects: source/<step>/ (instructor notebooks), release/<step>/
(generated), submitted/<student>/<step>/ (collected), autograded/, feedback/.
"""

import os

from course.grading import ClearHiddenTestsAndTracebacks, GradingExecute, SandboxCsvExport
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, GetGrades,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "nn-from-scratch"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# make autograde runs several nbgrader processes on this one gradebook (course/autograde.py):
# SQLite lets one writer in at a time, and the timeout makes the others wait (seconds)
# for the lock instead of failing.
c.CourseDirectory.db_url = ("sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
                            + "?timeout=120")

# Students see this stub where a solution was; a blank notebook fails every test.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding runs nbgrader's own steps with GradingExecute (course/grading.py) in place of
# Execute: each submission's kernel runs in the bubblewrap sandbox (course/sandbox.py, the
# kernel spec course/kernels/nn-sandbox: no network, no source/, no gradebook, no other
# submission, an unprivileged user); a kernel that dies leaves the notebook graded on the
# cells that ran. `nbgrader validate` and the learners' JupyterLab keep plain Execute.
# Grading without the sandbox (where bubblewrap cannot run) is an explicit choice:
# `make autograde SANDBOX=off`, or `--GradingExecute.sandbox=False`.
c.Autograde.autograde_preprocessors = [
    GradingExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
c.GradingExecute.kernel_name = "nn-sandbox"
# Test cells are evaluated in the grader, not in the submission's kernel (course/outside.py):
# the test's code, NumPy and checks are the grader's, and the submission's functions and
# values reach them only as plain data (step 12's tensors too: a result's autograd graph
# stays in the kernel, and backward() in a test asks the kernel for the gradients).
# An assignment listed in GradingExecute.tests_inside would run its tests in the kernel.
c.GradingExecute.tests_outside = True
c.GradingExecute.tests_inside = []
# A cell that runs longer than this is interrupted and the rest of the notebook still
# runs. The capstone's training cell is the slowest cell in the course.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# All the cells of a notebook together: a ladder step's solution runs in seconds, so an
# infinite loop costs a step at most a minute; a cell's timeout is what is left of it, and
# once it is spent the cells after are marked not run. A step that needs more (the
# capstone) gets its own: c.GradingExecute.notebook_budgets = {"<step>": seconds}.
c.GradingExecute.notebook_budget = 60
# the capstone trains for about a minute (its default run) and loads MNIST
c.GradingExecute.notebook_budgets = {"11_mnist_capstone": 300}
# Output kept, in bytes as it arrives (LimitOutput below still cuts long tracebacks).
c.GradingExecute.max_cell_output = 200_000
c.GradingExecute.max_notebook_output = 1_500_000

# A student who deletes or edits a test cell gets it back from the gradebook.
c.OverwriteCells.add_missing_cells = True

# Feedback: no hidden test code, and no traceback that would quote it.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    ClearHiddenTestsAndTracebacks,
    CSSHTMLHeaderPreprocessor,
]

# Grades as CSV (make grades), with a column graded_in_sandbox: NO for a submission graded
# with SANDBOX=off.
c.ExportApp.plugin_class = SandboxCsvExport
c.CsvExportPlugin.to = os.path.join(c.CourseDirectory.root, "grades.csv")
