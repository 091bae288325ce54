"""The program language: parsing, type checking with positions, execution and traces."""

import pytest

from spatialgen.dsl import Compiler, Context, DslError, ProgramError, Source, compile_source
from spatialgen.dsl.syntax import parse_library
from spatialgen.dsl.types import INT, parse_type


def run(text, **params):
    types = {k: INT for k in params}
    return compile_source(text, params=types).run(Context(None), params)


def test_statements_infix_operators_and_result():
    res = run("x = len([1, 2, 3])\ny = x + $k\ny == 5 and not (x > 3)", k=2)
    assert res.value is True
    # Every call and binding is traced, inner calls before outer ones.
    labels = [s.label for s in res.trace]
    assert labels[:2] == ["len", "x"] and "y" in labels and labels[-1] == "and"


def test_trace_records_argument_values():
    res = run("max([3, 9, 4]) - min([3, 9, 4])")
    steps = {s.label: s for s in res.trace}
    assert steps["max"].args == ((3, 9, 4),) and steps["max"].value == 9
    assert steps["sub"].value == 6


def test_if_is_lazy():
    # The else branch would fail; only the chosen branch runs.
    assert run("if(true, 1, at([1], 5))").value == 1
    with pytest.raises(ProgramError):
        run("if(false, 1, at([1], 5))")


@pytest.mark.parametrize("text, line, col, fragment", [
    ("len(1)", 1, 5, "must be List[T], got Int"),
    ("foo(1)", 1, 1, "unknown operator 'foo'"),
    ("lenn([1])", 1, 1, "did you mean 'len'"),
    ("len([1, 2]", 1, 11, "expected"),
    ("x = 1\nlen(y)", 2, 5, "unknown name 'y'"),
    ("$missing", 1, 1, "unknown parameter $missing"),
    ("[1, \"a\"]", 1, 5, "share one type"),
    ("max(items=[1], extra=2)", 1, 22, "no parameter 'extra'"),
    ("random_int(1, 3)", 1, 1, "may only be used in a parameter's 'sample' domain"),
    ("if(1, 2, 3)", 1, 4, "condition of 'if' must be Bool"),
])
def test_compile_errors_name_file_line_and_column(text, line, col, fragment):
    with pytest.raises(DslError) as e:
        compile_source(text, file="t.yaml")
    assert e.value.file == "t.yaml"
    assert (e.value.line, e.value.column) == (line, col), str(e.value)
    assert fragment in e.value.message
    assert str(e.value).startswith(f"t.yaml:{line}:{col}: ")


def test_positions_are_translated_to_the_enclosing_file():
    src = Source("x = 1\nlen(x)", "tpl.yaml", line_offset=10, column_offset=2)
    with pytest.raises(DslError) as e:
        Compiler(None).compile(src, {})
    assert (e.value.line, e.value.column) == (12, 7)


def test_no_python_reachable_from_programs():
    for hostile in ['__import__("os").system("echo hi")', "open(\"/etc/passwd\")", "eval(\"1\")",
                    "x.__class__", "len([1]).__class__"]:
        with pytest.raises(DslError):
            compile_source(hostile)


def test_random_operators_allowed_in_samplers_only():
    import numpy as np

    prog = compile_source("random_int(1, 3)", allow_random=True)
    vals = {prog.run(Context(None, rng=np.random.default_rng(i)), {}).value for i in range(30)}
    assert vals == {1, 2, 3}


def test_definitions_are_typed_and_callable():
    compiler = Compiler(None)
    for d in parse_library(Source("def double(n: Int) -> Int { n + n }\n"
                                  "def quad(n: Int) -> Int { double(double(n)) }", "lib.sg")):
        compiler.define(d)
    prog = compiler.compile(Source("quad($k)"), {"k": INT})
    res = prog.run(Context(None), {"k": 3})
    assert res.value == 12
    # Inner steps of a definition are traced one level deeper.
    assert {s.depth for s in res.trace} == {0, 1, 2}


def test_definition_return_type_is_checked():
    compiler = Compiler(None)
    (d,) = parse_library(Source('def bad() -> Int { "text" }', "lib.sg"))
    with pytest.raises(DslError, match="declared to return Int"):
        compiler.define(d)


def test_definitions_cannot_recurse():
    compiler = Compiler(None)
    (d,) = parse_library(Source("def f(n: Int) -> Int { f(n) }", "lib.sg"))
    with pytest.raises(DslError, match="unknown operator 'f'"):
        compiler.define(d)


def test_type_parser():
    assert str(parse_type("List[List[Int]]")) == "List[List[Int]]"
    with pytest.raises(ValueError, match="unknown type"):
        parse_type("List[Banana]")
