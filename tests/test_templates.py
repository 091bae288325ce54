"""Templates are data from strangers: every problem is a one-line error with a file position."""

import textwrap

import pytest

from spatialgen.catalog import Catalog
from spatialgen.templates import TemplateError, load_template

GOOD = """\
id: maze.user_distance
family: maze
answer_type: int
program: distance(start(), goal())
text:
  - "How far is G from S?"
"""


def write(tmp_path, text, name="t.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def error_of(path) -> str:
    with pytest.raises(TemplateError) as e:
        load_template(path)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_good_user_template_loads(tmp_path):
    task = load_template(write(tmp_path, GOOD))
    assert task.id == "maze.user_distance" and task.answer.name == "int"


def test_yaml_syntax_error_has_position(tmp_path):
    msg = error_of(write(tmp_path, "id: maze.x\nfamily: [maze\n"))
    assert "t.yaml:" in msg and "invalid YAML" in msg


def test_unknown_operator_points_into_the_block_scalar(tmp_path):
    text = GOOD.replace("program: distance(start(), goal())",
                        "program: |\n  d = distance(start(), goal())\n  d + shortest_pth(start(), goal())")
    msg = error_of(write(tmp_path, text))
    # line 6 of the file, column 7 (after two spaces of indentation and 'd + ')
    assert "t.yaml:6:7: unknown operator 'shortest_pth' (did you mean 'shortest_path'?)" in msg


def test_type_error_in_constraint(tmp_path):
    text = GOOD + "constraints:\n  - name: bad\n    program: distance(start(), 3)\n"
    msg = error_of(write(tmp_path, text))
    assert "t.yaml:9:32:" in msg and "must be Cell, got Int" in msg


def test_program_must_match_answer_type(tmp_path):
    msg = error_of(write(tmp_path, GOOD.replace("answer_type: int", "answer_type: bool")))
    assert "program returns Int, but Bool is required" in msg


def test_unknown_parameter_and_field(tmp_path):
    assert "unknown parameter $side" in error_of(write(tmp_path, GOOD.replace("goal())", "goal()) + $side")))
    assert "field 'anwser'" in error_of(write(tmp_path, GOOD + "anwser: 3\n"))


def test_unknown_family_and_answer_type(tmp_path):
    assert "unknown family 'mase'" in error_of(write(tmp_path, GOOD.replace("family: maze", "family: mase")))
    assert "unknown answer_type 'integer'" in error_of(write(tmp_path, GOOD.replace("answer_type: int", "answer_type: integer")))


@pytest.mark.parametrize("text", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ rows['__class__'] }}",
])
def test_hostile_jinja_is_refused_at_load_time(tmp_path, text):
    msg = error_of(write(tmp_path, GOOD.replace('"How far is G from S?"', repr(text))))
    assert "private attribute" in msg


def test_undefined_text_variable_is_refused(tmp_path):
    msg = error_of(write(tmp_path, GOOD.replace("How far is G from S?", "Distance to {{ target }}?")))
    assert "undefined variable(s) target" in msg


def test_sandbox_blocks_unsafe_calls_at_render_time(tmp_path):
    from jinja2.exceptions import SecurityError

    task = load_template(write(tmp_path, GOOD.replace('"How far is G from S?"', '"{{ rows.__str__() }}"')
                               .replace("__str__", "bit_length")))
    assert task.texts[0].render(rows=3) == "2"  # harmless method calls are fine
    from spatialgen.templates import _JINJA

    with pytest.raises(SecurityError):
        _JINJA.from_string("{{ f.__code__ }}").render(f=lambda: 1)


def test_duplicate_task_id_across_folders(tmp_path):
    write(tmp_path, GOOD.replace("maze.user_distance", "maze.navigate"))
    with pytest.raises(TemplateError, match="already defined"):
        Catalog((tmp_path,))


def test_user_folder_adds_tasks(tmp_path):
    write(tmp_path, GOOD)
    cat = Catalog((tmp_path,))
    assert "maze.user_distance" in cat.tasks and "maze.navigate" in cat.tasks
    assert [t.id for t in cat.match("maze.user_*")] == ["maze.user_distance"]
    with pytest.raises(ValueError, match="no task matches 'nope.*'"):
        cat.match("nope.*")


def test_parameter_values_must_match_their_type(tmp_path):
    text = GOOD + "params:\n  side:\n    type: Str\n    values: [left, 3]\n"
    msg = error_of(write(tmp_path, text))
    assert "t.yaml:10:" in msg and "value 3 of parameter 'side' is not a Str" in msg


def test_label_answers_must_stay_inside_their_labels(tmp_path):
    from spatialgen.sampler import GenerationError, make_record

    text = GOOD.replace("answer_type: int", "answer_type: label\nlabels: [near, far]").replace(
        "program: distance(start(), goal())", 'program: if(distance(start(), goal()) > 100, "far", "close")')
    task = load_template(write(tmp_path, text))
    with pytest.raises(GenerationError, match="not one of the template's labels"):
        make_record(task, 1, 0, 0, "text")
