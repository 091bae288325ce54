"""Scoring simulates routes on the scene instead of string-matching them."""

import numpy as np
import pytest

from spatialgen import extract_answer, make_record, score
from spatialgen.catalog import catalog
from spatialgen.dsl import Context
from spatialgen.families.maze import DELTA, MazeScene, op_reaches


def record(task_id, level=3, index=0):
    return make_record(catalog().get(task_id), level, 0, index, "text").record


def alternative_route(rec):
    """A different legal route to the goal: the gold route with a detour into a side passage."""
    scene = MazeScene.model_validate(rec["scene"])
    gold = rec["answer"].split()
    cur = tuple(scene.start)
    for k, m in enumerate(gold):
        for d, _ in scene.neighbours(cur):
            if d != m:
                from spatialgen.families.maze import OPPOSITE

                return gold[:k] + [d, OPPOSITE[d]] + gold[k:]
        cur = (cur[0] + DELTA[m][0], cur[1] + DELTA[m][1])
    pytest.skip("no side passage on this route")


def test_extraction_prefers_answer_tags_then_final_lines():
    assert extract_answer("think...<answer>no</answer> then <answer> yes </answer>") == "yes"
    assert extract_answer("Let me see.\nFinal answer: 7") == "7"
    assert extract_answer("reasoning\n\n12\n") == "12"


def test_navigate_accepts_any_valid_route_and_rejects_invalid_ones():
    rec = record("maze.navigate")
    alt = alternative_route(rec)
    assert " ".join(alt) != rec["answer"]
    assert score(rec, f"<answer>{' '.join(alt)}</answer>") == 1.0
    assert score(rec, f"<answer>{rec['answer']}</answer>") == 1.0
    bad = rec["answer"].split()[:-1]
    assert score(rec, f"<answer>{' '.join(bad)}</answer>") == 0.0
    # Forgiving notation: commas, compass words, arrows.
    compass = {"up": "north", "down": "south", "left": "west", "right": "east"}
    assert score(rec, "<answer>" + ", ".join(compass[m] for m in alt) + "</answer>") == 1.0


def test_shortest_variant_rejects_a_longer_valid_route():
    rec = record("maze.navigate_shortest")
    alt = alternative_route(rec)
    scene = MazeScene.model_validate(rec["scene"])
    assert op_reaches(Context(scene), tuple(scene.start), tuple(scene.goal), tuple(alt))
    assert score(rec, f"<answer>{' '.join(alt)}</answer>") == 0.0
    assert score(rec, f"<answer>{rec['answer']}</answer>") == 1.0


def test_partial_credit_for_route_prefixes():
    rec = record("maze.navigate", level=2)
    moves = rec["answer"].split()
    half = " ".join(moves[: len(moves) // 2])
    s = score(rec, f"<answer>{half}</answer>", partial=True)
    assert 0.0 < s < 1.0
    assert score(rec, f"<answer>{half}</answer>") == 0.0


def test_choice_by_letter_or_by_text():
    rec = record("maze.choose_path")
    right = rec["answer"]
    text = rec["choices"]["ABCD".index(right)]
    wrong = next(x for x in "ABCD" if x != right)
    assert score(rec, f"<answer>{right}</answer>") == 1.0
    assert score(rec, f"<answer>({right})</answer>") == 1.0
    assert score(rec, f"<answer>{text}</answer>") == 1.0
    assert score(rec, f"<answer>{wrong}</answer>") == 0.0


def test_int_bool_cell_and_direction_normalisation():
    n = record("maze.shortest_path_length")
    assert score(n, f"The answer is {n['answer']} moves.\nAnswer: {n['answer']}") == 1.0
    assert score(n, "<answer>banana</answer>") == 0.0
    cell = record("maze.position_after_moves")
    r, c = cell["answer"].strip("[]").split(", ")
    assert score(cell, f"<answer>({r},{c})</answer>") == 1.0
    d = record("maze.available_directions")
    shuffled = " and ".join(reversed(d["answer"].split()))
    assert score(d, f"<answer>{shuffled}</answer>") == 1.0
    yn = record("maze.path_check")
    assert score(yn, f"<answer>{yn['answer'].upper()}.</answer>") == 1.0
