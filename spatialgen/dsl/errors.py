"""Errors that point at the exact place in a template or program file."""

from __future__ import annotations

from dataclasses import dataclass


class DslError(ValueError):
    """A compile error: ``file:line:col: message``."""

    def __init__(self, message: str, file: str = "<program>", line: int = 1, column: int = 1):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(f"{file}:{line}:{column}: {message}")


class ProgramError(RuntimeError):
    """Raised while a program runs (e.g. a move sequence walks into a wall).

    During sampling it rejects the attempt; it never reaches a written record.
    """


@dataclass(frozen=True)
class Source:
    """Program text plus where it sits in its file, so errors report file positions.

    ``line_offset``/``column_offset`` translate positions inside ``text`` to positions in ``file``
    (e.g. a program embedded in a YAML block scalar starts several lines into the file).
    """

    text: str
    file: str = "<program>"
    line_offset: int = 0
    column_offset: int = 0

    def error(self, message: str, line: int, column: int) -> DslError:
        return DslError(message, self.file, line + self.line_offset, column + self.column_offset)
