"""Type-check a parsed program against the operator library and turn it into closures.

No ``eval``/``exec``: each AST node becomes a small Python closure; running a compiled program
returns its value and a trace of every intermediate value (the step-by-step rationale).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import DslError, ProgramError, Source
from .operators import LIBRARY, Context, Operator, OperatorLibrary
from .syntax import Call, Definition, Let, ListExpr, Literal, Node, Param, Program, Var, parse_program
from .types import ANY, BOOL, FLOAT, INT, STR, Type, list_of, substitute, unify


@dataclass(frozen=True)
class Step:
    """One evaluated call or binding: ``depth`` > 0 inside a named definition."""

    depth: int
    label: str
    args: tuple
    value: Any
    is_binding: bool = False  # ``name = expr`` rather than a call


class _State:
    __slots__ = ("ctx", "env", "trace", "depth")

    def __init__(self, ctx: Context, env: dict, trace: list | None, depth: int = 0):
        self.ctx = ctx
        self.env = env
        self.trace = trace
        self.depth = depth


Fn = Callable[[_State], Any]


@dataclass
class RunResult:
    value: Any
    trace: list[Step]


@dataclass
class CompiledProgram:
    source: Source
    type: Type
    params: dict[str, Type]
    _fn: Fn

    def run(self, ctx: Context, params: Mapping[str, Any], trace: bool = True) -> RunResult:
        """Evaluate on ``ctx.scene`` with parameter values; raises ProgramError on bad input."""
        steps: list[Step] | None = [] if trace else None
        try:
            value = self._fn(_State(ctx, dict(params), steps))
        except ProgramError:
            raise
        except (KeyError, IndexError, ValueError, TypeError, ZeroDivisionError) as e:
            raise ProgramError(f"{type(e).__name__}: {e}") from e
        return RunResult(value, steps or [])


def _literal_type(v: Any) -> Type:
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int):
        return INT
    if isinstance(v, float):
        return FLOAT
    return STR


class Compiler:
    """Compiles programs for one family, with the named definitions of ``programs/``."""

    def __init__(self, family: str | None, library: OperatorLibrary = LIBRARY,
                 definitions: Mapping[str, "CompiledDefinition"] | None = None):
        self.family = family
        self.library = library
        self.definitions: dict[str, CompiledDefinition] = dict(definitions or {})

    # -- public -----------------------------------------------------------------------------
    def compile(self, source: Source, params: Mapping[str, Type], allow_random: bool = False,
                expect: Type | None = None) -> CompiledProgram:
        program = parse_program(source)
        fn, t = self._program(program, source, dict(params), allow_random)
        if expect is not None and not unify(expect, t, {}):
            raise source.error(f"program returns {t}, but {expect} is required here",
                               program.result.line, program.result.column)
        return CompiledProgram(source, t, dict(params), fn)

    def define(self, d: Definition) -> None:
        """Compile a ``def`` and make it callable by later programs (no recursion by design)."""
        if d.name in self.definitions or self.library.lookup(d.name, self.family):
            raise d.source.error(f"'{d.name}' is already defined", d.line, d.column)
        fn, t = self._program(d.body, d.source, {}, False, locals_=dict(d.params))
        if not unify(d.returns, t, {}):
            raise d.source.error(f"'{d.name}' is declared to return {d.returns} but its body returns {t}",
                                 d.body.result.line, d.body.result.column)
        self.definitions[d.name] = CompiledDefinition(d.name, d.params, d.returns, fn)

    # -- internals --------------------------------------------------------------------------
    def _program(self, program: Program, src: Source, params: dict[str, Type], allow_random: bool,
                 locals_: dict[str, Type] | None = None) -> tuple[Fn, Type]:
        scope: dict[str, Type] = dict(locals_ or {})
        lets: list[tuple[str, Fn]] = []
        for stmt in program.statements:
            if stmt.name in scope:
                raise src.error(f"'{stmt.name}' is already bound", stmt.line, stmt.column)
            fn, t = self._expr(stmt.value, src, params, scope, allow_random)
            scope[stmt.name] = t
            lets.append((stmt.name, fn))
        result_fn, result_t = self._expr(program.result, src, params, scope, allow_random)

        if not lets:
            return result_fn, result_t

        def run(st: _State) -> Any:
            for name, fn in lets:
                value = fn(st)
                st.env[name] = value
                if st.trace is not None:
                    st.trace.append(Step(st.depth, name, (), value, True))
            return result_fn(st)

        return run, result_t

    def _expr(self, node: Node, src: Source, params: dict[str, Type], scope: dict[str, Type],
              allow_random: bool) -> tuple[Fn, Type]:
        if isinstance(node, Literal):
            value = node.value
            return (lambda st: value), _literal_type(value)
        if isinstance(node, Param):
            if node.name not in params:
                known = ", ".join(f"${p}" for p in params) or "none"
                raise src.error(f"unknown parameter ${node.name}; declared parameters: {known}", node.line, node.column)
            name = node.name
            return (lambda st: st.env[name]), params[name]
        if isinstance(node, Var):
            if node.name not in scope:
                hint = self._suggest(node.name, list(scope))
                raise src.error(f"unknown name '{node.name}'{hint} (parameters are written $name)", node.line, node.column)
            name = node.name
            return (lambda st: st.env[name]), scope[name]
        if isinstance(node, ListExpr):
            parts = [self._expr(i, src, params, scope, allow_random) for i in node.items]
            elem: Type = ANY
            bindings: dict[str, Type] = {}
            var = Type("T")
            for (_, t), item in zip(parts, node.items):
                if not unify(var, t, bindings):
                    raise src.error(f"list items must share one type: got {bindings['T']} and {t}", item.line, item.column)
            elem = substitute(var, bindings) if parts else ANY
            fns = [f for f, _ in parts]
            return (lambda st: tuple(f(st) for f in fns)), list_of(elem)
        if isinstance(node, Call):
            return self._call(node, src, params, scope, allow_random)
        raise src.error(f"unsupported expression {type(node).__name__}", node.line, node.column)  # pragma: no cover

    def _suggest(self, name: str, options: list[str]) -> str:
        close = difflib.get_close_matches(name, options, n=1)
        return f" (did you mean '{close[0]}'?)" if close else ""

    def _call(self, node: Call, src: Source, params, scope, allow_random) -> tuple[Fn, Type]:
        if node.name == "if":
            return self._if(node, src, params, scope, allow_random)
        d = self.definitions.get(node.name)
        op = None if d else self.library.lookup(node.name, self.family)
        if d is None and op is None:
            names = [o.name for o in self.library.visible(self.family)] + list(self.definitions)
            raise src.error(f"unknown operator '{node.name}'{self._suggest(node.name, names)}", node.line, node.column)
        if op is not None and op.random and not allow_random:
            raise src.error(f"'{node.name}' draws random values and may only be used in a parameter's 'sample' domain",
                            node.line, node.column)
        formal = [(n, t, False, None) for n, t in d.params] if d else [
            (p.name, p.type, p.has_default, p.default) for p in op.params]
        returns = d.returns if d else op.returns

        # Match positional and keyword arguments to formal parameters.
        if len(node.args) > len(formal):
            raise src.error(f"'{node.name}' takes {len(formal)} argument(s), got {len(node.args)}; "
                            f"signature: {self._sig(node.name, formal, returns)}", node.line, node.column)
        slots: dict[str, Node] = {}
        for (pname, *_), a in zip(formal, node.args):
            slots[pname] = a
        names = [f[0] for f in formal]
        for k, a in node.kwargs:
            if k not in names:
                raise src.error(f"'{node.name}' has no parameter '{k}'{self._suggest(k, names)}; "
                                f"signature: {self._sig(node.name, formal, returns)}", a.line, a.column)
            if k in slots:
                raise src.error(f"'{node.name}' got parameter '{k}' twice", a.line, a.column)
            slots[k] = a
        bindings: dict[str, Type] = {}
        arg_fns: list[Fn] = []
        for pname, ptype, has_default, default in formal:
            if pname not in slots:
                if not has_default:
                    raise src.error(f"'{node.name}' is missing argument '{pname}: {ptype}'; "
                                    f"signature: {self._sig(node.name, formal, returns)}", node.line, node.column)
                arg_fns.append(lambda st, v=default: v)
                continue
            a = slots[pname]
            fn, t = self._expr(a, src, params, scope, allow_random)
            if not unify(ptype, t, bindings):
                shown = ptype if any(x.is_var for x in _walk_types(ptype)) and not bindings else substitute(ptype, bindings)
                raise src.error(f"argument '{pname}' of '{node.name}' must be {shown}, got {t}",
                                a.line, a.column)
            arg_fns.append(fn)
        ret = substitute(returns, bindings)
        label = node.name

        if d is not None:
            body, pnames = d.fn, [n for n, _ in d.params]

            def run_def(st: _State) -> Any:
                vals = [f(st) for f in arg_fns]
                sub = _State(st.ctx, dict(zip(pnames, vals)), st.trace, st.depth + 1)
                value = body(sub)
                if st.trace is not None:
                    st.trace.append(Step(st.depth, label, tuple(vals), value))
                return value

            return run_def, ret

        py = op.fn

        def run_op(st: _State) -> Any:
            vals = [f(st) for f in arg_fns]
            value = py(st.ctx, *vals)
            if st.trace is not None:
                st.trace.append(Step(st.depth, label, tuple(vals), value))
            return value

        return run_op, ret

    def _if(self, node: Call, src, params, scope, allow_random) -> tuple[Fn, Type]:
        # A special form: only the chosen branch runs, so the other may be undefined (e.g. a walk
        # that would hit a wall).
        if len(node.args) != 3 or node.kwargs:
            raise src.error("'if' takes exactly three arguments: if(condition, then, else)", node.line, node.column)
        (cf, ct), (af, at), (bf, bt) = (self._expr(a, src, params, scope, allow_random) for a in node.args)
        if not unify(BOOL, ct, {}):
            raise src.error(f"the condition of 'if' must be Bool, got {ct}", node.args[0].line, node.args[0].column)
        bindings: dict[str, Type] = {}
        var = Type("T")
        if not (unify(var, at, bindings) and unify(var, bt, bindings)):
            raise src.error(f"both branches of 'if' must have one type, got {at} and {bt}", node.line, node.column)
        return (lambda st: af(st) if cf(st) else bf(st)), substitute(var, bindings)

    @staticmethod
    def _sig(name, formal, returns) -> str:
        return f"{name}({', '.join(f'{n}: {t}' for n, t, *_ in formal)}) -> {returns}"


def _walk_types(t: Type):
    yield t
    for a in t.args:
        yield from _walk_types(a)


@dataclass
class CompiledDefinition:
    name: str
    params: tuple[tuple[str, Type], ...]
    returns: Type
    fn: Fn


def compile_source(text: str, family: str | None = None, params: Mapping[str, Type] | None = None,
                   file: str = "<program>", allow_random: bool = False) -> CompiledProgram:
    """Convenience for tests and the REPL: compile one program string."""
    return Compiler(family).compile(Source(text, file), params or {}, allow_random)


__all__ = ["Compiler", "CompiledProgram", "RunResult", "Step", "compile_source", "Context", "DslError",
           "ProgramError", "Operator"]
