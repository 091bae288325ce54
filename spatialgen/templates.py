"""Question templates: YAML files that are data, compiled into runnable tasks.

A template names its family and answer type, declares parameters with their domains, gives the
program that computes the answer, constraints that must hold for a question to be kept, and
several Jinja2 paraphrases rendered in a sandbox. Templates may come from strangers, so nothing in
them can reach Python: programs go through our compiler, text through a sandboxed Jinja2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

import jinja2
import jinja2.meta
import yaml
from jinja2 import nodes as jnodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .answers import DIRECTION_ORDER, AnswerType, get_answer_type
from .dsl import CompiledProgram, Compiler, DslError, Source
from .dsl.syntax import parse_library
from .dsl.types import BOOL, FLOAT, Type, conforms, list_of, parse_type
from .families import Family, get_family
from .resources import data_dir


class TemplateError(ValueError):
    """A template cannot be loaded: message starts with ``file[:line:col]:``."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParamSpec(_Strict):
    type: str
    values: list[Any] | None = None
    sample: str | None = None
    doc: str = ""


class ConstraintSpec(_Strict):
    name: str
    program: str


class ChoicesSpec(_Strict):
    count: int = Field(4, ge=2, le=8)
    distractors: str


class TemplateSpec(_Strict):
    id: str
    family: str
    description: str = ""
    answer_type: str
    labels: list[str] | None = None
    params: dict[str, ParamSpec] = {}
    program: str
    constraints: list[Union[ConstraintSpec, str]] = []
    accept: str | None = None
    partial: str | None = None
    choices: ChoicesSpec | None = None
    balance: Union[Literal["auto", "none"], list[Any]] = "auto"
    render: dict[str, Any] = {}
    text: list[str] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", v):
            raise ValueError("task ids look like 'family.task_name' (lower case, digits, underscores)")
        return v


# -- sandboxed text ------------------------------------------------------------------------------

def _fmt_cell(v) -> str:
    return f"row {v[0]}, column {v[1]}"


def _fmt_moves(v) -> str:
    return " ".join(v)


_JINJA = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False,
                                       keep_trailing_newline=False)
_JINJA.filters.update(cell=_fmt_cell, moves=_fmt_moves)


def _check_jinja_ast(tree: jnodes.Node) -> str | None:
    """Refuse private attribute access up front: the sandbox would refuse it at render time
    anyway, but a hostile template should fail when loaded, not halfway through a run."""
    for node in tree.find_all((jnodes.Getattr, jnodes.Getitem)):
        name = node.attr if isinstance(node, jnodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            return f"access to private attribute '{name}' is not allowed"
    return None


# -- compiled task --------------------------------------------------------------------------------

@dataclass
class Param:
    name: str
    type: Type
    values: list[Any] | None
    sampler: CompiledProgram | None


@dataclass
class Constraint:
    name: str
    program: CompiledProgram


@dataclass
class Task:
    """A compiled template: everything needed to make and re-check records of one task."""

    spec: TemplateSpec
    file: str
    family: Family
    answer: AnswerType
    params: list[Param]
    program: CompiledProgram
    constraints: list[Constraint]
    accept: CompiledProgram | None
    partial: CompiledProgram | None
    distractors: CompiledProgram | None
    texts: list[jinja2.Template]
    balance: list[str] | None = field(default=None)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def is_choice(self) -> bool:
        return self.spec.choices is not None

    @property
    def label_set(self) -> set[str]:
        return {self.answer.canonical(x) for x in self.spec.labels or []}

    def param_types(self) -> dict[str, Type]:
        return {p.name: p.type for p in self.params}


# -- loading ----------------------------------------------------------------------------------------

def _scalar_positions(root: yaml.Node, text_lines: list[str]) -> dict[tuple, tuple[int, int]]:
    """Map each scalar's key path to (line_offset, column_offset) of its content in the file, so a
    position inside an embedded program becomes a file position."""
    out: dict[tuple, tuple[int, int]] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, path + (k.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))
        elif isinstance(node, yaml.ScalarNode):
            m = node.start_mark
            if node.style in ("|", ">"):
                first = m.line + 1
                while first < len(text_lines) and not text_lines[first].strip():
                    first += 1
                indent = len(text_lines[first]) - len(text_lines[first].lstrip()) if first < len(text_lines) else 0
                out[path] = (first, indent)
            else:
                out[path] = (m.line, m.column + (1 if node.style in ("'", '"') else 0))

    walk(root, ())
    return out


_DEFINITIONS_CACHE: dict[tuple[str, tuple[str, ...]], dict] = {}


def _compiler_for(family: str, program_dirs: tuple[Path, ...]) -> Compiler:
    """A compiler seeded with ``programs/common.sg`` and ``programs/<family>.sg`` definitions."""
    key = (family, tuple(str(p) for p in program_dirs))
    if key not in _DEFINITIONS_CACHE:
        compiler = Compiler(family)
        for d in program_dirs:
            for stem in ("common", family):
                path = d / f"{stem}.sg"
                if path.is_file():
                    for definition in parse_library(Source(path.read_text(), _display(path))):
                        compiler.define(definition)
        _DEFINITIONS_CACHE[key] = compiler.definitions
    return Compiler(family, definitions=_DEFINITIONS_CACHE[key])


def _display(path: Path) -> str:
    """Paths in messages: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_template(path: Path, program_dirs: tuple[Path, ...] | None = None) -> Task:
    """Load, validate and compile one template file; raise TemplateError on any problem."""
    file = _display(path)
    try:
        raw_text = path.read_text()
        root = yaml.compose(raw_text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(raw_text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise TemplateError(f"{file}{where}: invalid YAML: {problem}") from None
    except OSError as e:
        raise TemplateError(f"{file}: cannot read template: {e.strerror}") from None
    if not isinstance(raw, dict):
        raise TemplateError(f"{file}: a template is a YAML mapping with keys id, family, answer_type, program, text")
    try:
        spec = TemplateSpec.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise TemplateError(f"{file}: field '{loc}': {err['msg']}") from None
    positions = _scalar_positions(root, raw_text.splitlines())
    try:
        return _compile(spec, file, positions, program_dirs or (data_dir("programs"),))
    except DslError as e:
        raise TemplateError(str(e)) from None


def _compile(spec: TemplateSpec, file: str, positions: dict, program_dirs: tuple[Path, ...]) -> Task:
    def src(path: tuple, text: str) -> Source:
        line, col = positions.get(path, (0, 0))
        return Source(text, file, line, col)

    def fail(path: tuple, message: str) -> TemplateError:
        line, col = positions.get(path, (0, 0))
        return TemplateError(f"{file}:{line + 1}:{col + 1}: {message}")

    try:
        family = get_family(spec.family)
    except ValueError as e:
        raise fail(("family",), str(e)) from None
    if not spec.id.startswith(spec.family + "."):
        raise fail(("id",), f"task id '{spec.id}' must start with its family '{spec.family}.'")
    try:
        answer = get_answer_type(spec.answer_type)
    except ValueError as e:
        raise fail(("answer_type",), str(e)) from None
    if spec.answer_type == "label" and not spec.labels:
        raise fail(("answer_type",), "answer_type 'label' needs a 'labels' list of allowed answers")

    compiler = _compiler_for(spec.family, program_dirs)
    params: list[Param] = []
    declared: dict[str, Type] = {}
    for name, p in spec.params.items():
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise fail(("params", name), f"parameter name '{name}' must be lower_case")
        try:
            ptype = parse_type(p.type)
        except ValueError as e:
            raise fail(("params", name, "type"), str(e)) from None
        if (p.values is None) == (p.sample is None):
            raise fail(("params", name), f"parameter '{name}' needs exactly one of 'values' or 'sample'")
        sampler = None
        if p.sample is not None:
            # A sampler may use the parameters declared before it, and random operators.
            sampler = compiler.compile(src(("params", name, "sample"), p.sample), declared, allow_random=True,
                                       expect=ptype)
        elif not p.values:
            raise fail(("params", name, "values"), f"parameter '{name}' has an empty 'values' list")
        else:
            for i, v in enumerate(p.values):
                if not conforms(v, ptype):
                    raise fail(("params", name, "values", i), f"value {v!r} of parameter '{name}' is not a {ptype}")
        params.append(Param(name, ptype, p.values, sampler))
        declared[name] = ptype

    program = compiler.compile(src(("program",), spec.program), declared, expect=answer.dsl_type)
    constraints = []
    for i, c in enumerate(spec.constraints):
        name, text, path = (c, c, ("constraints", i)) if isinstance(c, str) else (c.name, c.program, ("constraints", i, "program"))
        constraints.append(Constraint(name, compiler.compile(src(path, text), declared, expect=BOOL)))
    with_response = {**declared, "response": answer.dsl_type}
    accept = spec.accept and compiler.compile(src(("accept",), spec.accept), with_response, expect=BOOL)
    partial = spec.partial and compiler.compile(src(("partial",), spec.partial), with_response, expect=FLOAT)
    distractors = None
    if spec.choices is not None:
        distractors = compiler.compile(src(("choices", "distractors"), spec.choices.distractors), declared,
                                       allow_random=True, expect=list_of(answer.dsl_type))

    texts = []
    context_names = set(declared) | {"answer_instruction"}
    for i, t in enumerate(spec.text):
        try:
            tree = _JINJA.parse(t)
        except jinja2.TemplateSyntaxError as e:
            line, col = positions.get(("text", i), (0, 0))
            raise TemplateError(f"{file}:{line + e.lineno}:{col + 1}: text variant {i + 1}: {e.message}") from None
        problem = _check_jinja_ast(tree)
        if problem:
            raise fail(("text", i), f"text variant {i + 1}: {problem}")
        available = context_names | set(family.text_vars)
        undeclared = jinja2.meta.find_undeclared_variables(tree) - available
        if undeclared:
            raise fail(("text", i), f"text variant {i + 1} uses undefined variable(s) {', '.join(sorted(undeclared))}; "
                                    f"available: {', '.join(sorted(available))}")
        texts.append(_JINJA.from_string(t))

    for key, v in spec.render.items():
        if isinstance(v, str) and v.startswith("$") and v[1:] not in declared:
            raise fail(("render", key), f"render hint '{key}' refers to unknown parameter {v}")

    balance: list[str] | None
    if spec.balance == "none":
        balance = None
    elif spec.balance == "auto":
        if spec.choices is not None:
            balance = None  # the correct letter is balanced separately
        elif spec.answer_type == "bool":
            balance = ["yes", "no"]
        elif spec.answer_type == "label":
            balance = [answer.canonical(x) for x in spec.labels or []]
        else:
            balance = None
    else:
        balance = [str(b) for b in spec.balance]

    return Task(spec, file, family, answer, params, program, constraints, accept or None, partial or None,
                distractors, texts, balance)


__all__ = ["Task", "TemplateError", "TemplateSpec", "load_template", "DIRECTION_ORDER"]
