"""SpartQA-like open-world stories: only some relations are stated, so some questions have
the answer "cannot be determined".

Stated relations are qualitative ("A is left of B": x_A < x_B and y_A = y_B, any distance).
Ground truth here asks, per axis, whether a sign is *possible*: the stated facts plus the
hypothesis form integer difference constraints, feasible iff Bellman-Ford finds no negative
cycle. This is a different algorithm from deduce's path consistency on purpose.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np

from .bank import (
    CANNOT, PREDICATES, Bank, PredicateQuery, Query, RelationQuery, WhichQuery, load_bank, pick,
)
from .story import _SIGNS_TO_LABEL, Layout, Sentence, Story, name_supply, state

_LABEL_SIGNS = {label: s for s, label in _SIGNS_TO_LABEL.items()}
_PRED = {"left": (0, -1), "right": (0, 1), "above": (1, 1), "below": (1, -1)}  # (axis, sign)


def _diff(i: int, j: int, sign: int) -> list[tuple[int, int, int]]:
    """Constraints v_i - v_j <= w encoding sign(v_i - v_j) == sign on integers."""
    if sign < 0:
        return [(i, j, -1)]
    if sign > 0:
        return [(j, i, -1)]
    return [(i, j, 0), (j, i, 0)]


def _feasible(n: int, cons: list[tuple[int, int, int]]) -> bool:
    dist = [0] * n  # virtual source at distance 0 to every variable
    for _ in range(n + 1):
        changed = False
        for i, j, w in cons:
            if dist[j] + w < dist[i]:
                dist[i] = dist[j] + w
                changed = True
        if not changed:
            return True
    return False  # still relaxing after n rounds: negative cycle


class GroundTruth:
    """Possible signs of (x_u - x_v, y_u - y_v) given stated facts (a, rel, b)."""

    def __init__(self, facts: Sequence[tuple[str, str, str]], names: Sequence[str]) -> None:
        self.idx = {n: i for i, n in enumerate(names)}
        self.axes: list[list[tuple[int, int, int]]] = [[], []]
        for a, rel, b in facts:
            for axis in (0, 1):
                self.axes[axis] += _diff(self.idx[a], self.idx[b], _LABEL_SIGNS[rel][axis])

    def consistent(self) -> bool:
        return all(_feasible(len(self.idx), cons) for cons in self.axes)

    def possible(self, u: str, v: str, axis: int) -> set[int]:
        i, j = self.idx[u], self.idx[v]
        return {s for s in (-1, 0, 1) if _feasible(len(self.idx), self.axes[axis] + _diff(i, j, s))}

    def answer(self, q: Query) -> str:
        if isinstance(q, RelationQuery):
            labels = {_SIGNS_TO_LABEL[(x, y)] for x in self.possible(q.a, q.b, 0)
                      for y in self.possible(q.a, q.b, 1)}
            return labels.pop() if len(labels) == 1 else CANNOT
        if isinstance(q, PredicateQuery):
            axis, want = _PRED[q.pred]
            t = {s == want for s in self.possible(q.a, q.b, axis)}
            return ("yes" if True in t else "no") if len(t) == 1 else CANNOT
        if isinstance(q, WhichQuery):
            axis, want = _PRED[q.pred]
            truths = [{s == want for s in self.possible(c, q.ref, axis)} for c in q.candidates]
            if any(len(t) != 1 for t in truths):
                return CANNOT
            yes = [c for c, t in zip(q.candidates, truths) if True in t]
            assert len(yes) <= 1, "generator only asks questions with one true candidate"
            return yes[0] if yes else "none"
        raise TypeError(f"unsupported query {q!r}")


def make_open_story(
    n_objects: int, n_facts: int, rng: np.random.Generator, question: str = "which",
    grid: int = 3, names: Sequence[str] | None = None, bank: Bank | None = None,
    want: str | None = None, max_tries: int = 500,
) -> Story:
    """Open-world story with a "which"/"yesno"/"relation" question.

    ``want`` = "determined" or "undetermined" rejection-samples until the answer is (or is
    not) "cannot be determined", so datasets can balance the two.
    """
    bank = bank or load_bank()
    pool = names or bank.names["objects"]
    if n_facts > n_objects * (n_objects - 1) // 2:
        raise ValueError("more facts than pairs")
    for _ in range(max_tries):
        fresh = name_supply(pool, rng)
        objs = [next(fresh) for _ in range(n_objects)]
        layout = Layout({o: (int(rng.integers(grid)), int(rng.integers(grid))) for o in objs})
        pairs = list(itertools.combinations(objs, 2))
        chosen = [pairs[int(i)] for i in rng.choice(len(pairs), n_facts, replace=False)]
        sentences: list[Sentence] = [state(u, v, layout, rng, bank, "fact") for u, v in chosen]
        q, text = _question(question, objs, layout, rng, bank)
        if q is None:
            continue
        answer = GroundTruth([(s.a, s.rel, s.b) for s in sentences], objs).answer(q)
        if want == "determined" and answer == CANNOT or want == "undetermined" and answer != CANNOT:
            continue
        order = tuple(int(i) for i in rng.permutation(len(sentences)))
        return Story("open", "qualitative", tuple(sentences), order, layout, q,
                     text[0].upper() + text[1:], answer)
    raise RuntimeError(f"no open-world story with want={want!r} in {max_tries} tries")


def _question(
    kind: str, objs: list[str], layout: Layout, rng: np.random.Generator, bank: Bank,
) -> tuple[Query | None, str]:
    a, b = (objs[int(i)] for i in rng.choice(len(objs), 2, replace=False))
    if kind == "relation":
        return RelationQuery(a, b), bank.questions["relation"].format(a=a, b=b)
    pred = pick(rng, PREDICATES)
    if kind == "yesno":
        return PredicateQuery(a, pred, b), bank.questions["predicate"][pred].format(a=a, b=b)
    if kind == "which":
        # Only ask when exactly one object really is <pred> of the reference.
        cands = tuple(o for o in objs if o != b)
        if sum(layout.holds(c, pred, b) for c in cands) != 1:
            return None, ""
        return WhichQuery(pred, b, cands), bank.questions["which"][pred].format(b=b)
    raise ValueError(f"unknown question kind {kind!r}")


def open_level(level: int, bank: Bank | None = None) -> dict[str, int]:
    """{objects, facts, grid} for a level of the ladder."""
    return dict((bank or load_bank()).levels[level]["open"])


def make_choose_story(
    n_objects: int, n_facts: int, rng: np.random.Generator, grid: int = 3,
    names: Sequence[str] | None = None, bank: Bank | None = None, want: str | None = None,
    max_tries: int = 500,
) -> Story:
    """SpartQA "choose object": which of two named objects is <pred> a reference object?

    In the layout exactly one of the two really is, so the text can only entail that one or
    nothing ("cannot be determined"); ``want`` as in :func:`make_open_story`.
    """
    bank = bank or load_bank()
    for _ in range(max_tries):
        base = make_open_story(n_objects, n_facts, rng, question="relation", grid=grid, names=names, bank=bank)
        objs = list(base.layout.positions)
        ref = pick(rng, objs)
        pred = pick(rng, PREDICATES)
        others = [o for o in objs if o != ref]
        yes = [o for o in others if base.layout.holds(o, pred, ref)]
        no = [o for o in others if not base.layout.holds(o, pred, ref)]
        if not yes or not no:
            continue
        pair = [pick(rng, yes), pick(rng, no)]
        if rng.integers(2):
            pair.reverse()
        q = WhichQuery(pred, ref, tuple(pair))
        facts = [(s.a, s.rel, s.b) for s in base.sentences]
        answer = GroundTruth(facts, objs).answer(q)
        if want == "determined" and answer == CANNOT or want == "undetermined" and answer != CANNOT:
            continue
        text = f"Which is {pred} {ref}: {pair[0]} or {pair[1]}?"
        return Story("open", "qualitative", base.sentences, base.order, base.layout, q, text, answer)
    raise RuntimeError(f"no choose-object story with want={want!r} in {max_tries} tries")
