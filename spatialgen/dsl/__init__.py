"""The question-program language: syntax, types, operators and the compiler."""

from . import builtins as _builtins  # noqa: F401  (registers the core operators)
from .compiler import CompiledProgram, Compiler, RunResult, Step, compile_source
from .errors import DslError, ProgramError, Source
from .operators import LIBRARY, Context, Operator, operator
from .types import Type, declare_type, parse_type

__all__ = ["CompiledProgram", "Compiler", "Context", "DslError", "LIBRARY", "Operator", "ProgramError",
           "RunResult", "Source", "Step", "Type", "compile_source", "declare_type", "operator", "parse_type"]
