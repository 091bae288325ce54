"""Behaviour of the text relational engine: paraphrase bank, k-hop stories, open-world
entailment, rooms routes. Answers are always recomputed here (from text, layout or a third
method), never hard-coded per seed."""

from __future__ import annotations

import dataclasses
import itertools
import re

import networkx as nx
import numpy as np
import pytest
import yaml

from spatialgen.families.relations import deduce
from spatialgen.families.relations.bank import (
    CANNOT, DIRECTIONS, LABELS, PREDICATES, PredicateQuery, RelationQuery, WhichQuery,
    bank_from_dict, default_bank_path, load_bank,
)
from spatialgen.families.relations.openworld import GroundTruth, make_open_story, open_level
from spatialgen.families.relations.rooms import make_room_story, room_level, route_is_shortest
from spatialgen.families.relations.story import (
    Layout, Noise, Sentence, hop_distance, khop_level, make_khop_story, make_yesno_story,
)

BANK = load_bank()
PARSER = deduce.get_parser(BANK)
TEMPLATES = BANK.all_templates()
LEVELS = sorted(BANK.levels)


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- paraphrase bank --------------------------------------------------------------------------
# Keyword reading of a wording, independent of the label it is filed under: what does the text
# say about the *first-mentioned* entity relative to the other one?
X_WORDS = {"left": -1, "west": -1, "northwest": -1, "southwest": -1,
           "right": 1, "east": 1, "northeast": 1, "southeast": 1}
Y_WORDS = {"above": 1, "over": 1, "north": 1, "upper": 1, "top": 1, "higher": 1, "up": 1,
           "northwest": 1, "northeast": 1, "below": -1, "under": -1, "south": -1, "lower": -1,
           "bottom": -1, "beneath": -1, "down": -1, "underneath": -1, "southwest": -1,
           "southeast": -1}
OVERLAP_WORDS = {"same", "overlap", "overlaps", "overlapping", "coincide", "coincides",
                 "share", "shares", "identical"}
NEGATIONS = {"not", "no", "never", "neither", "nor"}
CLOCK = {12: (0, 1), 1: (1, 1), 2: (1, 1), 3: (1, 0), 4: (1, -1), 5: (1, -1), 6: (0, -1),
         7: (-1, -1), 8: (-1, -1), 9: (-1, 0), 10: (-1, 1), 11: (-1, 1)}
# Where to put a (b at the origin) so that "a is <label> of b" is true; distances > 1 on purpose.
PLACE = {"left": (-3, 0), "right": (2, 0), "above": (0, 4), "below": (0, -2),
         "upper-left": (-2, 3), "upper-right": (5, 1), "lower-left": (-1, -4),
         "lower-right": (3, -3), "overlap": (0, 0)}


def wording_signs(text: str) -> tuple[int, int] | None:
    """(sign dx, sign dy) of {a} relative to {b} as the words say, or None if unclear."""
    words = re.findall(r"[a-z]+", text.lower().replace("{a}", " ").replace("{b}", " "))
    if NEGATIONS & set(words):
        return None
    clock = re.findall(r"(\d+) o'clock", text)
    xs = {X_WORDS[w] for w in words if w in X_WORDS}
    ys = {Y_WORDS[w] for w in words if w in Y_WORDS}
    if clock:
        if xs or ys or len(clock) != 1:
            return None
        signs = CLOCK[int(clock[0])]
    elif xs or ys:
        if len(xs) > 1 or len(ys) > 1 or OVERLAP_WORDS & set(words):
            return None
        signs = (xs.pop() if xs else 0, ys.pop() if ys else 0)
    elif OVERLAP_WORDS & set(words):
        signs = (0, 0)
    else:
        return None
    b_first = text.index("{b}") < text.index("{a}")
    return (-signs[0], -signs[1]) if b_first else signs


def test_bank_has_at_least_15_wordings_per_label_with_both_word_orders() -> None:
    for rel in LABELS:
        ts = BANK.templates[rel]
        assert len(ts) >= 15, rel
        assert len({t.text for t in ts}) == len(ts), f"duplicate wording under {rel}"
        assert any(t.text.startswith("{b}") for t in ts), f"{rel}: no b-first wording"
    for rel in DIRECTIONS:  # clock and compass styles are both present
        assert any("o'clock" in t.text for t in BANK.templates[rel])
        assert any(re.search(r"north|south|east|west", t.text) for t in BANK.templates[rel])


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])
@pytest.mark.parametrize("names", [("A", "B"), ("the kettle", "the lamp")])
def test_template_round_trips_through_the_parser(template, names) -> None:
    a, b = names
    fact = PARSER.parse(template.render(a, b))
    assert fact == deduce.Fact(a, template.rel, b).canonical()


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])
def test_template_wording_matches_its_label(template) -> None:
    # Place a and b where the label says, then the words alone must describe that placement.
    layout = Layout({"a": PLACE[template.rel], "b": (0, 0)})
    assert layout.relation("a", "b") == template.rel
    dx, dy = np.sign(np.subtract(PLACE[template.rel], (0, 0)))
    assert wording_signs(template.text) == (dx, dy), template.text


def test_keyword_check_catches_a_mislabelled_template() -> None:
    # The failure the original StepGame generator had: a wording filed under the wrong label.
    good = BANK.templates["upper-left"][11]  # "{b} is below and to the right of {a}"
    assert wording_signs(good.text) == (-1, 1)
    for wrong in set(LABELS) - {"upper-left"}:
        assert wording_signs(good.text) != tuple(np.sign(PLACE[wrong]))


def test_parser_rejects_a_bank_where_one_wording_states_two_relations() -> None:
    data = yaml.safe_load(default_bank_path().read_text())
    data["templates"]["right"].append("{a} is west of {b}")  # mislabelled duplicate
    parser = deduce.Parser(bank_from_dict(data))
    with pytest.raises(deduce.ParseError, match="ambiguous"):
        parser.parse("A is west of B.")


@pytest.mark.parametrize("template", BANK.noise, ids=[t.id for t in BANK.noise])
def test_distractor_sentences_are_recognised_and_say_nothing_spatial(template) -> None:
    words = set(re.findall(r"[a-z]+", template.text.lower()))
    assert not words & (set(X_WORDS) | set(Y_WORDS) | OVERLAP_WORDS)
    assert PARSER.parse(template.render("the vase")) is None


def test_unknown_sentence_is_a_parse_error() -> None:
    with pytest.raises(deduce.ParseError, match="no template"):
        PARSER.parse("A is somewhere near B.")


# --- k-hop stories (StepGame) and yes/no (bAbI 17) ------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_khop_story_has_exact_hop_count_and_text_entails_the_layout_answer(level) -> None:
    k, noise = khop_level(level)
    for seed in range(40):
        s = make_khop_story(k, noise, rng(seed))
        q = s.query
        # Hop count recomputed from the parsed text, not from the generator's bookkeeping.
        graph = nx.Graph([(f.a, f.b) for f in PARSER.parse_story(s.texts)])
        assert nx.shortest_path_length(graph, q.a, q.b) == k == s.k_true
        for sent in s.sentences:  # every stated relation is true of the layout
            assert sent.rel == "noise" or s.layout.relation(sent.a, sent.b) == sent.rel
        assert s.answer == s.layout.relation(q.a, q.b)
        assert deduce.entails(s.texts, q) == s.answer  # determined, and no other label


@pytest.mark.parametrize("level", LEVELS)
def test_yesno_story_answer_follows_layout_and_text(level) -> None:
    k, noise = khop_level(level)
    answers = set()
    for seed in range(30):
        s = make_yesno_story(k, noise, rng(seed))
        q = s.query
        assert s.answer == ("yes" if s.layout.holds(q.a, q.pred, q.b) else "no")
        assert deduce.entails(s.texts, q) == s.answer
        answers.add(s.answer)
    assert answers == {"yes", "no"}


@pytest.mark.parametrize("level", [lv for lv in LEVELS if khop_level(lv)[1].supporting == 0])
def test_every_chain_sentence_is_needed(level) -> None:
    # Without supporting paths, dropping any chain sentence disconnects the queried pair.
    k, noise = khop_level(level)
    for seed in range(10):
        s = make_khop_story(k, noise, rng(seed))
        for i, sent in enumerate(s.sentences):
            if sent.role == "chain":
                texts = [t.text for j, t in enumerate(s.sentences) if j != i]
                assert deduce.entails(texts, s.query) == CANNOT


def test_top_level_has_every_kind_of_noise_and_levels_grow() -> None:
    sizes = []
    for level in LEVELS:
        k, noise = khop_level(level)
        s = make_khop_story(k, noise, rng(level))
        sizes.append(len(s.sentences))
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    k, noise = khop_level(LEVELS[-1])
    roles = {x.role for x in make_khop_story(k, noise, rng(0)).sentences}
    assert roles == {"chain", "support", "disconnected", "irrelevant", "distractor"}


def test_supporting_paths_are_real_alternatives_of_no_shorter_length() -> None:
    for seed in range(30):
        s = make_khop_story(4, Noise(supporting=2), rng(seed))
        g = nx.Graph([(x.a, x.b) for x in s.sentences])
        assert len(nx.cycle_basis(g)) == 2  # each detour closes one loop with the chain
        assert nx.shortest_path_length(g, s.query.a, s.query.b) == s.k_true == 4


def test_hop_distance_sees_a_shortcut() -> None:
    def sent(a: str, b: str) -> Sentence:
        return Sentence(a, "left", b, "left/0", f"{a} is to the left of {b}.", "chain")
    chain = [sent("A", "B"), sent("B", "C"), sent("C", "D")]
    assert hop_distance(chain, "A", "D") == 3
    assert hop_distance(chain + [sent("A", "D")], "A", "D") == 1
    assert hop_distance(chain, "A", "Z") is None


def test_unit_semantics_differs_from_qualitative() -> None:
    text = ["A is left of B.", "C is left of B."]
    assert deduce.entails(text, RelationQuery("A", "C"), "unit") == "overlap"
    assert deduce.entails(text, RelationQuery("A", "C"), "qualitative") == CANNOT
    three = ["A is left of B.", "B is left of C.", "A is left of C."]
    assert deduce.entails(three, RelationQuery("A", "C"), "qualitative") == "left"
    with pytest.raises(deduce.InconsistentStory):  # A is 2 steps left of C, not 1
        deduce.entails(three, RelationQuery("A", "C"), "unit")


# --- open world (SpartQA-like) ----------------------------------------------------------------

@pytest.mark.parametrize("text, query, expected", [
    (["A is left of B.", "B is left of C."], RelationQuery("A", "C"), "left"),
    (["A is above B.", "B is left of C."], RelationQuery("A", "C"), "upper-left"),
    (["A is left of B.", "C is above D."], RelationQuery("A", "C"), CANNOT),
    (["A is left of B.", "C is above B."], PredicateQuery("A", "left", "C"), "yes"),
    (["A is left of B.", "C is above B."], PredicateQuery("A", "above", "C"), "no"),
    (["A is left of B.", "C is to the upper-right of B."], PredicateQuery("C", "above", "A"), "yes"),
    (["A is left of B.", "B is at C's 2 o'clock."], PredicateQuery("A", "left", "C"), CANNOT),
    (["A is left of B.", "C is right of B.", "D is above B."],
     WhichQuery("left", "B", ("A", "C", "D")), "A"),
    (["A is left of B.", "C is right of B.", "D is above E."],
     WhichQuery("left", "B", ("A", "C", "D")), CANNOT),
    (["The box overlaps the ball.", "The ball is north of the cube."],
     RelationQuery("the box", "the cube"), "above"),
])
def test_open_world_entailment(text, query, expected) -> None:
    assert deduce.entails(text, query, "qualitative") == expected
    facts = [(f.a, f.rel, f.b) for f in PARSER.parse_story(text)]
    names = sorted({n for f in facts for n in (f[0], f[2])} | {"D", "E"})
    assert GroundTruth(facts, names).answer(query) == expected  # second method agrees


@pytest.mark.parametrize("text", [
    ["A is left of B.", "B is left of C.", "C is left of A."],
    ["A is left of B.", "B is above A."],
    ["A overlaps B.", "B is north of C.", "C is at A's 12 o'clock."],
])
def test_inconsistent_story_is_detected(text) -> None:
    with pytest.raises(deduce.InconsistentStory):
        deduce.entails(text, RelationQuery("A", "B"), "qualitative")


def test_path_consistency_agrees_with_bellman_ford_on_random_fact_sets() -> None:
    # Random labels (not from a layout), so some sets are inconsistent: both methods must
    # agree on consistency and, when consistent, on every pair's possible signs.
    gen = rng(7)
    names = list("ABCDEF")
    seen_inconsistent = 0
    for _ in range(300):
        pairs = [tuple(gen.choice(names, 2, replace=False)) for _ in range(int(gen.integers(2, 8)))]
        facts = [deduce.Fact(a, LABELS[int(gen.integers(9))], b) for a, b in pairs]
        truth = GroundTruth([(f.a, f.rel, f.b) for f in facts], names)
        try:
            solver = deduce._Solver(facts, "qualitative")
        except deduce.InconsistentStory:
            assert not truth.consistent()
            seen_inconsistent += 1
            continue
        assert truth.consistent()
        for u, v in itertools.permutations(sorted({n for p in pairs for n in p}), 2):
            assert solver.signs(u, v) == (truth.possible(u, v, 0), truth.possible(u, v, 1))
    assert seen_inconsistent > 0


@pytest.mark.parametrize("kind", ["which", "yesno", "relation"])
def test_generated_open_world_stories_agree_with_deduce_and_layout(kind) -> None:
    outcomes = set()
    for level in LEVELS:
        cfg = open_level(level)
        for seed in range(15):
            s = make_open_story(cfg["objects"], cfg["facts"], rng(seed), kind, cfg["grid"])
            assert deduce.entails(s.texts, s.query, "qualitative") == s.answer
            q = s.query
            truth = {"relation": lambda: s.layout.relation(q.a, q.b),
                     "yesno": lambda: "yes" if s.layout.holds(q.a, q.pred, q.b) else "no",
                     "which": lambda: next(c for c in q.candidates
                                           if s.layout.holds(c, q.pred, q.ref))}[kind]()
            assert s.answer in (CANNOT, truth)  # when determined, it is the layout's answer
            outcomes.add(s.answer == CANNOT)
    assert outcomes == {True, False}


def test_open_world_can_be_balanced() -> None:
    for want, check in (("determined", lambda a: a != CANNOT), ("undetermined", lambda a: a == CANNOT)):
        for seed in range(5):
            s = make_open_story(5, 4, rng(seed), "yesno", want=want)
            assert check(s.answer) and check(deduce.entails(s.texts, s.query, "qualitative"))


# --- rooms (bAbI 19) --------------------------------------------------------------------------

SQUARE = ["The kitchen is east of the hallway.", "The garden is north of the hallway.",
          "The office is north of the kitchen.", "The office is east of the garden.",
          "The cellar is south of the kitchen."]


@pytest.mark.parametrize("route, ok", [
    (["north", "east"], True),
    (["east", "north"], True),  # a different route of the same length is just as right
    (["east", "east"], False),  # no room east of the kitchen
    (["north", "east", "south", "north"], False),  # reaches the office, but the long way
    (["north"], False),  # stops in the garden
    ([], False),
])
def test_route_check_from_text(route, ok) -> None:
    assert deduce.check_route(SQUARE, "the hallway", "the office", route) is ok


@pytest.mark.parametrize("level", [lv for lv in LEVELS if room_level(lv)["hops"] <= 4])
def test_room_routes_text_check_equals_ground_truth_check(level) -> None:
    cfg = room_level(level)
    for seed in range(10):
        s = make_room_story(rng=rng(seed), **cfg)
        q = s.query
        assert len(s.answer) == cfg["hops"] == s.k_true
        graph = deduce.room_graph(s.texts)
        assert deduce.route_ok(graph, q.start, q.goal, s.answer)
        # Every direction sequence of length hops-1 .. hops+1: both checkers must agree.
        accepted = 0
        for n in range(cfg["hops"] - 1, cfg["hops"] + 2):
            for route in itertools.product(("north", "east", "south", "west"), repeat=n):
                ok = deduce.route_ok(graph, q.start, q.goal, route)
                assert ok == route_is_shortest(s, route)
                accepted += ok
        assert accepted >= 1


def test_room_stories_use_compass_wording_only() -> None:
    s = make_room_story(4, rng(3), extra_rooms=4, extra_links=2)
    for sent in s.sentences:
        assert re.search(r"north|south|east|west", sent.text)
        assert sent.rel in ("left", "right", "above", "below")


# --- determinism ------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda g: make_khop_story(*khop_level(5), g),
    lambda g: make_yesno_story(*khop_level(3), g),
    lambda g: make_room_story(rng=g, **room_level(5)),
    lambda g: make_open_story(6, 6, g, "which"),
])
def test_same_seed_same_story(make) -> None:
    a, b, c = make(rng(123)), make(rng(123)), make(rng(124))
    assert (a.texts, a.question, a.answer) == (b.texts, b.question, b.answer)
    assert dataclasses.astuple(a) == dataclasses.astuple(b)
    assert a.texts != c.texts


def test_generation_does_not_touch_the_global_rng() -> None:
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    make_khop_story(3, Noise(1, 1, 1, 1), rng(1))
    assert np.random.random() == before


def test_too_few_names_is_an_error() -> None:
    with pytest.raises(ValueError, match="names"):
        make_khop_story(5, Noise(), rng(0), names=["A", "B", "C"])
