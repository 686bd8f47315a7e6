"""nbgrader configuration for the course (the course directory is this folder).

Layout, as nbgrader expects: source/<step>/ (instructor notebooks), release/<step>/
(generated), submitted/<student>/<step>/ (collected), autograded/, feedback/.
"""

import os

from course.grading import ClearHiddenTestsAndTracebacks
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "nn-from-scratch"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")

# Students see this stub where a solution was; a blank notebook fails every test.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: a cell that runs longer than this is interrupted and the rest of the
# notebook still runs (an infinite loop costs its own cells, nothing else). The capstone's
# training cell is the slowest cell in the course.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# A kernel that dies is restarted for the next notebook; the dead one is graded as it is.
c.Execute.execute_retries = 0

# A student who deletes or edits a test cell gets it back from the gradebook.
c.OverwriteCells.add_missing_cells = True

# Feedback: no hidden test code, and no traceback that would quote it.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    ClearHiddenTestsAndTracebacks,
    CSSHTMLHeaderPreprocessor,
]

# Grades as CSV (make grades).
c.CsvExportPlugin.to = os.path.join(c.CourseDirectory.root, "grades.csv")
