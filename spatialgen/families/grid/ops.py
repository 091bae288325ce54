"""Program operators of the grid family. Rows and columns are 1-based here, as in the questions.

Operators on the other layout than the scene's (a map question on a grid scene) raise
ProgramError; templates pick their layout with ``render: {layout: ...}``.
"""

from __future__ import annotations

from ...dsl import ProgramError, operator
from .scene import (
    GRID_RELATION, POINTS, SHAPES, SIZES, GridScene, Landmark, bearing, border_distance, distance,
    grid_transform, item_name, kind_name, query_matches, query_phrase, sector,
)

EMPTY = "empty"


def _grid(ctx) -> GridScene:
    if ctx.scene.layout != "grid":
        raise ProgramError("this operator needs a grid scene, not a map")
    return ctx.scene


def _map(ctx) -> GridScene:
    if ctx.scene.layout != "map":
        raise ProgramError("this operator needs a map scene, not a grid")
    return ctx.scene


def _cells(ctx) -> dict[tuple[int, int], str]:
    """(row, col) 0-based -> object name, cached per scene."""
    s = _grid(ctx)
    return ctx.memo("cells", lambda: {(it.row, it.col): item_name(it, s.use_size) for it in s.items})


def _where(ctx, name: str) -> tuple[int, int]:
    hits = [rc for rc, n in _cells(ctx).items() if n == name]
    if len(hits) != 1:
        raise ProgramError(f"'{name}' appears {len(hits)} times in the grid; it must be unique")
    return hits[0]


def _landmark(ctx, name: str) -> Landmark:
    for m in _map(ctx).landmarks:
        if m.name == name:
            return m
    raise ProgramError(f"no landmark named {name!r}")


def _points(ctx) -> tuple[str, ...]:
    return POINTS[ctx.scene.compass]


# -- grids ------------------------------------------------------------------------------------------------

@operator("rows() -> Int", family="grid")
def op_rows(ctx):
    """number of rows of the grid"""
    return _grid(ctx).rows


@operator("cols() -> Int", family="grid")
def op_cols(ctx):
    """number of columns of the grid"""
    return _grid(ctx).cols


@operator("object_at(row: Int, col: Int) -> Str", family="grid")
def op_object_at(ctx, row, col):
    """the object in row, col (1-based, row 1 at the top), or 'empty'"""
    s = _grid(ctx)
    if not (1 <= row <= s.rows and 1 <= col <= s.cols):
        raise ProgramError(f"cell ({row}, {col}) is outside the {s.rows}x{s.cols} grid")
    return _cells(ctx).get((row - 1, col - 1), EMPTY)


@operator("count_matching(query: Str) -> Int", family="grid")
def op_count_matching(ctx, query):
    """how many objects a plural phrase such as 'red shapes', 'large circles' or 'copies of K' names"""
    s = _grid(ctx)
    try:
        return sum(query_matches(query, it.kind()) for it in s.items)
    except ValueError as e:
        raise ProgramError(str(e)) from None


@operator("unique_objects() -> List[Str]", family="grid")
def op_unique_objects(ctx):
    """names of the objects that appear exactly once"""
    names = list(_cells(ctx).values())
    return tuple(sorted(n for n in set(names) if names.count(n) == 1))


@operator("relative_position(a: Str, b: Str) -> Str", family="grid")
def op_relative_position(ctx, a, b):
    """where unique object a is relative to unique object b (left, upper-right, below...)"""
    (ra, ca), (rb, cb) = _where(ctx, a), _where(ctx, b)
    if (ra, ca) == (rb, cb):
        raise ProgramError("an object has no position relative to itself")
    sign = lambda v: (v > 0) - (v < 0)  # noqa: E731
    return GRID_RELATION[(sign(ca - cb), sign(rb - ra))]


def _transform(ctx, transform, times, row, col):
    s = _grid(ctx)
    try:
        return grid_transform(s.rows, s.cols, transform, times, row - 1, col - 1)
    except ValueError as e:
        raise ProgramError(str(e)) from None


@operator("transformed_rows(transform: Str, times: Int) -> Int", family="grid")
def op_transformed_rows(ctx, transform, times):
    """rows of the grid after applying transform (rotate, mirror_lr, mirror_tb) times times"""
    return _transform(ctx, transform, times, 1, 1)[2]


@operator("transformed_cols(transform: Str, times: Int) -> Int", family="grid")
def op_transformed_cols(ctx, transform, times):
    """columns of the grid after applying transform times times"""
    return _transform(ctx, transform, times, 1, 1)[3]


@operator("transformed_at(transform: Str, times: Int, row: Int, col: Int) -> Str", family="grid")
def op_transformed_at(ctx, transform, times, row, col):
    """the object at row, col (1-based) of the grid after rotating it 90 degrees clockwise
    (rotate) or mirroring it (mirror_lr, mirror_tb) times times"""
    r, c, _, _ = _transform(ctx, transform, times, row, col)
    return _cells(ctx).get((r, c), EMPTY)


@operator("random_unique_object() -> Str", family="grid", random=True)
def op_random_unique_object(ctx):
    """one of the objects that appear exactly once"""
    names = op_unique_objects(ctx)
    if not names:
        raise ProgramError("no object appears exactly once")
    return names[int(ctx.rng.integers(len(names)))]


@operator("random_count_query() -> Str", family="grid", random=True)
def op_random_count_query(ctx):
    """a plural phrase naming some objects of the grid (sometimes none of them)"""
    s = _grid(ctx)
    rng = ctx.rng
    if s.icons == "symbols":
        kind = s.items[int(rng.integers(len(s.items)))].kind()
        return query_phrase(kind, ())
    if rng.random() < 0.15:  # an absent combination now and then, so that 0 is a possible answer
        kind = (SHAPES[int(rng.integers(len(SHAPES)))], s.items[0].color, SIZES[1], "")
    else:
        kind = s.items[int(rng.integers(len(s.items)))].kind()
    options = [("color", "shape"), ("shape",), ("color",)] + ([("size", "color", "shape"), ("size", "shape")]
                                                           if s.use_size else [])
    return query_phrase(kind, options[int(rng.integers(len(options)))])


# -- maps -------------------------------------------------------------------------------------------------

@operator("landmarks() -> List[Str]", family="grid")
def op_landmarks(ctx):
    """names of the map's landmarks"""
    return tuple(m.name for m in _map(ctx).landmarks)


@operator("direction(a: Str, b: Str) -> Str", family="grid")
def op_direction(ctx, a, b):
    """compass direction of landmark a seen from landmark b (4 or 8 points, as the level says)"""
    return sector(bearing(_landmark(ctx, a), _landmark(ctx, b)), ctx.scene.compass)


@operator("direction_is_clear(a: Str, b: Str) -> Bool", family="grid")
def op_direction_is_clear(ctx, a, b):
    """the bearing of a from b is at least the scene's angle margin away from every sector border"""
    if a == b:
        return False
    angle = bearing(_landmark(ctx, a), _landmark(ctx, b))
    return border_distance(angle, ctx.scene.compass) >= ctx.scene.angle_margin


def _check_point(ctx, d: str) -> None:
    if d not in _points(ctx):
        raise ProgramError(f"direction {d!r} is not one of {', '.join(_points(ctx))}")


@operator("in_direction(b: Str, d: Str) -> List[Str]", family="grid")
def op_in_direction(ctx, b, d):
    """landmarks whose direction seen from b is d"""
    _check_point(ctx, d)
    ref = _landmark(ctx, b)
    return tuple(m.name for m in _map(ctx).landmarks
                 if m.name != b and sector(bearing(m, ref), ctx.scene.compass) == d)


@operator("count_in_direction(b: Str, d: Str) -> Int", family="grid")
def op_count_in_direction(ctx, b, d):
    """how many landmarks lie in direction d of b"""
    return len(op_in_direction(ctx, b, d))


@operator("sector_is_clear(b: Str, d: Str) -> Bool", family="grid")
def op_sector_is_clear(ctx, b, d):
    """no landmark's bearing from b lies within the angle margin of a border of d's sector, so
    membership in direction d is unambiguous for every landmark"""
    _check_point(ctx, d)
    ref, n = _landmark(ctx, b), ctx.scene.compass
    width = 360.0 / n
    centre = _points(ctx).index(d) * width
    borders = (centre - width / 2, centre + width / 2)
    for m in _map(ctx).landmarks:
        if m.name != b:
            angle = bearing(m, ref)
            if any(abs((angle - x + 180.0) % 360.0 - 180.0) < ctx.scene.angle_margin for x in borders):
                return False
    return True


@operator("extreme(a: Str, which: Str) -> Str", family="grid")
def op_extreme(ctx, a, which):
    """the landmark nearest to (which='nearest') or farthest from (which='farthest') landmark a"""
    return _ranked(ctx, a, which)[0][1]


def _ranked(ctx, a: str, which: str) -> list[tuple[float, str]]:
    if which not in ("nearest", "farthest"):
        raise ProgramError(f"which must be nearest or farthest, got {which!r}")
    ref = _landmark(ctx, a)
    ds = sorted((distance(m, ref), m.name) for m in _map(ctx).landmarks if m.name != a)
    if len(ds) < 2:
        raise ProgramError("need at least two other landmarks")
    return ds if which == "nearest" else ds[::-1]


@operator("extreme_is_clear(a: Str, which: Str) -> Bool", family="grid")
def op_extreme_is_clear(ctx, a, which):
    """the nearest (farthest) landmark beats the runner-up by the scene's distance ratio"""
    (d1, _), (d2, _) = _ranked(ctx, a, which)[:2]
    near, far = min(d1, d2), max(d1, d2)
    return far >= near * ctx.scene.distance_ratio


@operator("random_landmark() -> Str", family="grid", random=True)
def op_random_landmark(ctx):
    """one landmark, uniformly"""
    marks = _map(ctx).landmarks
    return marks[int(ctx.rng.integers(len(marks)))].name


@operator("random_direction() -> Str", family="grid", random=True)
def op_random_direction(ctx):
    """one of the scene's compass points, uniformly"""
    pts = _points(ctx)
    return pts[int(ctx.rng.integers(len(pts)))]


@operator("random_direction_from(b: Str) -> Str", family="grid", random=True)
def op_random_direction_from(ctx, b):
    """usually the direction of a random other landmark seen from b (so that counts are rarely
    zero), sometimes a uniformly chosen compass point"""
    if ctx.rng.random() < 0.25:
        return op_random_direction(ctx)
    ref = _landmark(ctx, b)
    others = [m for m in _map(ctx).landmarks if m.name != b]
    return sector(bearing(others[int(ctx.rng.integers(len(others)))], ref), ctx.scene.compass)


__all__ = ["EMPTY", "kind_name"]
