"""Colored cubes and cube nets, by exact integer folding.

Face convention (right-handed, z up, viewer looking along +y from the front):

    +x right   -x left   +y back   -y front   +z up   -z down

A colored cube is a dict face-name -> color (any hashable, usually a color name).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from .rotations import Matrix, Step, apply, compose, matmul, rotation_matrix

FACE_DIRECTIONS: dict[str, tuple[int, int, int]] = {
    "right": (1, 0, 0), "left": (-1, 0, 0),
    "back": (0, 1, 0), "front": (0, -1, 0),
    "up": (0, 0, 1), "down": (0, 0, -1),
}
_DIRECTION_FACES = {v: k for k, v in FACE_DIRECTIONS.items()}
OPPOSITE_FACE = {name: _DIRECTION_FACES[tuple(-x for x in v)]  # type: ignore[misc]
                 for name, v in FACE_DIRECTIONS.items()}

Cell2 = tuple[int, int]


def rotate_cube_matrix(faces: Mapping[str, object], m: Matrix) -> dict[str, object]:
    """Rotate a colored cube by a matrix: the color on face d moves to face ``m @ d``."""
    if set(faces) != set(FACE_DIRECTIONS):
        raise ValueError(f"faces must have exactly the keys {sorted(FACE_DIRECTIONS)}")
    return {_DIRECTION_FACES[apply(m, FACE_DIRECTIONS[name])]: color
            for name, color in faces.items()}


def rotate_cube_faces(faces: Mapping[str, object], steps: Iterable[Step]) -> dict[str, object]:
    """Rotate a colored cube by (axis, degrees) steps applied in order, first step first."""
    return rotate_cube_matrix(faces, compose(steps))


def up_color(faces: Mapping[str, object]) -> object:
    """The color currently on top."""
    return faces["up"]


# ---------------------------------------------------------------------------------------------
# Hexominoes and cube nets
# ---------------------------------------------------------------------------------------------

_DIRS2: tuple[Cell2, ...] = ((1, 0), (-1, 0), (0, 1), (0, -1))


def normalize2(cells: Iterable[Sequence[int]]) -> tuple[Cell2, ...]:
    """Translate 2D cells so the minimum corner is the origin; sorted tuple."""
    s = {(int(c[0]), int(c[1])) for c in cells}
    mx, my = min(c[0] for c in s), min(c[1] for c in s)
    return tuple(sorted((x - mx, y - my) for x, y in s))


def canonical2(cells: Iterable[Sequence[int]]) -> tuple[Cell2, ...]:
    """Smallest normalised form over the 8 symmetries of the square (free polyomino)."""
    s = [(int(c[0]), int(c[1])) for c in cells]
    forms = []
    for _ in range(4):
        s = [(-y, x) for x, y in s]  # quarter turn
        forms.append(normalize2(s))
        forms.append(normalize2([(-x, y) for x, y in s]))  # and its mirror
    return min(forms)


@lru_cache(maxsize=None)
def free_polyominoes(n: int) -> tuple[tuple[Cell2, ...], ...]:
    """All free n-ominoes (up to rotation and reflection), grown cell by cell."""
    level = {((0, 0),)}
    for _ in range(n - 1):
        nxt = set()
        for poly in level:
            s = set(poly)
            for x, y in poly:
                for dx, dy in _DIRS2:
                    c = (x + dx, y + dy)
                    if c not in s:
                        nxt.add(canonical2(s | {c}))
        level = nxt
    return tuple(sorted(level))


# Rolling the cube over the edge towards +x (+y) on the paper turns it by +90 about y
# (-90 about x): the top face swings over to the side we roll towards.
_ROLL: dict[Cell2, Matrix] = {
    (1, 0): rotation_matrix("y", 90), (-1, 0): rotation_matrix("y", -90),
    (0, 1): rotation_matrix("x", -90), (0, -1): rotation_matrix("x", 90),
}


def fold_net(net_cells: Iterable[Sequence[int]]) -> dict[Cell2, str] | None:
    """Fold a 2D net onto a cube lying on the first cell; map each cell to a face name.

    Simulates rolling a cube across the paper: each cell gets the cube orientation reached
    by rolling over shared edges, and the cube face touching that cell is recorded (in the
    cube's own frame, with the first cell as "down"). Returns None when two cells land on
    the same face or when two adjacent cells disagree about their shared fold, i.e. when the
    layout is not a net of the cube.
    """
    cells = normalize2(net_cells)
    cell_set = set(cells)
    orient: dict[Cell2, Matrix] = {cells[0]: rotation_matrix("x", 0)}
    stack = [cells[0]]
    while stack:
        c = stack.pop()
        for d, roll in _ROLL.items():
            n = (c[0] + d[0], c[1] + d[1])
            if n not in cell_set:
                continue
            m = matmul(roll, orient[c])
            if n in orient:
                if orient[n] != m:
                    return None  # a loop of folds that does not close up
            else:
                orient[n] = m
                stack.append(n)
    if len(orient) != len(cells):
        return None  # not edge-connected
    faces: dict[Cell2, str] = {}
    for c, m in orient.items():
        # The body face touching the paper is R^T @ (0, 0, -1) (R^T is R's inverse).
        body = tuple(-m[2][i] for i in range(3))
        faces[c] = _DIRECTION_FACES[body]  # type: ignore[index]
    if len(set(faces.values())) != len(faces):
        return None
    return faces


def folds_to_cube(net_cells: Iterable[Sequence[int]]) -> bool:
    """True iff the six cells fold onto the six distinct faces of a cube."""
    cells = list(net_cells)
    if len(cells) != 6:
        return False
    faces = fold_net(cells)
    return faces is not None and len(faces) == 6


def opposite_faces(net_cells: Iterable[Sequence[int]]) -> list[tuple[Cell2, Cell2]]:
    """Pairs of net cells (in normalised coordinates) that end up on opposite cube faces."""
    faces = fold_net(net_cells)
    if faces is None or len(faces) != 6:
        raise ValueError("cells do not form a net of the cube")
    by_face = {f: c for c, f in faces.items()}
    pairs = {tuple(sorted((by_face[f], by_face[OPPOSITE_FACE[f]]))) for f in by_face}
    return sorted(pairs)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def cube_nets() -> tuple[tuple[Cell2, ...], ...]:
    """The 11 free hexominoes that fold into a cube (found by folding all 35)."""
    return tuple(h for h in free_polyominoes(6) if folds_to_cube(h))
