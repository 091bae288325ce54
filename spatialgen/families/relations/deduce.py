"""Independent verifier: reads only the story *text* and says what it entails.

It never sees a layout or the generator's structured sentences. Each sentence is matched
against every template of the paraphrase bank (compiled once to anchored regexes); a sentence
must express exactly one relation (or be a known distractor), otherwise it is a ParseError.

Two semantics for the stated relations:
  * ``"unit"`` (StepGame, bAbI 17): every relation is one unit move in 8 directions, so a
    connected story pins relative positions exactly (BFS with a consistency check).
  * ``"qualitative"`` (open world): "left" only says x_a < x_b and y_a = y_b. Each axis is a
    point-algebra network with basic constraints; path consistency on the convex point algebra
    yields the minimal network (van Beek 1992), and the two axes are independent, so the set of
    labels consistent with the text is exactly the product of the per-axis minimal labels.
Rooms (bAbI 19): stated relations are doors between adjacent rooms; routes are checked by BFS.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Iterable, Sequence

from .bank import (
    CANNOT, NOISE, Bank, PredicateQuery, RelationQuery, Template, WhichQuery, load_bank,
)

# Deliberately restated here instead of imported from the generator: this table is the
# verifier's own reading of each label as the unit offset (dx, dy) of a relative to b.
OFFSET: dict[str, tuple[int, int]] = {
    "left": (-1, 0), "right": (1, 0), "above": (0, 1), "below": (0, -1),
    "upper-left": (-1, 1), "upper-right": (1, 1), "lower-left": (-1, -1),
    "lower-right": (1, -1), "overlap": (0, 0),
}
_LABEL_OF_SIGNS = {v: k for k, v in OFFSET.items()}
INVERSE = {k: _LABEL_OF_SIGNS[(-dx, -dy)] for k, (dx, dy) in OFFSET.items()}
_PRED_AXIS = {"left": (0, -1), "right": (0, 1), "above": (1, 1), "below": (1, -1)}
COMPASS = {"above": "north", "below": "south", "right": "east", "left": "west"}
_OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}

# One-token names, optionally with "the" (see names: in relations.yaml).
_NAME = r"(?:the )?[A-Za-z][A-Za-z0-9_-]*"


class ParseError(ValueError):
    """A sentence matches no template, or templates asserting different relations."""


class InconsistentStory(ValueError):
    """The stated relations cannot all hold at once."""


@dataclass(frozen=True)
class Fact:
    """``a`` is ``rel`` of ``b``."""

    a: str
    rel: str
    b: str

    def canonical(self) -> "Fact":
        """The same fact with names in sorted order, so equivalent readings compare equal."""
        return self if self.a <= self.b else Fact(self.b, INVERSE[self.rel], self.a)


def _normalise_name(name: str) -> str:
    # Sentence-initial "The kettle" and mid-sentence "the kettle" are the same entity.
    return "the " + name[4:] if name[:4].lower() == "the " else name


def _compile(t: Template) -> re.Pattern[str]:
    parts = re.split(r"(\{a\}|\{b\})", t.text)
    rx = "".join(f"(?P<{p[1]}>{_NAME})" if p in ("{a}", "{b}") else re.escape(p) for p in parts)
    return re.compile(rx, re.IGNORECASE)


class Parser:
    """Sentence -> Fact (canonical) or None for a recognised distractor sentence."""

    def __init__(self, bank: Bank) -> None:
        self._rules = [(t, _compile(t)) for t in (*bank.all_templates(), *bank.noise)]

    def parse(self, sentence: str) -> Fact | None:
        s = sentence.strip()
        s = s[:-1].rstrip() if s.endswith(".") else s
        facts: set[Fact] = set()
        noise = False
        for t, rx in self._rules:
            m = rx.fullmatch(s)
            if m is None:
                continue
            if t.rel == NOISE:
                noise = True
                continue
            a, b = _normalise_name(m["a"]), _normalise_name(m["b"])
            if a == b:
                raise ParseError(f"entity related to itself: {sentence!r}")
            facts.add(Fact(a, t.rel, b).canonical())
        if len(facts) > 1 or (facts and noise):
            raise ParseError(f"ambiguous sentence {sentence!r}: {sorted(map(str, facts))}")
        if not facts and not noise:
            raise ParseError(f"sentence matches no template: {sentence!r}")
        return next(iter(facts)) if facts else None

    def parse_story(self, sentences: Iterable[str]) -> list[Fact]:
        return [f for s in sentences if (f := self.parse(s)) is not None]


_PARSERS: dict[int, tuple[Bank, Parser]] = {}


def get_parser(bank: Bank | None = None) -> Parser:
    """Cached parser for ``bank`` (default: the shipped bank)."""
    bank = bank or load_bank()
    hit = _PARSERS.get(id(bank))
    if hit is None or hit[0] is not bank:
        hit = _PARSERS[id(bank)] = (bank, Parser(bank))
    return hit[1]


# --- unit semantics -------------------------------------------------------------------------

def unit_positions(facts: Sequence[Fact]) -> dict[str, tuple[int, int, int]]:
    """name -> (component, x, y), coordinates relative to the component's first entity."""
    adj: dict[str, list[tuple[str, int, int]]] = {}
    for f in facts:
        dx, dy = OFFSET[f.rel]  # pos[a] - pos[b]
        adj.setdefault(f.a, []).append((f.b, -dx, -dy))
        adj.setdefault(f.b, []).append((f.a, dx, dy))
    pos: dict[str, tuple[int, int, int]] = {}
    for comp, root in enumerate(adj):
        if root in pos:
            continue
        pos[root] = (comp, 0, 0)
        queue = deque([root])
        while queue:
            u = queue.popleft()
            _, ux, uy = pos[u]
            for v, dx, dy in adj[u]:
                want = (comp, ux + dx, uy + dy)
                if v not in pos:
                    pos[v] = want
                    queue.append(v)
                elif pos[v] != want:
                    raise InconsistentStory(f"{v} placed at two positions")
    return pos


# --- qualitative semantics (point algebra per axis) ----------------------------------------

_LT, _EQ, _GT, _ALL = 1, 2, 4, 7
_SIGN_BIT = {-1: _LT, 0: _EQ, 1: _GT}


def _converse(m: int) -> int:
    return (m & _EQ) | (_GT if m & _LT else 0) | (_LT if m & _GT else 0)


def _compose_basic(p: int, q: int) -> int:
    if p == _EQ:
        return q
    if q == _EQ or p == q:
        return p
    return _ALL  # < then > (or > then <) says nothing


_COMP = [[0] * 8 for _ in range(8)]
for _p in range(8):
    for _q in range(8):
        for _bp in (_LT, _EQ, _GT):
            for _bq in (_LT, _EQ, _GT):
                if _p & _bp and _q & _bq:
                    _COMP[_p][_q] |= _compose_basic(_bp, _bq)


def _path_consistency(n: int, cons: list[tuple[int, int, int]]) -> list[list[int]]:
    r = [[_EQ if i == j else _ALL for j in range(n)] for i in range(n)]
    for i, j, m in cons:
        r[i][j] &= m
        r[j][i] &= _converse(m)
        if not r[i][j]:
            raise InconsistentStory("contradictory statements about one pair")
    changed = True
    while changed:
        changed = False
        for k in range(n):
            rk = r[k]
            for i in range(n):
                rik = r[i][k]
                if rik == _ALL or i == k:
                    continue
                ri = r[i]
                for j in range(n):
                    new = ri[j] & _COMP[rik][rk[j]]
                    if new != ri[j]:
                        if not new:
                            raise InconsistentStory("relations form a contradictory cycle")
                        ri[j] = new
                        r[j][i] = _converse(new)
                        changed = True
    return r


class _Solver:
    """Possible signs of (x_u - x_v, y_u - y_v) for any pair, under one semantics."""

    def __init__(self, facts: Sequence[Fact], semantics: str) -> None:
        self.semantics = semantics
        if semantics == "unit":
            self.pos = unit_positions(facts)
        elif semantics == "qualitative":
            names = sorted({n for f in facts for n in (f.a, f.b)})
            self.idx = {n: i for i, n in enumerate(names)}
            cx, cy = [], []
            for f in facts:
                i, j = self.idx[f.a], self.idx[f.b]
                dx, dy = OFFSET[f.rel]
                cx.append((i, j, _SIGN_BIT[dx]))
                cy.append((i, j, _SIGN_BIT[dy]))
            self.rx = _path_consistency(len(names), cx)
            self.ry = _path_consistency(len(names), cy)
        else:
            raise ValueError(f"unknown semantics {semantics!r}")

    def signs(self, u: str, v: str) -> tuple[set[int], set[int]]:
        every = {-1, 0, 1}
        if self.semantics == "unit":
            pu, pv = self.pos.get(u), self.pos.get(v)
            if pu is None or pv is None or pu[0] != pv[0]:
                return every, every
            sx, sy = (pu[1] > pv[1]) - (pu[1] < pv[1]), (pu[2] > pv[2]) - (pu[2] < pv[2])
            return {sx}, {sy}
        if u not in self.idx or v not in self.idx:
            return every, every
        i, j = self.idx[u], self.idx[v]
        sx = {s for s, bit in _SIGN_BIT.items() if self.rx[i][j] & bit}
        sy = {s for s, bit in _SIGN_BIT.items() if self.ry[i][j] & bit}
        return sx, sy

    def truth(self, u: str, pred: str, v: str) -> set[bool]:
        axis, want = _PRED_AXIS[pred]
        return {s == want for s in self.signs(u, v)[axis]}


def entails(
    sentences: Sequence[str],
    query: RelationQuery | PredicateQuery | WhichQuery,
    semantics: str = "unit",
    bank: Bank | None = None,
) -> str:
    """What the story text entails for ``query``: a label / "yes" / "no" / a candidate name,
    or CANNOT when more than one answer is consistent. Raises InconsistentStory or ParseError.
    For WhichQuery: "none" if it is entailed that no candidate qualifies; ValueError if several do.
    """
    solver = _Solver(get_parser(bank).parse_story(sentences), semantics)
    if isinstance(query, RelationQuery):
        sx, sy = solver.signs(query.a, query.b)
        labels = {_LABEL_OF_SIGNS[(x, y)] for x in sx for y in sy}
        return labels.pop() if len(labels) == 1 else CANNOT
    if isinstance(query, PredicateQuery):
        t = solver.truth(query.a, query.pred, query.b)
        return CANNOT if len(t) != 1 else ("yes" if t.pop() else "no")
    if isinstance(query, WhichQuery):
        truths = {c: solver.truth(c, query.pred, query.ref) for c in query.candidates}
        if any(len(t) != 1 for t in truths.values()):
            return CANNOT
        yes = [c for c, t in truths.items() if True in t]
        if len(yes) > 1:
            raise ValueError(f"ill-posed question: several candidates qualify: {yes}")
        return yes[0] if yes else "none"
    raise TypeError(f"unsupported query {query!r} (use check_route for routes)")


# --- rooms (bAbI 19) ------------------------------------------------------------------------

def room_graph(sentences: Sequence[str], bank: Bank | None = None) -> dict[str, dict[str, str]]:
    """room -> {compass word: neighbouring room}, read from the text alone."""
    graph: dict[str, dict[str, str]] = {}

    def link(frm: str, d: str, to: str) -> None:
        old = graph.setdefault(frm, {}).setdefault(d, to)
        if old != to:
            raise InconsistentStory(f"two rooms {d} of {frm}: {old}, {to}")

    for f in get_parser(bank).parse_story(sentences):
        if f.rel not in COMPASS:
            raise ParseError(f"rooms are linked only north/south/east/west, got {f}")
        d = COMPASS[f.rel]  # going d from b reaches a
        link(f.b, d, f.a)
        link(f.a, _OPPOSITE[d], f.b)
    return graph


def route_length(graph: dict[str, dict[str, str]], start: str, goal: str) -> int | None:
    """Length of the shortest route through stated links, None if unreachable."""
    dist = {start: 0}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        if u == goal:
            return dist[u]
        for v in graph.get(u, {}).values():
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return None


def route_ok(graph: dict[str, dict[str, str]], start: str, goal: str, route: Sequence[str]) -> bool:
    """True iff ``route`` follows links of ``graph`` from start to goal with minimal length."""
    here = start
    for d in route:
        nxt = graph.get(here, {}).get(d)
        if nxt is None:
            return False
        here = nxt
    return here == goal and len(route) == route_length(graph, start, goal)


def check_route(
    sentences: Sequence[str], start: str, goal: str, route: Sequence[str],
    bank: Bank | None = None,
) -> bool:
    """True iff ``route`` (compass words) follows stated links from start to goal and is
    as short as the shortest route the text allows."""
    return route_ok(room_graph(sentences, bank), start, goal, route)
