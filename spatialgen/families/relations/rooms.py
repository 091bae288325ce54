"""bAbI 19 style path finding: rooms on a grid, doors stated as compass relations.

"The kitchen is north of the hallway" means the two rooms are adjacent and you can walk
between them. Only stated links can be walked; the answer is a shortest route (compass words),
and any other route of the same length through stated links is equally correct.
"""

from __future__ import annotations

from collections import deque
from typing import Sequence

import numpy as np

from .bank import Bank, RouteQuery, load_bank, pick
from .story import Layout, Sentence, Story, hop_distance, name_supply, state

STEP: dict[str, tuple[int, int]] = {"north": (0, 1), "east": (1, 0), "south": (0, -1), "west": (-1, 0)}


def _links(sentences: Sequence[Sentence]) -> set[frozenset[str]]:
    return {frozenset((s.a, s.b)) for s in sentences if s.b is not None}


def _bfs_route(layout: Layout, links: set[frozenset[str]], start: str, goal: str) -> tuple[str, ...] | None:
    at = {p: n for n, p in layout.positions.items()}
    prev: dict[str, tuple[str, str] | None] = {start: None}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        if u == goal:
            route: list[str] = []
            while prev[u] is not None:
                u, d = prev[u]  # type: ignore[misc]
                route.append(d)
            return tuple(reversed(route))
        x, y = layout.positions[u]
        for d, (dx, dy) in STEP.items():
            v = at.get((x + dx, y + dy))
            if v is not None and v not in prev and frozenset((u, v)) in links:
                prev[v] = (u, d)
                queue.append(v)
    return None


def route_is_shortest(story: Story, route: Sequence[str]) -> bool:
    """Ground-truth check (layout + stated links): route is walkable and of minimal length."""
    q = story.query
    assert isinstance(q, RouteQuery)
    links = _links(story.sentences)
    at = {p: n for n, p in story.layout.positions.items()}
    here = q.start
    for d in route:
        if d not in STEP:
            return False
        x, y = story.layout.positions[here]
        nxt = at.get((x + STEP[d][0], y + STEP[d][1]))
        if nxt is None or frozenset((here, nxt)) not in links:
            return False
        here = nxt
    best = _bfs_route(story.layout, links, q.start, q.goal)
    return here == q.goal and best is not None and len(route) == len(best)


def make_room_story(
    hops: int, rng: np.random.Generator, extra_rooms: int = 0, extra_links: int = 0,
    names: Sequence[str] | None = None, bank: Bank | None = None,
) -> Story:
    """Rooms story whose queried pair is exactly ``hops`` doors apart."""
    if hops < 1:
        raise ValueError("hops must be >= 1")
    bank = bank or load_bank()
    fresh = name_supply(names or bank.names["rooms"], rng)
    for _ in range(100):  # self-avoiding walk; restart on a dead end
        cells = [(0, 0)]
        for _ in range(hops):
            x, y = cells[-1]
            free = [(x + dx, y + dy) for dx, dy in STEP.values() if (x + dx, y + dy) not in cells]
            if not free:
                break
            cells.append(pick(rng, free))
        if len(cells) == hops + 1:
            break
    else:
        raise RuntimeError("could not lay out a corridor")
    path = [next(fresh) for _ in cells]
    pos = dict(zip(path, cells))
    links = [(path[i], path[i + 1]) for i in range(hops)]
    for _ in range(extra_rooms):  # side rooms: leaves, so they never shorten the route
        anchor = pick(rng, list(pos))
        x, y = pos[anchor]
        free = [(x + dx, y + dy) for dx, dy in STEP.values() if (x + dx, y + dy) not in pos.values()]
        if free:
            room = next(fresh)
            pos[room] = pick(rng, free)
            links.append((anchor, room))
    layout = Layout(pos)
    # Extra doors between adjacent rooms make loops (alternative routes) but are kept only if
    # the queried pair stays exactly `hops` apart.
    at = {p: n for n, p in pos.items()}
    linked = {frozenset(link) for link in links}
    cands = sorted({frozenset((n, at[(x + dx, y + dy)])) for n, (x, y) in pos.items()
                    for dx, dy in STEP.values() if (x + dx, y + dy) in at} - linked, key=sorted)
    added = 0
    for i in rng.permutation(len(cands)):
        if added == extra_links:
            break
        trial = linked | {cands[int(i)]}
        if len(_bfs_route(layout, trial, path[0], path[-1]) or ()) == hops:
            linked, added = trial, added + 1
            links.append(tuple(sorted(cands[int(i)])))  # type: ignore[arg-type]
    compass = {rel: bank.compass_templates(rel) for rel in ("left", "right", "above", "below")}
    sentences = [state(u, v, layout, rng, bank, "link", compass) for u, v in links]
    start, goal = (path[0], path[-1]) if rng.integers(2) else (path[-1], path[0])
    answer = _bfs_route(layout, linked, start, goal)
    k_true = hop_distance(sentences, start, goal)
    assert answer is not None and len(answer) == k_true == hops
    question = bank.questions["route"].format(a=start, b=goal)
    order = tuple(int(i) for i in rng.permutation(len(sentences)))
    return Story("rooms", "unit", tuple(sentences), order, layout, RouteQuery(start, goal),
                 question[0].upper() + question[1:], answer, hops, k_true)


def room_level(level: int, bank: Bank | None = None) -> dict[str, int]:
    """Keyword arguments of make_room_story for a level of the ladder."""
    return dict((bank or load_bank()).levels[level]["rooms"])
