"""Grid/map and relations families, and the modality switch: generated sets verify for every new
task x level x modality, answers agree with independent recomputations, near-boundary scenes are
rejected, and tampering is caught by ``verify``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from spatialgen.answers import COMPASS_POINTS, RELATION_LABELS, get_answer_type
from spatialgen.catalog import catalog
from spatialgen.cli import main
from spatialgen.dataset import Dataset
from spatialgen.dsl import Context
from spatialgen.families import Family, get_family
from spatialgen.families.grid.scene import GridItem, GridScene, Landmark, grid_transform
from spatialgen.families.relations import deduce
from spatialgen.families.relations.bank import CANNOT, load_bank
from spatialgen.families.relations.openworld import GroundTruth
from spatialgen.sampler import _Reject, check_question, make_record
from spatialgen.verify import verify_dataset, verify_record
from spatialgen.writer import GenerateArgs, encode_png, generate_dataset

from conftest import read_records

CAT = catalog()
GRID_TASKS = sorted(t for t in CAT.tasks if t.startswith("grid."))
REL_TASKS = sorted(t for t in CAT.tasks if t.startswith("relations."))
LEVELS = [1, 2, 3, 4, 5]


def test_all_new_tasks_exist_with_three_paraphrases_and_five_levels() -> None:
    assert set(GRID_TASKS) >= {f"grid.{t}" for t in ("object_at", "count", "relative_position", "direction",
                                                      "object_in_direction", "count_in_direction", "nearest",
                                                      "transform_lookup")}
    assert set(REL_TASKS) == {f"relations.{t}" for t in ("khop", "yes_no", "path_finding", "find_block",
                                                         "choose_object")}
    for tid in GRID_TASKS + REL_TASKS:
        task = CAT.get(tid)
        assert len(task.texts) >= 3, tid
        assert sorted(task.family.levels) == LEVELS


def test_list_shows_every_task_with_levels(capsys) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for tid in GRID_TASKS + REL_TASKS:
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(tid + " "))
        assert "L1-5" in line


# -- whole sets: generate + verify in every modality ------------------------------------------------

MODALITY_SETS = [("grid.*", m) for m in ("image", "text", "both", "image_only")] + \
                [("relations.*", m) for m in ("image", "text", "both", "image_only")] + \
                [("maze.*", m) for m in ("both", "image_only")]  # the new modalities on the old family


@pytest.mark.parametrize("tasks,modality", MODALITY_SETS)
def test_generated_set_verifies_for_every_task_and_level(tmp_path: Path, tasks: str, modality: str) -> None:
    n = len(CAT.match(tasks)) * len(LEVELS)  # one record per (task, level)
    out = tmp_path / "ds"
    generate_dataset(GenerateArgs(tasks, n, 7, "1-5", modality), out)
    report = verify_dataset(out)
    assert report.ok, report.problems[:5]
    records = read_records(out)
    assert {(r["task"], r["level"]) for r in records} == {(t.id, lv) for t in CAT.match(tasks) for lv in LEVELS}
    has_images = modality != "text"
    assert all(len(r["images"]) == int(has_images) for r in records)
    if modality == "text":  # the scene is described completely in words
        for r in records:
            if r["family"] == "grid":  # every landmark / the whole table is in the text
                scene = r["scene"]
                marks = scene["landmarks"]
                assert all(f"the {m['name']}: ({m['x']:.1f}, {m['y']:.1f})" in r["question"] for m in marks)
                assert scene["layout"] == "map" or f"| {scene['rows']} |" in r["question"]
    if modality == "image_only":
        assert all(r["question"].startswith("Answer the question written in the image.") for r in records)


def test_same_record_id_can_be_asked_in_three_modalities() -> None:
    recs = {m: make_record(CAT.get("grid.direction"), 3, 11, 5, m) for m in ("image", "text", "both")}
    assert len({r.record["id"] for r in recs.values()}) == 1
    assert len({json.dumps(r.record["scene"]) for r in recs.values()}) == 1
    assert len({r.record["answer"] for r in recs.values()}) == 1
    assert "(x, y) positions" in recs["text"].record["question"]
    assert "(x, y) positions" not in recs["image"].record["question"]
    assert "(x, y) positions" in recs["both"].record["question"] and recs["both"].images


def test_generation_is_deterministic_and_matches_dataset_access(tmp_path: Path) -> None:
    for tid, modality in (("grid.count", "image"), ("grid.nearest", "image_only"), ("relations.khop", "text")):
        a = make_record(CAT.get(tid), 4, 3, 9, modality)
        b = make_record(CAT.get(tid), 4, 3, 9, modality)
        assert a.record == b.record
        assert [encode_png(i) for i in a.images] == [encode_png(i) for i in b.images]
    ds = Dataset("relations.*", "2-3", seed=5, n=6, modality="text")
    out = tmp_path / "r"
    generate_dataset(GenerateArgs("relations.*", 6, 5, "2-3", "text"), out, workers=2)
    written = read_records(out)
    assert [ds[i].record for i in range(6)] == written


def test_modality_errors_are_one_line(capsys) -> None:
    class TextOnly(Family):
        name = "textonly"
        modalities = ("text",)

    with pytest.raises(ValueError, match="cannot produce modality 'image'"):
        TextOnly().check_modality("image")
    TextOnly().check_modality("text")
    with pytest.raises(ValueError, match="unknown modality"):
        Dataset("grid.count", modality="video")
    assert main(["generate", "--tasks", "grid.nope", "--modality", "both", "--n", "2", "--quiet",
                 "--out", "/nonexistent/x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "grid.nope" in err[0]


def test_relations_image_is_the_story_typeset_and_text_is_the_question() -> None:
    task = CAT.get("relations.khop")
    img, txt = (make_record(task, 3, 2, 1, m) for m in ("image", "text"))
    assert "Story: " in txt.record["question"] and not txt.images
    assert "Story: " not in img.record["question"] and len(img.images) == 1
    px = np.asarray(img.images[0])
    assert (px == 1).sum() > 500  # the typeset story: black ink on white


# -- answers agree with independent recomputations -------------------------------------------------------

def _records(tid: str, n: int = 25, modality: str = "text"):
    task = CAT.get(tid)
    return task, [make_record(task, LEVELS[i % 5], 1, i, modality).record for i in range(n)]


def test_grid_answers_match_an_independent_reading_of_the_scene() -> None:
    task, recs = _records("grid.relative_position")
    for r in recs:
        items = r["scene"]["items"]
        name = lambda it: it["symbol"] or (f"{it['size']} " if r["scene"]["use_size"] else "") + f"{it['color']} {it['shape']}"  # noqa: E731
        pa, pb = ([(it["row"], it["col"]) for it in items if name(it) == r["params"][k]] for k in ("a", "b"))
        assert len(pa) == len(pb) == 1
        (ra, ca), (rb, cb) = pa[0], pb[0]
        vert = "upper" if ra < rb else "lower" if ra > rb else ""
        horiz = "left" if ca < cb else "right" if ca > cb else ""
        want = f"{vert}-{horiz}" if vert and horiz else horiz or {"upper": "above", "lower": "below"}[vert]
        assert r["answer"] == want
    task, recs = _records("grid.direction")
    for r in recs:
        pos = {m["name"]: (m["x"], m["y"]) for m in r["scene"]["landmarks"]}
        (ax, ay), (bx, by) = pos[r["params"]["a"]], pos[r["params"]["b"]]
        n = r["scene"]["compass"]
        names = [p for p in COMPASS_POINTS if n == 8 or "-" not in p]  # clockwise from north
        k = round((math.degrees(math.atan2(ax - bx, ay - by)) % 360) / (360 / n)) % n
        assert r["answer"] == names[k]


@pytest.mark.parametrize("seed", range(6))
def test_transform_lookup_matches_numpy_rot90_and_flips(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = int(rng.integers(2, 7)), int(rng.integers(2, 7))
    grid = np.arange(rows * cols).reshape(rows, cols)
    for transform, fn in (("rotate", lambda g: np.rot90(g, -1)), ("mirror_lr", np.fliplr), ("mirror_tb", np.flipud)):
        for times in range(5):
            want = grid
            for _ in range(times):
                want = fn(want)
            for r in range(want.shape[0]):
                for c in range(want.shape[1]):
                    sr, sc, R, C = grid_transform(rows, cols, transform, times, r, c)
                    assert (R, C) == want.shape and grid[sr, sc] == want[r, c]


@pytest.mark.parametrize("tid", REL_TASKS)
def test_stories_entail_their_answer_by_text_deduction_and_never_another(tid: str) -> None:
    task, recs = _records(tid, n=30)
    for r in recs:
        s = r["scene"]
        texts = [x["text"] for x in s["sentences"]]
        q = task.family.scene_type.model_validate(s).query.to_query()
        if tid == "relations.path_finding":
            route = tuple(r["answer"].split())
            assert deduce.check_route(texts, q.start, q.goal, route)
            assert not deduce.check_route(texts, q.start, q.goal, route[:-1])
            assert len(route) == s["k"]
            continue
        got = deduce.entails(texts, q, s["semantics"])
        want = {"yes": "yes", "no": "no"}.get(r["answer"], r["answer"])
        assert get_answer_type(task.spec.answer_type).canonical(got if tid != "relations.yes_no" else got == "yes") \
            == r["answer"]
        if s["semantics"] == "qualitative":  # the generator's own solver (Bellman-Ford) agrees
            facts = [(x["a"], x["rel"], x["b"]) for x in s["sentences"]]
            assert GroundTruth(facts, list(s["positions"])).answer(q) == got
        else:
            assert got != CANNOT and want != CANNOT
            assert s["k_true"] == s["k"]


def test_open_world_answers_include_cannot_be_determined_and_determined_ones() -> None:
    for tid in ("relations.find_block", "relations.choose_object"):
        _, recs = _records(tid, n=30)
        answers = [r["answer"] for r in recs]
        assert 0 < answers.count(CANNOT) < len(answers)


def test_answer_types_parse_their_own_canonical_forms_and_paraphrases() -> None:
    rel, comp, obj = (get_answer_type(n) for n in ("relation", "compass", "object"))
    for label in RELATION_LABELS:
        assert rel.parse(label) == label and rel.parse(label.replace("-", " ").upper()) == label
    assert rel.parse("above and to the left") == "upper-left" and rel.parse("top right") == "upper-right"
    for p in COMPASS_POINTS:
        assert comp.parse(p) == p and comp.parse(p.replace("-", "")) == p
    assert comp.parse("SW") == "south-west"
    assert obj.canonical("The large red circle.") == "large red circle"
    assert obj.canonical("It cannot be determined") == CANNOT and obj.canonical("the letter k") == "K"


# -- margins: constructed near-boundary scenes are rejected -----------------------------------------------

def _map_scene(points: dict[str, tuple[float, float]], compass: int = 8, margin: float = 5.0,
               ratio: float = 1.2) -> GridScene:
    marks = [Landmark(name=n, x=x, y=y, shape="circle", color="red") for n, (x, y) in points.items()]
    return GridScene(layout="map", landmarks=marks, compass=compass, angle_margin=margin,
                     distance_ratio=ratio).with_id()


def _polar(deg: float, r: float, centre=(50.0, 50.0)) -> tuple[float, float]:
    return centre[0] + r * math.cos(math.radians(deg)), centre[1] + r * math.sin(math.radians(deg))


def _check(tid: str, scene, params):
    return check_question(CAT.get(tid), Context(scene), params, trace=False)[1]


@pytest.mark.parametrize("compass,border", [(8, 22.5), (8, 157.5), (4, 45.0), (4, 315.0)])
def test_direction_near_a_sector_border_is_rejected(compass: int, border: float) -> None:
    for off, ok in ((0.5, False), (-4.9, False), (5.5, True), (-12.0, True)):
        scene = _map_scene({"hub": (50, 50), "far": _polar(border + off, 30)}, compass)
        if ok:
            assert _check("grid.direction", scene, {"a": "far", "b": "hub"})
        else:
            with pytest.raises(_Reject, match="angle margin"):
                _check("grid.direction", scene, {"a": "far", "b": "hub"})


def test_object_and_count_in_direction_reject_a_landmark_on_the_sector_edge() -> None:
    base = {"hub": (50, 50), "ne": _polar(45, 30), "w": _polar(180, 20)}
    clear = _map_scene(base)
    assert _check("grid.object_in_direction", clear, {"b": "hub", "d": "north-east"}) == "ne"
    assert _check("grid.count_in_direction", clear, {"b": "hub", "d": "west"}) == "1"
    edgy = _map_scene({**base, "edge": _polar(67.0, 25)})  # 0.5 degrees from the NE/N border
    for tid, d in (("grid.object_in_direction", "north-east"), ("grid.count_in_direction", "north")):
        with pytest.raises(_Reject, match="border"):
            _check(tid, edgy, {"b": "hub", "d": d})
    # The same edge landmark does not make an unrelated sector ambiguous.
    assert _check("grid.count_in_direction", edgy, {"b": "hub", "d": "west"}) == "1"


def test_nearest_and_farthest_need_a_clear_gap() -> None:
    close = _map_scene({"park": (50, 50), "bank": _polar(0, 20), "cafe": _polar(120, 21), "farm": _polar(200, 60)})
    with pytest.raises(_Reject, match="distance ratio"):
        _check("grid.nearest", close, {"a": "park", "which": "nearest"})
    assert _check("grid.nearest", close, {"a": "park", "which": "farthest"}) == "farm"
    clear = _map_scene({"park": (50, 50), "bank": _polar(0, 20), "cafe": _polar(120, 30), "farm": _polar(200, 31)})
    assert _check("grid.nearest", clear, {"a": "park", "which": "nearest"}) == "bank"
    with pytest.raises(_Reject, match="distance ratio"):
        _check("grid.nearest", clear, {"a": "park", "which": "farthest"})


# -- verify catches edits ----------------------------------------------------------------------------------

def test_verify_rejects_a_story_whose_text_no_longer_entails_the_answer() -> None:
    rec = make_record(CAT.get("relations.khop"), 2, 0, 0, "text").record
    assert verify_record(rec) == []
    bad = json.loads(json.dumps(rec))
    chain = next(s for s in bad["scene"]["sentences"] if s["role"] == "chain")
    # Reverse one hop of the 2-hop chain in the text only: the sum of the two unit moves then
    # changes sign on every axis that hop moves along, so the text entails another relation.
    flipped = load_bank().templates[deduce.INVERSE[chain["rel"]]][0]
    chain["text"] = flipped.render(chain["a"], chain["b"])
    bad["scene"]["id"] = get_family("relations").scene_type.model_validate(bad["scene"]).content_id()
    problems = verify_record(bad)
    assert problems and "independent deduction" in problems[0]


def test_verify_rejects_a_map_edited_onto_a_sector_border() -> None:
    task = CAT.get("grid.direction")
    rec = make_record(task, 3, 0, 0, "text").record
    assert verify_record(rec) == []
    bad = json.loads(json.dumps(rec))
    marks = {m["name"]: m for m in bad["scene"]["landmarks"]}
    a, b = marks[bad["params"]["a"]], marks[bad["params"]["b"]]
    a["x"], a["y"] = (round(v, 1) for v in _polar(22.6, 30, (b["x"], b["y"])))
    scene = get_family("grid").scene_type.model_validate(bad["scene"])
    bad["scene"]["id"] = scene.content_id()
    assert any("angle margin" in p for p in verify_record(bad))


def test_grid_render_check_catches_a_missing_object() -> None:
    fam = get_family("grid")
    scene = GridScene(layout="grid", rows=2, cols=2, items=[GridItem(row=0, col=0, shape="star", color="red")]).with_id()
    img = fam.render(scene, "paper", {})[0]
    assert all(c.passed for c in fam.render_checks(scene, [img], "paper", {}))
    moved = scene.model_copy(update={"items": [GridItem(row=1, col=1, shape="star", color="red")]})
    assert not all(c.passed for c in fam.render_checks(moved, [img], "paper", {}))
