"""Maze scenes: structure, operators checked against an independent graph library, rendering."""

import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spatialgen.catalog import catalog
from spatialgen.dsl import Context
from spatialgen.families import get_family
from spatialgen.families.maze import ALGORITHMS, MazeScene, braid, op_count_turns, to_ascii

MAZE = get_family("maze")


def graph(scene: MazeScene) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from((r, c) for r in range(scene.rows) for c in range(scene.cols))
    g.add_edges_from((tuple(a), tuple(b)) for a, b in scene.passages)
    return g


def run(task_id: str, scene, **params):
    task = catalog().get(task_id)
    return task.program.run(Context(scene), params).value


@settings(max_examples=60, deadline=None)
@given(level=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_programs_agree_with_networkx(level, seed):
    scene = MAZE.build(level, np.random.default_rng(seed))
    g = graph(scene)
    start, goal = tuple(scene.start), tuple(scene.goal)
    assert nx.is_connected(g)
    assert run("maze.shortest_path_length", scene) == nx.shortest_path_length(g, start, goal)
    n_paths = sum(1 for _ in nx.all_shortest_paths(g, start, goal))
    assert run("maze.count_turns", scene, side="total") >= 0
    ctx = Context(scene)
    from spatialgen.families.maze import op_count_shortest_paths, op_reaches, op_shortest_path

    assert op_count_shortest_paths(ctx, start, goal) == n_paths
    route = op_shortest_path(ctx, start, goal)
    assert op_reaches(ctx, start, goal, route) and len(route) == nx.shortest_path_length(g, start, goal)


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_perfect_mazes_are_spanning_trees(algorithm):
    for seed in range(20):
        rows, cols = 3 + seed % 7, 4 + seed % 5
        mask = ALGORITHMS[algorithm](rows, cols, random.Random(seed))
        scene = MazeScene(rows=rows, cols=cols, start=(0, 0), goal=(rows - 1, cols - 1),
                          passages=_pairs(mask, rows, cols), algorithm=algorithm)
        g = graph(scene)
        assert nx.is_tree(g), algorithm


def test_braiding_adds_loops():
    rnd = random.Random(1)
    mask = ALGORITHMS["backtracker"](12, 12, rnd)
    loops = braid(mask, 12, 12, 1.0, rnd)
    scene = MazeScene(rows=12, cols=12, start=(0, 0), goal=(11, 11), passages=_pairs(mask, 12, 12), algorithm="x")
    g = graph(scene)
    assert loops > 0 and g.number_of_edges() == 144 - 1 + loops


def _pairs(mask, rows, cols):
    from spatialgen.families.maze import _passages

    return _passages(mask, rows, cols)


def test_ascii_twin_matches_passages():
    scene = MAZE.build(3, np.random.default_rng(7))
    lines = scene.ascii.splitlines()
    assert len(lines) == 2 * scene.rows + 1
    for r in range(scene.rows):
        for c in range(scene.cols):
            right_open = lines[2 * r + 1][4 * c + 4] == " "
            down_open = lines[2 * r + 2][4 * c + 1: 4 * c + 4] == "   "
            assert right_open == scene.is_open((r, c), "right")
            assert down_open == scene.is_open((r, c), "down")
    s_row = next(i for i, ln in enumerate(lines) if "S" in ln)
    assert (s_row - 1) // 2 == scene.start[0] and lines[s_row].index("S") // 4 == scene.start[1]
    assert to_ascii(scene.rows, scene.cols, scene.open_mask, scene.start, scene.goal) == scene.ascii


def test_turns_follow_the_walker():
    ctx = Context(None)
    # up then right is a right turn (clockwise); right then up is a left turn.
    assert op_count_turns(ctx, ("up", "right"), "right") == 1
    assert op_count_turns(ctx, ("right", "up"), "left") == 1
    assert op_count_turns(ctx, ("up", "up", "left", "down", "right"), "total") == 3
    assert op_count_turns(ctx, ("down", "left"), "right") == 1


def test_difficulty_grows_with_level():
    stats = {}
    for level in range(1, 6):
        scenes = [MAZE.build(level, np.random.default_rng(s)) for s in range(25)]
        cells = np.mean([s.rows * s.cols for s in scenes])
        path = np.mean([len(nx.shortest_path(graph(s), tuple(s.start), tuple(s.goal))) for s in scenes])
        loops = np.mean([s.loops for s in scenes])
        stats[level] = (cells, path, loops)
    for lo, hi in zip(range(1, 5), range(2, 6)):
        assert stats[hi][0] > stats[lo][0] and stats[hi][1] > stats[lo][1], stats
    assert stats[1][2] == 0 and stats[5][2] > stats[3][2] > 0


def test_render_draws_what_the_scene_says():
    scene = MAZE.build(2, np.random.default_rng(3))
    for style in MAZE.styles:
        img = MAZE.render(scene, style, {"coordinates": True})[0]
        assert img.size == (512, 512)
        assert all(c.passed for c in MAZE.render_checks(scene, [img], style, {"coordinates": True}))
    # A scene whose walls differ from the picture fails the render check.
    other = MAZE.build(2, np.random.default_rng(4))
    img = MAZE.render(scene, "classic", {})[0]
    assert not all(c.passed for c in MAZE.render_checks(other, [img], "classic", {})) or other.passages == scene.passages


def test_scene_json_round_trip_is_lossless():
    scene = MAZE.build(4, np.random.default_rng(11))
    again = MazeScene.model_validate_json(scene.model_dump_json())
    assert again == scene and again.id == scene.id == scene.content_id()
    assert again.family == "maze" and isinstance(again.start, tuple)
