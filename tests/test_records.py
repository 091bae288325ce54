"""Records: determinism, balance, verification of everything generated, schema."""

import json
from collections import Counter

import pytest

from spatialgen import Dataset, make_record
from spatialgen.catalog import catalog
from spatialgen.sampler import GenerationError, SCENES_PER_RECORD
from spatialgen.verify import verify_record
from spatialgen.writer import dump_record

REQUIRED = {"id", "task", "family", "level", "seed", "index", "question", "answer", "answer_type", "choices",
            "images", "scene", "program", "trace", "checks"}


@pytest.fixture(scope="module")
def every_task_and_level():
    out = []
    # Maze tasks here; each other family's test file generates and verifies its own tasks x levels.
    for task in catalog().match("maze.*"):
        for level in range(1, 6):
            for index in range(3):
                out.append(make_record(task, level, 5, index, "image"))
    return out


def test_every_record_has_the_schema_and_passes_verify(every_task_and_level):
    for s in every_task_and_level:
        r = json.loads(dump_record(s.record))  # as written to disk
        assert REQUIRED <= set(r)
        assert r["checks"] and all(c["passed"] for c in r["checks"])
        assert r["images"] == [f"images/{r['id']}.png"] and len(s.images) == 1
        assert verify_record(r) == [], r["id"]


def test_records_are_a_pure_function_of_seed_task_level_index():
    task = catalog().get("maze.count_turns")
    a = make_record(task, 3, 9, 17, "image")
    b = make_record(task, 3, 9, 17, "image")
    assert dump_record(a.record) == dump_record(b.record)
    assert a.images[0].tobytes() == b.images[0].tobytes()
    c = make_record(task, 3, 10, 17, "image")
    assert c.record["scene"] != a.record["scene"]


def test_dataset_index_matches_round_robin_plan():
    ds = Dataset("maze.count_turns,maze.path_check", levels="2-3", seed=1, n=8, modality="text")
    got = [(ds[i].record["task"], ds[i].record["level"]) for i in range(4)]
    assert got == [("maze.count_turns", 2), ("maze.count_turns", 3), ("maze.path_check", 2), ("maze.path_check", 3)]
    assert ds[5].record["index"] == 5


def test_yes_no_answers_are_balanced():
    task = catalog().get("maze.path_check")
    answers = Counter(make_record(task, 2, 0, i, "text").record["answer"] for i in range(200))
    assert set(answers) == {"yes", "no"}
    assert abs(answers["yes"] - answers["no"]) < 40, answers


def test_choice_letters_are_balanced_and_exactly_one_is_right():
    task = catalog().get("maze.choose_path")
    letters = Counter()
    for i in range(120):
        r = make_record(task, 2, 0, i, "text").record
        letters[r["answer"]] += 1
        assert len(r["choices"]) == 4 and len(set(r["choices"])) == 4
        assert any(c["name"] == "exactly one correct choice" for c in r["checks"])
    assert set(letters) == set("ABCD") and min(letters.values()) >= 15, letters


def test_text_modality_carries_the_ascii_twin_and_no_image():
    r = make_record(catalog().get("maze.navigate"), 2, 0, 0, "text")
    assert r.images == [] and r.record["images"] == []
    assert r.record["scene"]["ascii"] in r.record["question"]


def test_trace_is_a_rationale():
    r = make_record(catalog().get("maze.count_turns"), 2, 0, 1, "text").record
    ops = [s.get("op") for s in r["trace"]]
    assert "shortest_path" in ops and ops[-1] == "count_turns"
    from spatialgen.rationale import rationale

    text = rationale(r["trace"], r["answer"])
    assert "count_turns(" in text and text.endswith(f"So the answer is {r['answer']}.")
    assert str(r["trace"][-1]["value"]) == r["answer"]


def test_unsatisfiable_task_fails_with_a_clear_message(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "id: maze.never\nfamily: maze\nanswer_type: int\nprogram: distance(start(), goal())\n"
        "constraints:\n  - name: start equals goal\n    program: start() == goal()\ntext: ['?']\n")
    from spatialgen.catalog import Catalog

    task = Catalog((tmp_path,)).get("maze.never")
    with pytest.raises(GenerationError) as e:
        make_record(task, 1, 0, 0, "text")
    msg = str(e.value)
    assert "maze.never level 1" in msg and "constraint 'start equals goal'" in msg
    assert f"{SCENES_PER_RECORD} scenes" in msg


def test_verify_record_catches_a_wrong_answer():
    r = make_record(catalog().get("maze.shortest_path_length"), 2, 0, 0, "text").record
    r["answer"] = str(int(r["answer"]) + 1)
    assert any("program gives" in p for p in verify_record(r))
    r2 = make_record(catalog().get("maze.navigate"), 2, 0, 0, "text").record
    r2["scene"]["passages"] = r2["scene"]["passages"][:-1]
    assert any("scene id does not match" in p for p in verify_record(r2))
