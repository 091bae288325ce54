"""The operator library: every function a program can call, with its signature and doc.

Operators are plain Python functions registered with :func:`operator`::

    @operator("shortest_path(a: Cell, b: Cell) -> Moves", family="maze")
    def shortest_path(ctx, a, b): ...

The first argument is always the :class:`Context` (the scene, a per-scene cache, and, for
``random=True`` operators only, the sampler's generator). Random operators may appear only in a
template's parameter domains, never in programs or constraints, so that re-running a program on a
stored scene always gives the same answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .types import Type, parse_type


@dataclass
class Context:
    scene: Any
    rng: Any = None
    cache: dict = field(default_factory=dict)

    def memo(self, key, compute: Callable[[], Any]):
        """Cache per scene: programs and constraints often ask the same BFS twice."""
        try:
            return self.cache[key]
        except KeyError:
            value = self.cache[key] = compute()
            return value


@dataclass(frozen=True)
class OpParam:
    name: str
    type: Type
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class Operator:
    name: str
    params: tuple[OpParam, ...]
    returns: Type
    fn: Callable[..., Any]
    doc: str
    family: str | None
    random: bool = False

    @property
    def signature(self) -> str:
        ps = []
        for p in self.params:
            ps.append(f"{p.name}: {p.type}" + (f" = {p.default!r}" if p.has_default else ""))
        return f"{self.name}({', '.join(ps)}) -> {self.returns}"


_SIG = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*\((.*)\)\s*->\s*(.+?)\s*$")


def _split_params(text: str) -> list[str]:
    depth, cur, out = 0, "", []
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def parse_signature(sig: str) -> tuple[str, tuple[OpParam, ...], Type]:
    m = _SIG.match(sig)
    if not m:
        raise ValueError(f"bad operator signature {sig!r}; expected 'name(a: Type, ...) -> Type'")
    name, params_text, ret = m.groups()
    params = []
    for p in _split_params(params_text):
        pname, _, rest = p.partition(":")
        ptype, eq, default = rest.partition("=")
        has_default = bool(eq)
        value = None
        if has_default:
            import ast

            value = ast.literal_eval(default.strip())
        params.append(OpParam(pname.strip(), parse_type(ptype.strip()), value, has_default))
    return name, tuple(params), parse_type(ret)


class OperatorLibrary:
    """Operators by (family, name); family ``None`` holds the core operators every family sees."""

    def __init__(self) -> None:
        self._ops: dict[tuple[str | None, str], Operator] = {}

    def register(self, sig: str, fn: Callable, family: str | None = None, random: bool = False,
                 doc: str | None = None) -> Operator:
        name, params, returns = parse_signature(sig)
        key = (family, name)
        if key in self._ops and self._ops[key].fn is not fn:
            raise ValueError(f"operator {name!r} registered twice for family {family!r}")
        op = Operator(name, params, returns, fn, (doc or fn.__doc__ or "").strip(), family, random)
        self._ops[key] = op
        return op

    def lookup(self, name: str, family: str | None) -> Operator | None:
        return self._ops.get((family, name)) or self._ops.get((None, name))

    def visible(self, family: str | None) -> list[Operator]:
        """Operators a template of ``family`` can call."""
        seen: dict[str, Operator] = {}
        for (fam, name), op in self._ops.items():
            if fam is None or fam == family:
                if fam is not None or name not in seen:
                    seen[name] = op
        return sorted(seen.values(), key=lambda o: o.name)


LIBRARY = OperatorLibrary()


def operator(sig: str, family: str | None = None, random: bool = False):
    """Decorator registering a Python function as a DSL operator (see module doc)."""

    def wrap(fn: Callable) -> Callable:
        LIBRARY.register(sig, fn, family=family, random=random)
        return fn

    return wrap
