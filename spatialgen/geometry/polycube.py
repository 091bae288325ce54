"""Exact integer geometry of polycubes (Shepard-Metzler mental-rotation shapes).

A polycube is a set of integer unit-cube cells ``(x, y, z)``. Every function accepts any
iterable of 3-sequences and returns hashable, sorted tuples, so results can be compared,
cached and written to JSON directly. Rotations come from :mod:`.rotations`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

# compose, rotation_matrix and shortest_steps are re-exported: one import for mental rotation.
from .rotations import (
    MIRROR_X,
    Matrix,
    apply,
    compose,
    proper_rotations,
    rotation_matrix,
    shortest_steps,
)

Cell = tuple[int, int, int]
Cells = tuple[Cell, ...]

__all__ = [
    "Cell", "Cells", "normalize", "rotate_cells", "mirror_cells", "canonical",
    "is_rotation_of", "is_mirror_of", "is_chiral", "is_connected", "random_arm_shape",
    "near_miss", "rotation_matrix", "compose", "shortest_steps", "proper_rotations",
]

_NEIGHBOURS: tuple[Cell, ...] = (
    (1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1),
)


def _cells(cells: Iterable[Sequence[int]]) -> set[Cell]:
    out = {(int(c[0]), int(c[1]), int(c[2])) for c in cells}
    if not out:
        raise ValueError("a polycube needs at least one cell")
    return out


def normalize(cells: Iterable[Sequence[int]]) -> Cells:
    """Translate so the minimum corner is the origin; return the cells sorted."""
    s = _cells(cells)
    mx, my, mz = (min(c[i] for c in s) for i in range(3))
    return tuple(sorted((x - mx, y - my, z - mz) for x, y, z in s))


def rotate_cells(cells: Iterable[Sequence[int]], m: Matrix) -> Cells:
    """Apply an integer matrix to every cell (no re-normalisation)."""
    return tuple(sorted(apply(m, c) for c in _cells(cells)))


def mirror_cells(cells: Iterable[Sequence[int]]) -> Cells:
    """Mirror image through the x = 0 plane, normalised."""
    return normalize(rotate_cells(cells, MIRROR_X))


_ROTS_ARRAY: np.ndarray | None = None


def _rotated_keys(s: set[Cell]) -> np.ndarray:
    """(24, N) sorted integer keys of the normalised cells under every proper rotation (in the
    order of ``proper_rotations()``). Keys x*B^2 + y*B + z with B above every coordinate order
    exactly like the (x, y, z) tuples, so comparing key rows compares sorted cell tuples."""
    global _ROTS_ARRAY
    if _ROTS_ARRAY is None:
        _ROTS_ARRAY = np.array(proper_rotations(), dtype=np.int64)
    pts = np.array(sorted(s), dtype=np.int64)
    q = np.einsum("rij,nj->rni", _ROTS_ARRAY, pts)
    q -= q.min(axis=1, keepdims=True)
    b = int(q.max()) + 1
    return np.sort((q[..., 0] * b + q[..., 1]) * b + q[..., 2], axis=1)


def _keys_of(cells: Cells, b: int) -> np.ndarray:
    return np.array([(x * b + y) * b + z for x, y, z in cells], dtype=np.int64)


def canonical(cells: Iterable[Sequence[int]]) -> Cells:
    """Lexicographically smallest normalised form over the 24 proper rotations.

    Two polycubes are congruent by a rotation (plus translation) iff their canonical
    forms are equal; mirror images generally have different canonical forms.
    """
    s = _cells(cells)
    keys = _rotated_keys(s)
    best = keys[np.lexsort(keys.T[::-1])[0]]  # lexsort: last key is primary, so reverse the columns
    pts = np.array(sorted(s), dtype=np.int64)
    b = int((pts.max(axis=0) - pts.min(axis=0)).max()) + 1
    return tuple((int(k // (b * b)), int(k // b % b), int(k % b)) for k in best)


def is_rotation_of(a: Iterable[Sequence[int]], b: Iterable[Sequence[int]]) -> Matrix | None:
    """A rotation ``R`` with ``normalize(R a) == normalize(b)``, or None if there is none.

    When several rotations work (symmetric shapes) the first in the sorted group is returned.
    """
    sa, nb = _cells(a), normalize(b)
    if len(sa) != len(nb):
        return None
    keys = _rotated_keys(sa)
    pts = np.array(sorted(sa), dtype=np.int64)
    base = int((pts.max(axis=0) - pts.min(axis=0)).max()) + 1
    if max(max(c) for c in nb) >= base:  # b's extent exceeds every rotation of a's
        return None
    hits = np.flatnonzero((keys == _keys_of(nb, base)).all(axis=1))
    return proper_rotations()[int(hits[0])] if len(hits) else None


def is_chiral(cells: Iterable[Sequence[int]]) -> bool:
    """True when the shape cannot be rotated onto its own mirror image."""
    s = _cells(cells)
    return is_rotation_of(s, mirror_cells(s)) is None


def is_mirror_of(a: Iterable[Sequence[int]], b: Iterable[Sequence[int]]) -> bool:
    """True when ``b`` is a rotated mirror copy of ``a`` and NOT a rotation of ``a``.

    Always False for achiral shapes, whose mirror images are rotations of themselves.
    """
    sa, sb = _cells(a), _cells(b)
    return is_rotation_of(mirror_cells(sa), sb) is not None and is_rotation_of(sa, sb) is None


def is_connected(cells: Iterable[Sequence[int]]) -> bool:
    """Face-connectivity of the cells."""
    s = _cells(cells)
    start = next(iter(s))
    seen, stack = {start}, [start]
    while stack:
        x, y, z = stack.pop()
        for dx, dy, dz in _NEIGHBOURS:
            n = (x + dx, y + dy, z + dz)
            if n in s and n not in seen:
                seen.add(n)
                stack.append(n)
    return len(seen) == len(s)


def _degree(c: Cell, s: set[Cell]) -> int:
    return sum((c[0] + d[0], c[1] + d[1], c[2] + d[2]) in s for d in _NEIGHBOURS)


def _random_partition(total: int, parts: int, rng: np.random.Generator) -> list[int]:
    # Uniformly random composition of `total` into `parts` positive integers.
    cuts = sorted(rng.choice(np.arange(1, total), size=parts - 1, replace=False).tolist())
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


def random_arm_shape(
    n_cubes: int,
    n_arms: int,
    rng: np.random.Generator,
    chiral: bool = True,
    max_tries: int = 1000,
) -> Cells:
    """Random Shepard-Metzler shape: ``n_arms`` straight arms joined by 90-degree turns.

    Arms never touch each other except at the joints (each new cube is face-adjacent only to
    its predecessor), which keeps the arm structure readable in a picture. With
    ``chiral=True`` the result is guaranteed chiral (checked geometrically, not assumed).
    """
    if n_arms < 1 or n_cubes < n_arms + 1:
        raise ValueError("need n_arms >= 1 and n_cubes >= n_arms + 1")
    for _ in range(max_tries):
        lengths = _random_partition(n_cubes - 1, n_arms, rng) if n_arms > 1 else [n_cubes - 1]
        pos: Cell = (0, 0, 0)
        path, occupied = [pos], {pos}
        prev_dir: Cell | None = None
        ok = True
        for length in lengths:
            # Each arm turns 90 degrees: its direction is perpendicular to the previous one.
            choices = [d for d in _NEIGHBOURS
                       if prev_dir is None or sum(a * b for a, b in zip(d, prev_dir)) == 0]
            d = choices[int(rng.integers(len(choices)))]
            for _step in range(length):
                nxt = (pos[0] + d[0], pos[1] + d[1], pos[2] + d[2])
                if nxt in occupied or _degree(nxt, occupied) != 1:
                    ok = False
                    break
                occupied.add(nxt)
                path.append(nxt)
                pos = nxt
            if not ok:
                break
            prev_dir = d
        if ok and (not chiral or is_chiral(path)):
            return normalize(path)
    raise RuntimeError(f"no {n_cubes}-cube, {n_arms}-arm shape found in {max_tries} tries")


def near_miss(
    cells: Iterable[Sequence[int]], rng: np.random.Generator
) -> Cells:
    """A distractor with the same cube count that is neither a rotation nor a mirror of ``cells``.

    Moves one end cube (a cube with a single neighbour) to a new free position touching
    exactly one remaining cube: this shortens one arm and lengthens or bends another. The
    result is verified geometrically; candidates that are rotations or mirrors are rejected.
    """
    s = _cells(cells)
    original = canonical(s)
    mirrored = canonical(mirror_cells(s))
    ends = sorted(c for c in s if _degree(c, s) == 1)
    if not ends:
        raise ValueError("shape has no end cube to move")
    candidates: list[Cells] = []
    for end in ends:
        rest = s - {end}
        free = {(c[0] + d[0], c[1] + d[1], c[2] + d[2]) for c in rest for d in _NEIGHBOURS}
        for f in sorted(free - s):
            if _degree(f, rest) != 1:
                continue  # would create a clump instead of an arm-like tip
            cand = normalize(rest | {f})
            cf = canonical(cand)
            if cf != original and cf != mirrored:
                candidates.append(cand)
    if not candidates:
        raise RuntimeError("no near-miss found for this shape")
    return candidates[int(rng.integers(len(candidates)))]

