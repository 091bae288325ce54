"""Program operators of the maze family (deterministic ones, then random parameter domains)."""

from __future__ import annotations

from ...dsl import ProgramError, operator
from .scene import BIT, CLOCKWISE, DELTA, DIRS, OPPOSITE, Cell, MazeScene


def _cell(scene: MazeScene, cell) -> Cell:
    cell = (int(cell[0]), int(cell[1]))
    if not scene.inside(cell):
        raise ProgramError(f"cell {list(cell)} is outside the {scene.rows}x{scene.cols} maze")
    return cell


def _dist_from(ctx, src: Cell) -> list[int]:
    return ctx.memo(("dist", src), lambda: ctx.scene.distances(src))


def _walk(scene: MazeScene, a: Cell, moves) -> tuple[Cell, int]:
    """Follow moves from ``a``; returns the last cell reached and how many moves were legal."""
    cur, mask, cols = a, scene.open_mask, scene.cols
    for k, m in enumerate(moves):
        if m not in BIT:
            raise ProgramError(f"unknown move {m!r}")
        if not mask[cur[0] * cols + cur[1]] & BIT[m]:
            return cur, k
        cur = (cur[0] + DELTA[m][0], cur[1] + DELTA[m][1])
    return cur, len(moves)


@operator("start() -> Cell", family="maze")
def op_start(ctx):
    """the start cell S"""
    return tuple(ctx.scene.start)


@operator("goal() -> Cell", family="maze")
def op_goal(ctx):
    """the goal cell G"""
    return tuple(ctx.scene.goal)


@operator("cell(row: Int, col: Int) -> Cell", family="maze")
def op_cell(ctx, row, col):
    """the cell at (row, col)"""
    return _cell(ctx.scene, (row, col))


@operator("rows() -> Int", family="maze")
def op_rows(ctx):
    """number of rows"""
    return ctx.scene.rows


@operator("cols() -> Int", family="maze")
def op_cols(ctx):
    """number of columns"""
    return ctx.scene.cols


@operator("distance(a: Cell, b: Cell) -> Int", family="maze")
def op_distance(ctx, a, b):
    """number of moves on a shortest route from a to b"""
    a, b = _cell(ctx.scene, a), _cell(ctx.scene, b)
    d = _dist_from(ctx, b)[a[0] * ctx.scene.cols + a[1]]
    if d < 0:
        raise ProgramError(f"{list(b)} cannot be reached from {list(a)}")
    return d


# (bit, direction, index offset as a function of cols) in tie-break order up, down, left, right
_STEPS = ((1, "up", lambda cols: -cols), (2, "down", lambda cols: cols), (4, "left", lambda cols: -1),
          (8, "right", lambda cols: 1))


@operator("shortest_path(a: Cell, b: Cell) -> Moves", family="maze")
def op_shortest_path(ctx, a, b):
    """one shortest route from a to b (ties broken in the order up, down, left, right)"""
    scene: MazeScene = ctx.scene
    a, b = _cell(scene, a), _cell(scene, b)
    dist = _dist_from(ctx, b)
    cols, mask = scene.cols, scene.open_mask
    i, target = a[0] * cols + a[1], b[0] * cols + b[1]
    if dist[i] < 0:
        raise ProgramError(f"{list(b)} cannot be reached from {list(a)}")
    steps = [(bit, name, off(cols)) for bit, name, off in _STEPS]
    moves = []
    while i != target:
        here, m = dist[i], mask[i]
        for bit, name, off in steps:
            if m & bit and dist[i + off] == here - 1:
                moves.append(name)
                i += off
                break
    return tuple(moves)


@operator("count_shortest_paths(a: Cell, b: Cell) -> Int", family="maze")
def op_count_shortest_paths(ctx, a, b):
    """how many different shortest routes lead from a to b"""
    scene: MazeScene = ctx.scene
    a, b = _cell(scene, a), _cell(scene, b)
    dist = _dist_from(ctx, b)
    cols, mask = scene.cols, scene.open_mask
    src = a[0] * cols + a[1]
    limit = dist[src]
    if limit < 0:
        return 0
    offs = [(bit, off(cols)) for bit, _, off in _STEPS]
    ways = [0] * len(dist)
    ways[b[0] * cols + b[1]] = 1
    # Cells in order of distance from b; each adds up the ways of its neighbours one step closer.
    for i in sorted((i for i, d in enumerate(dist) if 0 < d <= limit), key=dist.__getitem__):
        d, m = dist[i], mask[i]
        ways[i] = sum(ways[i + off] for bit, off in offs if m & bit and dist[i + off] == d - 1)
    return ways[src]


@operator("count_turns(moves: Moves, side: Str) -> Int", family="maze")
def op_count_turns(ctx, moves, side):
    """turns along a route: side is 'left', 'right' or 'total' (a reversal counts as two turns)"""
    if side not in ("left", "right", "total"):
        raise ProgramError(f"side must be left, right or total, got {side!r}")
    left = right = 0
    for prev, nxt in zip(moves, moves[1:]):
        if nxt == CLOCKWISE[prev]:
            right += 1
        elif prev == CLOCKWISE[nxt]:
            left += 1
        elif nxt == OPPOSITE[prev]:
            left += 1
            right += 1
    return {"left": left, "right": right, "total": left + right}[side]


@operator("walk(a: Cell, moves: Moves) -> Cell", family="maze")
def op_walk(ctx, a, moves):
    """the cell reached by following moves from a (an error if a move crosses a wall)"""
    a = _cell(ctx.scene, a)
    end, legal = _walk(ctx.scene, a, moves)
    if legal < len(moves):
        raise ProgramError(f"move {legal + 1} ({moves[legal]}) from {list(end)} crosses a wall")
    return end


@operator("is_valid_route(a: Cell, moves: Moves) -> Bool", family="maze")
def op_is_valid_route(ctx, a, moves):
    """following moves from a never crosses a wall"""
    return _walk(ctx.scene, _cell(ctx.scene, a), moves)[1] == len(moves)


@operator("reaches(a: Cell, b: Cell, moves: Moves) -> Bool", family="maze")
def op_reaches(ctx, a, b, moves):
    """following moves from a crosses no wall and ends on b"""
    end, legal = _walk(ctx.scene, _cell(ctx.scene, a), moves)
    return legal == len(moves) and end == _cell(ctx.scene, b)


@operator("is_shortest_route(a: Cell, b: Cell, moves: Moves) -> Bool", family="maze")
def op_is_shortest_route(ctx, a, b, moves):
    """moves lead from a to b and no route is shorter"""
    return op_reaches(ctx, a, b, moves) and len(moves) == op_distance(ctx, a, b)


@operator("open_directions(c: Cell) -> Directions", family="maze")
def op_open_directions(ctx, c):
    """the directions one can move from c without crossing a wall"""
    c = _cell(ctx.scene, c)
    return tuple(d for d in DIRS if ctx.scene.is_open(c, d))


@operator("route_progress(a: Cell, b: Cell, moves: Moves) -> Float", family="maze")
def op_route_progress(ctx, a, b, moves):
    """partial credit: how much closer to b the legal prefix of moves gets (1.0 = reaches b)"""
    a, b = _cell(ctx.scene, a), _cell(ctx.scene, b)
    total = op_distance(ctx, a, b)
    end, _ = _walk(ctx.scene, a, moves)
    if total == 0:
        return 1.0
    return max(0.0, (total - op_distance(ctx, end, b)) / total)


# -- random operators (parameter domains only) -----------------------------------------------------------

@operator("random_cell() -> Cell", family="maze", random=True)
def op_random_cell(ctx):
    """a uniformly chosen cell"""
    s = ctx.scene
    return int(ctx.rng.integers(s.rows)), int(ctx.rng.integers(s.cols))


@operator("random_walk(a: Cell, length: Int) -> Moves", family="maze", random=True)
def op_random_walk(ctx, a, length):
    """a legal walk of the given length from a, avoiding immediate back-tracking where possible"""
    scene, cur, moves = ctx.scene, _cell(ctx.scene, a), []
    for _ in range(length):
        options = [d for d, _ in scene.neighbours(cur)]
        if moves and len(options) > 1:
            options = [d for d in options if d != OPPOSITE[moves[-1]]]
        d = options[int(ctx.rng.integers(len(options)))]
        moves.append(d)
        cur = (cur[0] + DELTA[d][0], cur[1] + DELTA[d][1])
    return tuple(moves)


def _corrupt(ctx, a: Cell, b: Cell, route: tuple[str, ...]) -> tuple[str, ...]:
    """A plausible wrong or non-shortest route: a wall bump, a detour, a truncation, a swap."""
    scene, rng = ctx.scene, ctx.rng
    kind = int(rng.integers(4))
    moves = list(route)
    if kind == 0 and moves:  # change one move so it bumps into a wall or leaves the route
        k = int(rng.integers(len(moves)))
        moves[k] = [d for d in DIRS if d != moves[k]][int(rng.integers(3))]
    elif kind == 1:  # a detour: step into a side passage and back (legal but longer)
        cur, spots = a, []
        for k, m in enumerate(moves + [None]):
            for d, _ in scene.neighbours(cur):
                if m is None or d != m:
                    spots.append((k, d))
            if m is not None:
                cur = (cur[0] + DELTA[m][0], cur[1] + DELTA[m][1])
        if spots:
            k, d = spots[int(rng.integers(len(spots)))]
            moves[k:k] = [d, OPPOSITE[d]]
    elif kind == 2 and len(moves) > 1:  # stop early
        moves = moves[: int(rng.integers(1, len(moves)))]
    elif len(moves) > 1:  # swap two neighbouring moves
        k = int(rng.integers(len(moves) - 1))
        moves[k], moves[k + 1] = moves[k + 1], moves[k]
    return tuple(moves)


@operator("route_candidate(a: Cell, b: Cell) -> Moves", family="maze", random=True)
def op_route_candidate(ctx, a, b):
    """half the time a shortest route from a to b, otherwise a corrupted one"""
    route = op_shortest_path(ctx, a, b)
    return route if ctx.rng.random() < 0.5 else _corrupt(ctx, a, b, route)


@operator("wrong_routes(a: Cell, b: Cell, n: Int) -> List[Moves]", family="maze", random=True)
def op_wrong_routes(ctx, a, b, n):
    """up to n distinct routes that do not lead from a to b"""
    route = op_shortest_path(ctx, a, b)
    out: list[tuple[str, ...]] = []
    for _ in range(n * 6):
        cand = _corrupt(ctx, a, b, route)
        if cand not in out and not op_reaches(ctx, a, b, cand):
            out.append(cand)
            if len(out) == n:
                break
    return tuple(out)
