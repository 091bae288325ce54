"""Ground-truth layouts and StepGame / bAbI 17 style k-hop stories.

A story is generated from a layout (integer positions, y up); every sentence states the true
relation between two entities using a template from the paraphrase bank. The queried pair is
exactly ``k`` hops apart in the undirected graph of stated relations: noise never adds a
shortcut (checked by BFS after construction, not just assumed).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

import numpy as np

from .bank import (
    NOISE, PREDICATES, Bank, PredicateQuery, Query, RelationQuery, load_bank, pick,
)

# Generator-side reading of the labels, written out independently of deduce.OFFSET.
_SIGNS_TO_LABEL: dict[tuple[int, int], str] = {
    (-1, 0): "left", (1, 0): "right", (0, 1): "above", (0, -1): "below",
    (-1, 1): "upper-left", (1, 1): "upper-right", (-1, -1): "lower-left",
    (1, -1): "lower-right", (0, 0): "overlap",
}
# The 8 king moves; a stated StepGame relation is exactly one of these.
KING_MOVES: tuple[tuple[int, int], ...] = tuple(s for s in _SIGNS_TO_LABEL if s != (0, 0))


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


@dataclass(frozen=True)
class Layout:
    """Entity name -> integer (x, y), y pointing up."""

    positions: Mapping[str, tuple[int, int]]

    def relation(self, a: str, b: str) -> str:
        """Label of ``a`` relative to ``b`` from the signs of dx, dy (overlap when equal)."""
        (ax, ay), (bx, by) = self.positions[a], self.positions[b]
        return _SIGNS_TO_LABEL[(_sign(ax - bx), _sign(ay - by))]

    def holds(self, a: str, pred: str, b: str) -> bool:
        """One-axis predicate: left/right compare x only, above/below compare y only."""
        (ax, ay), (bx, by) = self.positions[a], self.positions[b]
        return {"left": ax < bx, "right": ax > bx, "above": ay > by, "below": ay < by}[pred]


@dataclass(frozen=True)
class Sentence:
    """One story sentence. ``rel`` is NOISE (and ``b`` None) for distractors."""

    a: str
    rel: str
    b: str | None
    template_id: str
    text: str
    role: str  # chain | support | disconnected | irrelevant | distractor | link | fact


@dataclass(frozen=True)
class Story:
    task: str  # khop | yesno | rooms | open
    semantics: str  # how the text must be read: "unit" or "qualitative" (see deduce)
    sentences: tuple[Sentence, ...]  # generation order
    order: tuple[int, ...]  # presentation order, indices into ``sentences``
    layout: Layout
    query: Query
    question: str
    answer: str | tuple[str, ...]
    k: int = 0  # requested hop count (0 where not applicable)
    k_true: int = 0  # measured shortest path between the queried pair in the sentence graph

    @property
    def texts(self) -> list[str]:
        """Sentences in presentation order: the only thing a reader (or deduce) sees."""
        return [self.sentences[i].text for i in self.order]

    @property
    def text(self) -> str:
        return " ".join(self.texts)


@dataclass(frozen=True)
class Noise:
    """Noise counts for k-hop stories (see ``levels`` in relations.yaml)."""

    supporting: int = 0  # alternative paths between chain entities, never shorter
    disconnected: int = 0  # separate short chains of fresh entities
    irrelevant: int = 0  # fresh entities hanging off the connected part
    distractors: int = 0  # non-spatial sentences


def hop_distance(sentences: Sequence[Sentence], a: str, b: str) -> int | None:
    """Shortest path between a and b in the undirected graph of stated relations."""
    adj: dict[str, set[str]] = {}
    for s in sentences:
        if s.rel != NOISE and s.b is not None:
            adj.setdefault(s.a, set()).add(s.b)
            adj.setdefault(s.b, set()).add(s.a)
    dist = {a: 0}
    queue = deque([a])
    while queue:
        u = queue.popleft()
        if u == b:
            return dist[u]
        for v in adj.get(u, ()):
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return None


def name_supply(names: Sequence[str], rng: np.random.Generator) -> Iterator[str]:
    """Fresh names in a random order; running out is a configuration error."""
    for i in rng.permutation(len(names)):
        yield names[int(i)]
    raise ValueError(f"story needs more than the {len(names)} names supplied")


def state(
    a: str, b: str, layout: Layout, rng: np.random.Generator, bank: Bank, role: str,
    templates: Mapping[str, Sequence] | None = None,
) -> Sentence:
    """A sentence stating the true relation between a and b, in a random direction of speech."""
    if rng.integers(2):
        a, b = b, a
    rel = layout.relation(a, b)
    t = pick(rng, (templates or bank.templates)[rel])
    return Sentence(a, rel, b, t.id, t.render(a, b), role)


def distractor(name: str, rng: np.random.Generator, bank: Bank) -> Sentence:
    t = pick(rng, bank.noise)
    return Sentence(name, NOISE, None, t.id, t.render(name), "distractor")


def king_walk(
    start: tuple[int, int], end: tuple[int, int], steps: int, rng: np.random.Generator,
) -> list[tuple[int, int]]:
    """Random walk of exactly ``steps`` king moves from start to end (positions after each).

    A state with r steps left and offset d to go is feasible iff max(|dx|,|dy|) <= r and not
    (d == 0 and r == 1): a single king move cannot stay in place.
    """
    def feasible(p: tuple[int, int], r: int) -> bool:
        cheb = max(abs(end[0] - p[0]), abs(end[1] - p[1]))
        return cheb <= r and not (cheb == 0 and r == 1) and (r > 0 or cheb == 0)

    if not feasible(start, steps):
        raise ValueError(f"no {steps}-step king walk from {start} to {end}")
    path, p = [], start
    for r in range(steps - 1, -1, -1):
        options = [(p[0] + dx, p[1] + dy) for dx, dy in KING_MOVES]
        options = [q for q in options if feasible(q, r)]
        p = options[int(rng.integers(len(options)))]
        path.append(p)
    return path


def _build_khop(
    k: int, noise: Noise, rng: np.random.Generator, names: Sequence[str], bank: Bank,
) -> tuple[list[Sentence], Layout, list[str]]:
    fresh = name_supply(names, rng)
    pos: dict[str, tuple[int, int]] = {}
    links: list[tuple[str, str, str]] = []  # (u, v, role); direction of speech chosen later

    chain = [next(fresh)]
    pos[chain[0]] = (0, 0)
    for _ in range(k):
        dx, dy = pick(rng, KING_MOVES)
        x, y = pos[chain[-1]]
        chain.append(next(fresh))
        pos[chain[-1]] = (x + dx, y + dy)
        links.append((chain[-2], chain[-1], "chain"))
    connected = list(chain)

    for _ in range(noise.supporting if k >= 1 else 0):
        # Detour between chain[i] and chain[j] of length >= j - i: by the triangle inequality
        # along the chain, no route through detours can beat k. Length >= 2 so it adds entities.
        i = int(rng.integers(k))
        j = int(rng.integers(i + 1, min(k, i + 3) + 1))
        length = max(2, j - i + int(rng.integers(2)))
        prev = chain[i]
        for p in king_walk(pos[chain[i]], pos[chain[j]], length, rng)[:-1]:
            node = next(fresh)
            pos[node] = p
            links.append((prev, node, "support"))
            connected.append(node)
            prev = node
        links.append((prev, chain[j], "support"))

    for _ in range(noise.disconnected):
        # Fresh entities only: no sentence touches the connected part.
        prev = next(fresh)
        pos[prev] = (int(rng.integers(-6, 7)), int(rng.integers(-6, 7)))
        for _ in range(1 + int(rng.integers(2))):
            dx, dy = pick(rng, KING_MOVES)
            node = next(fresh)
            pos[node] = (pos[prev][0] + dx, pos[prev][1] + dy)
            links.append((prev, node, "disconnected"))
            prev = node

    for _ in range(noise.irrelevant):
        # A leaf: it has one neighbour, so it lies on no shortest path between other nodes.
        anchor = pick(rng, connected)
        dx, dy = pick(rng, KING_MOVES)
        node = next(fresh)
        pos[node] = (pos[anchor][0] + dx, pos[anchor][1] + dy)
        links.append((anchor, node, "irrelevant"))

    layout = Layout(pos)
    sentences = [state(u, v, layout, rng, bank, role) for u, v, role in links]
    everyone = list(pos)
    sentences += [distractor(pick(rng, everyone), rng, bank) for _ in range(noise.distractors)]
    return sentences, layout, chain


def _khop_common(
    k: int, noise: Noise, rng: np.random.Generator, names: Sequence[str] | None,
    bank: Bank | None,
) -> tuple[Bank, list[Sentence], Layout, str, str, int, tuple[int, ...]]:
    if k < 1:
        raise ValueError("k must be >= 1")
    bank = bank or load_bank()
    sentences, layout, chain = _build_khop(k, noise, rng, names or bank.names["letters"], bank)
    head, tail = (chain[0], chain[-1]) if rng.integers(2) else (chain[-1], chain[0])
    k_true = hop_distance(sentences, head, tail)
    if k_true != k:  # construction guarantees this; a failure is a bug, never a record
        raise AssertionError(f"queried pair is {k_true} hops apart, wanted {k}")
    order = tuple(int(i) for i in rng.permutation(len(sentences)))
    return bank, sentences, layout, head, tail, k_true, order


def make_khop_story(
    k: int, noise: Noise, rng: np.random.Generator, names: Sequence[str] | None = None,
    bank: Bank | None = None,
) -> Story:
    """StepGame-style story: "What is the relation of head to tail?" (9 labels)."""
    bank, sentences, layout, head, tail, k_true, order = _khop_common(k, noise, rng, names, bank)
    q = RelationQuery(head, tail)
    question = bank.questions["relation"].format(a=head, b=tail)
    return Story("khop", "unit", tuple(sentences), order, layout, q,
                 question[0].upper() + question[1:], layout.relation(head, tail), k, k_true)


def make_yesno_story(
    k: int, noise: Noise, rng: np.random.Generator, names: Sequence[str] | None = None,
    bank: Bank | None = None,
) -> Story:
    """bAbI 17 style: "Is head to the left of tail?" -> yes/no (x-only or y-only predicate)."""
    bank, sentences, layout, head, tail, k_true, order = _khop_common(k, noise, rng, names, bank)
    pred = pick(rng, PREDICATES)
    q = PredicateQuery(head, pred, tail)
    question = bank.questions["predicate"][pred].format(a=head, b=tail)
    answer = "yes" if layout.holds(head, pred, tail) else "no"
    return Story("yesno", "unit", tuple(sentences), order, layout, q,
                 question[0].upper() + question[1:], answer, k, k_true)


def khop_level(level: int, bank: Bank | None = None) -> tuple[int, Noise]:
    """(k, Noise) for a level of the ladder in relations.yaml."""
    cfg = dict((bank or load_bank()).levels[level]["khop"])
    k = cfg.pop("k")
    return k, Noise(**cfg)
