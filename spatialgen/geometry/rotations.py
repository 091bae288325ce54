"""The rotation group of the cube, as exact integer 3x3 matrices.

Matrices are tuples of tuples of ints (hashable, JSON-friendly). Convention: right-handed
axes, a positive angle turns counter-clockwise when looking from +axis towards the origin
(right-hand rule), and a matrix acts on column vectors: ``v' = R @ v``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from functools import lru_cache

Matrix = tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]
Vec = tuple[int, int, int]
Step = tuple[str, int]  # (axis in "xyz", degrees)

IDENTITY: Matrix = ((1, 0, 0), (0, 1, 0), (0, 0, 1))
_AXES = "xyz"


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """Integer product ``a @ b`` (apply ``b`` first, then ``a``)."""
    return tuple(  # type: ignore[return-value]
        tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3)
    )


def apply(m: Matrix, v: Sequence[int]) -> Vec:
    """``m @ v`` for an integer vector."""
    return tuple(sum(m[i][k] * int(v[k]) for k in range(3)) for i in range(3))  # type: ignore[return-value]


def transpose(m: Matrix) -> Matrix:
    """Transpose; for a rotation or reflection in the group this is the inverse."""
    return tuple(tuple(m[j][i] for j in range(3)) for i in range(3))  # type: ignore[return-value]


inverse = transpose


def det(m: Matrix) -> int:
    """Determinant (+1 for proper rotations, -1 for improper ones)."""
    (a, b, c), (d, e, f), (g, h, i) = m
    return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)


def rotation_matrix(axis: str, degrees: int) -> Matrix:
    """Rotation by ``degrees`` (any multiple of 90, may be negative) about ``axis``."""
    if axis not in _AXES:
        raise ValueError(f"axis must be one of 'x', 'y', 'z', got {axis!r}")
    if degrees % 90 != 0:
        raise ValueError(f"degrees must be a multiple of 90, got {degrees}")
    q = (degrees // 90) % 4
    c = (1, 0, -1, 0)[q]  # cos, exact
    s = (0, 1, 0, -1)[q]  # sin, exact
    if axis == "x":
        return ((1, 0, 0), (0, c, -s), (0, s, c))
    if axis == "y":
        return ((c, 0, s), (0, 1, 0), (-s, 0, c))
    return ((c, -s, 0), (s, c, 0), (0, 0, 1))


def compose(steps: Iterable[Step]) -> Matrix:
    """Matrix of a sequence of (axis, degrees) rotations applied in order, first step first."""
    m = IDENTITY
    for axis, deg in steps:
        m = matmul(rotation_matrix(axis, deg), m)
    return m


def _closure(generators: Sequence[Matrix]) -> tuple[Matrix, ...]:
    # Breadth-first closure of the generators under multiplication: the group they generate.
    seen = {IDENTITY}
    queue = deque([IDENTITY])
    while queue:
        m = queue.popleft()
        for g in generators:
            p = matmul(g, m)
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return tuple(sorted(seen))


@lru_cache(maxsize=1)
def proper_rotations() -> tuple[Matrix, ...]:
    """The 24 rotations of the cube (det +1), generated from quarter turns about x and y."""
    return _closure([rotation_matrix("x", 90), rotation_matrix("y", 90)])


MIRROR_X: Matrix = ((-1, 0, 0), (0, 1, 0), (0, 0, 1))


@lru_cache(maxsize=1)
def improper_rotations() -> tuple[Matrix, ...]:
    """The 24 improper symmetries of the cube (det -1): each proper rotation times a mirror."""
    return tuple(sorted(matmul(r, MIRROR_X) for r in proper_rotations()))


@lru_cache(maxsize=1)
def _shortest_table() -> dict[Matrix, tuple[Step, ...]]:
    # BFS over the group where every quarter or half turn about one axis counts as one step;
    # the move order makes the table deterministic (x before y before z, +90 before -90, 180).
    moves = [(a, d) for a in _AXES for d in (90, -90, 180)]
    table: dict[Matrix, tuple[Step, ...]] = {IDENTITY: ()}
    queue = deque([IDENTITY])
    while queue:
        m = queue.popleft()
        for axis, deg in moves:
            p = matmul(rotation_matrix(axis, deg), m)
            if p not in table:
                table[p] = table[m] + ((axis, deg),)
                queue.append(p)
    return table


def shortest_steps(m: Matrix) -> list[Step]:
    """A shortest list of (axis, +-90 or 180) steps whose :func:`compose` equals ``m``."""
    table = _shortest_table()
    key = tuple(tuple(int(x) for x in row) for row in m)
    if key not in table:
        raise ValueError("matrix is not one of the 24 proper rotations of the cube")
    return list(table[key])  # type: ignore[index]
