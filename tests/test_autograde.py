"""``course.autograde``: the students of a step dealt to several nbgrader processes."""

from course import autograde


def test_shares_deal_every_student_once():
    names = [f"s{i}" for i in range(7)]
    shares = autograde.shares(names, 3)
    assert shares == [["s0", "s3", "s6"], ["s1", "s4"], ["s2", "s5"]]
    assert autograde.shares(names[:1], 4) == [["s0"]]  # never an empty share
    assert autograde.shares(names, 0) == [names]


def test_each_command_excludes_everyone_else():
    names = ["ann", "bo", "cy"]
    cmds = autograde.commands("01_linear_layer", names, 2, ["--force"], nbgrader="nbgrader")
    assert cmds == [
        ["nbgrader", "autograde", "01_linear_layer",
         "--CourseDirectory.student_id_exclude=bo", "--force"],
        ["nbgrader", "autograde", "01_linear_layer",
         "--CourseDirectory.student_id_exclude=ann,cy", "--force"],
    ]
    alone = autograde.commands("01_linear_layer", names, 1)
    assert alone == [["nbgrader", "autograde", "01_linear_layer"]]


def test_students_are_the_submission_folders(tmp_path):
    for student in ("bo", "ann"):
        (tmp_path / "submitted" / student / "02_perceptron").mkdir(parents=True)
    (tmp_path / "submitted" / "cy" / "01_linear_layer").mkdir(parents=True)
    assert autograde.students(tmp_path, "02_perceptron") == ["ann", "bo"]
    assert autograde.students(tmp_path, "03_activations") == []
