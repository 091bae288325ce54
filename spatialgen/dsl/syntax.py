"""Parse program text into a small AST with source positions.

The grammar (``grammar.lark``) is parsed with Lark's LALR parser; infix operators are desugared
into ordinary calls (``a == b`` becomes ``eq(a, b)``) so that the compiler only knows calls.
"""

from __future__ import annotations

import ast as _pyast
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import lark

from .errors import DslError, Source
from .types import Type


@dataclass(frozen=True)
class Node:
    line: int
    column: int


@dataclass(frozen=True)
class Literal(Node):
    value: object


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Param(Node):
    name: str


@dataclass(frozen=True)
class Var(Node):
    name: str


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...] = ()


@dataclass(frozen=True)
class Let(Node):
    name: str
    value: Node


@dataclass(frozen=True)
class Program(Node):
    statements: tuple[Let, ...]
    result: Node


@dataclass(frozen=True)
class Definition(Node):
    name: str
    params: tuple[tuple[str, Type], ...]
    returns: Type
    body: Program
    source: Source = field(compare=False, default=None)  # type: ignore[assignment]


_INFIX = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "+": "add", "-": "sub"}


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text()
    return lark.Lark(grammar, start=["program", "library"], parser="lalr", propagate_positions=True)


def _pos(item) -> tuple[int, int]:
    meta = getattr(item, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.line, meta.column
    return getattr(item, "line", 1) or 1, getattr(item, "column", 1) or 1


class _Builder:
    def __init__(self, source: Source):
        self.source = source

    def expr(self, t) -> Node:
        line, col = _pos(t)
        if isinstance(t, lark.Token):  # pragma: no cover - grammar always wraps tokens
            raise self.source.error(f"unexpected token {t!r}", line, col)
        kind = t.data
        ch = t.children
        if kind == "number":
            text = str(ch[0])
            value = float(text) if any(c in text for c in ".eE") else int(text)
            return Literal(line, col, value)
        if kind == "string":
            return Literal(line, col, _pyast.literal_eval(str(ch[0])))
        if kind == "true":
            return Literal(line, col, True)
        if kind == "false":
            return Literal(line, col, False)
        if kind == "param":
            return Param(line, col, str(ch[0]))
        if kind == "var":
            return Var(line, col, str(ch[0]))
        if kind == "list":
            return ListExpr(line, col, tuple(self.expr(c) for c in ch if c is not None))
        if kind == "call":
            name = str(ch[0])
            args: list[Node] = []
            kwargs: list[tuple[str, Node]] = []
            for a in ch[1:]:
                if a is None:
                    continue
                if isinstance(a, lark.Tree) and a.data == "kwarg":
                    if any(k == str(a.children[0]) for k, _ in kwargs):
                        raise self.source.error(f"keyword argument {a.children[0]!s} given twice", *_pos(a))
                    kwargs.append((str(a.children[0]), self.expr(a.children[1])))
                else:
                    if kwargs:
                        raise self.source.error("positional argument after keyword argument", *_pos(a))
                    args.append(self.expr(a))
            return Call(line, col, name, tuple(args), tuple(kwargs))
        if kind in ("compare", "arith"):
            left, op, right = ch
            return Call(line, col, _INFIX[str(op)], (self.expr(left), self.expr(right)))
        if kind == "and_op":
            return Call(line, col, "and", (self.expr(ch[0]), self.expr(ch[1])))
        if kind == "or_op":
            return Call(line, col, "or", (self.expr(ch[0]), self.expr(ch[1])))
        if kind == "not_op":
            return Call(line, col, "not", (self.expr(ch[0]),))
        raise self.source.error(f"unsupported syntax {kind!r}", line, col)  # pragma: no cover

    def program(self, t) -> Program:
        *stmts, result = t.children
        lets = []
        for s in stmts:
            name, value = s.children
            lets.append(Let(*_pos(s), str(name), self.expr(value)))
        return Program(*_pos(t), tuple(lets), self.expr(result))

    def type(self, t) -> Type:
        from .types import parse_type

        text = _type_text(t)
        try:
            return parse_type(text)
        except ValueError as e:
            raise self.source.error(str(e), *_pos(t)) from None

    def definition(self, t) -> Definition:
        name, *rest = t.children
        body = rest[-1]
        returns = rest[-2]
        params = []
        for p in rest[:-2]:
            if p is None:
                continue
            pname, ptype = p.children
            params.append((str(pname), self.type(ptype)))
        return Definition(*_pos(t), str(name), tuple(params), self.type(returns), self.program(body), self.source)


def _type_text(t) -> str:
    name, *args = t.children
    if not args:
        return str(name)
    return f"{name}[{', '.join(_type_text(a) for a in args)}]"


def _parse(source: Source, start: str):
    try:
        return _parser().parse(source.text, start=start)
    except lark.exceptions.UnexpectedCharacters as e:
        raise source.error(f"unexpected character {source.text[e.pos_in_stream]!r}", e.line, e.column) from None
    except lark.exceptions.UnexpectedToken as e:
        expected = sorted(_describe(x) for x in e.expected)
        got = "end of program" if e.token.type == "$END" else repr(str(e.token))
        if e.token.type == "$END":  # point just past the last character
            lines = source.text.rstrip().split("\n")
            line, col = len(lines), len(lines[-1]) + 1
        else:
            line, col = e.line, e.column
        raise source.error(f"unexpected {got}; expected {' or '.join(expected[:6])}", line, col) from None
    except lark.exceptions.UnexpectedEOF as e:  # pragma: no cover - LALR reports UnexpectedToken
        raise source.error("unexpected end of program", 1, 1) from e


_TERMINAL_NAMES = {
    "NAME": "a name", "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "EQUAL": "'='", "DOLLAR": "'$'",
    "LSQB": "'['", "RSQB": "']'", "LBRACE": "'{'", "RBRACE": "'}'", "SIGNED_NUMBER": "a number",
    "ESCAPED_STRING": "a string", "COMP": "a comparison", "ADDOP": "'+' or '-'", "COLON": "':'",
    "__ANON_0": "'->'", "$END": "end of program",
}


def _describe(terminal: str) -> str:
    return _TERMINAL_NAMES.get(terminal, terminal.lower())


def parse_program(source: Source) -> Program:
    """Parse a template's program (statements then one result expression)."""
    return _Builder(source).program(_parse(source, "program"))


def parse_library(source: Source) -> list[Definition]:
    """Parse a ``programs/*.sg`` file of ``def`` definitions."""
    tree = _parse(source, "library")
    b = _Builder(source)
    return [b.definition(d) for d in tree.children]
