"""The DSL's small static type system.

Types are names with optional arguments (``List[Cell]``). ``Any`` matches everything, single
capital letters (``T``) are type variables bound at a call site, and ``Int`` widens to ``Float``.
Families add their own names (``Cell``, ``Moves``, ``Object``...) with :func:`declare_type`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Type:
    name: str
    args: tuple["Type", ...] = ()

    def __str__(self) -> str:
        if not self.args:
            return self.name
        return f"{self.name}[{', '.join(str(a) for a in self.args)}]"

    @property
    def is_var(self) -> bool:
        return len(self.name) == 1 and self.name.isupper()


ANY = Type("Any")
INT = Type("Int")
FLOAT = Type("Float")
BOOL = Type("Bool")
STR = Type("Str")


def list_of(t: Type) -> Type:
    return Type("List", (t,))


_DECLARED: dict[str, str] = {
    "Any": "any value",
    "Int": "integer",
    "Float": "real number",
    "Bool": "true or false",
    "Str": "text",
    "List": "list of values of one type",
}


_BASES: dict[str, Type] = {}


def declare_type(name: str, doc: str, base: Type | None = None) -> Type:
    """Make a family-specific type name known to the type checker (idempotent).

    ``base`` makes the new type usable wherever the base is expected (``Moves`` is a
    ``List[Str]``, so ``len(moves)`` type-checks), but not the other way round.
    """
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]+", name):
        raise ValueError(f"type names are CamelCase words, got {name!r}")
    _DECLARED.setdefault(name, doc)
    if base is not None:
        _BASES[name] = base
    return Type(name)


_TOKEN = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*|\[|\]|,)")


def parse_type(text: str) -> Type:
    """Parse ``List[Cell]`` style type expressions; raise ValueError on unknown names."""
    tokens = [m for m in _TOKEN.findall(text)]
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise ValueError(f"malformed type {text!r}")
    pos = 0

    def parse() -> Type:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"malformed type {text!r}")
        name = tokens[pos]
        pos += 1
        if not (name in _DECLARED or (len(name) == 1 and name.isupper())):
            raise ValueError(f"unknown type {name!r} in {text!r}; known: {', '.join(sorted(_DECLARED))}")
        args: list[Type] = []
        if pos < len(tokens) and tokens[pos] == "[":
            pos += 1
            args.append(parse())
            while tokens[pos] == ",":
                pos += 1
                args.append(parse())
            if tokens[pos] != "]":
                raise ValueError(f"malformed type {text!r}")
            pos += 1
        return Type(name, tuple(args))

    t = parse()
    if pos != len(tokens):
        raise ValueError(f"malformed type {text!r}")
    return t


def unify(expected: Type, actual: Type, bindings: dict[str, Type]) -> bool:
    """True if a value of type ``actual`` can be passed where ``expected`` is declared.

    Binds type variables of ``expected`` in ``bindings`` as a side effect.
    """
    if expected.is_var:
        bound = bindings.get(expected.name)
        if bound is None or bound == ANY:
            bindings[expected.name] = actual
            return True
        if actual == ANY:
            return True
        if unify(bound, actual, bindings):
            return True
        # Int and Float mixed under one variable widen to Float.
        if {bound, actual} == {INT, FLOAT}:
            bindings[expected.name] = FLOAT
            return True
        return False
    if expected == ANY or actual == ANY:
        return True
    if expected == FLOAT and actual == INT:
        return True
    if expected.name != actual.name or len(expected.args) != len(actual.args):
        base = _BASES.get(actual.name)
        return base is not None and unify(expected, base, bindings)
    return all(unify(e, a, bindings) for e, a in zip(expected.args, actual.args))


def substitute(t: Type, bindings: dict[str, Type]) -> Type:
    if t.is_var:
        return bindings.get(t.name, ANY)
    if not t.args:
        return t
    return Type(t.name, tuple(substitute(a, bindings) for a in t.args))


def conforms(value: object, t: Type) -> bool:
    """Whether a literal value (e.g. from a template's ``values`` list) fits type ``t``.

    Family types without a structural base cannot be checked here and are accepted."""
    if t == ANY or t.is_var:
        return True
    if t == BOOL:
        return isinstance(value, bool)
    if t == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if t == FLOAT:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == STR:
        return isinstance(value, str)
    if t.name == "List":
        return isinstance(value, (list, tuple)) and all(conforms(v, t.args[0]) for v in value)
    base = _BASES.get(t.name)
    return base is None or conforms(value, base)
