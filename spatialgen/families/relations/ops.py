"""Program operators of the relations family.

Two independent ways to an answer: ``truth`` and ``truth_route`` read the ground-truth layout
(and, for open-world stories, the stated triples through a Bellman-Ford feasibility test), while
``deduced`` and ``route_ok_by_text`` read only the sentence *texts* through the paraphrase parser
and the constraint solver in ``deduce``. Templates require the two to agree.
"""

from __future__ import annotations

from ...dsl import ProgramError, operator
from . import deduce
from .bank import RouteQuery
from .openworld import GroundTruth
from .rooms import STEP, _bfs_route, _links
from .scene import RelationsScene
from .story import hop_distance


def _scene(ctx) -> RelationsScene:
    return ctx.scene


@operator("truth() -> Str", family="relations")
def op_truth(ctx):
    """the answer to the story's question computed from the ground-truth layout: a relation
    label, yes/no, an object, or 'cannot be determined' (open-world stories)"""
    s = _scene(ctx)
    q = s.query.to_query()
    if isinstance(q, RouteQuery):
        raise ProgramError("route questions are answered by truth_route()")
    if s.story == "open":
        facts = [(x.a, x.rel, x.b) for x in s.sentences if x.b is not None]
        return GroundTruth(facts, list(s.positions)).answer(q)
    layout = s.layout()
    if s.query.kind == "relation":
        return layout.relation(q.a, q.b)
    if s.query.kind == "predicate":
        return "yes" if layout.holds(q.a, q.pred, q.b) else "no"
    raise ProgramError(f"unsupported query kind {s.query.kind!r} for a {s.story} story")


@operator("deduced() -> Str", family="relations")
def op_deduced(ctx):
    """what the sentence texts alone entail for the question (independent of the layout)"""
    s = _scene(ctx)
    try:
        return ctx.memo("deduced", lambda: deduce.entails(s.texts, s.query.to_query(), s.semantics))
    except (deduce.ParseError, deduce.InconsistentStory, ValueError) as e:
        raise ProgramError(f"the story text does not support a deduction: {e}") from None


@operator("truth_route() -> CompassMoves", family="relations")
def op_truth_route(ctx):
    """a shortest route (compass steps) through the stated doors, from the ground-truth layout"""
    s = _scene(ctx)
    if s.query.kind != "route":
        raise ProgramError("truth_route() needs a rooms story")
    route = _bfs_route(s.layout(), _links(s.story_sentences()), s.query.a, s.query.b)
    if route is None:
        raise ProgramError("the goal cannot be reached through the stated doors")
    return route


@operator("route_ok(route: CompassMoves) -> Bool", family="relations")
def op_route_ok(ctx, route):
    """route walks through stated doors on the ground-truth layout from start to goal, with no
    shorter route possible"""
    s = _scene(ctx)
    if s.query.kind != "route":
        raise ProgramError("route_ok() needs a rooms story")
    layout, links = s.layout(), _links(s.story_sentences())
    at = {tuple(p): n for n, p in layout.positions.items()}
    here = s.query.a
    for d in route:
        if d not in STEP:
            return False
        x, y = layout.positions[here]
        nxt = at.get((x + STEP[d][0], y + STEP[d][1]))
        if nxt is None or frozenset((here, nxt)) not in links:
            return False
        here = nxt
    best = op_truth_route(ctx)
    return here == s.query.b and len(route) == len(best)


@operator("route_ok_by_text(route: CompassMoves) -> Bool", family="relations")
def op_route_ok_by_text(ctx, route):
    """route is a shortest route through the doors the sentence texts state (text only)"""
    s = _scene(ctx)
    try:
        return deduce.check_route(s.texts, s.query.a, s.query.b, route)
    except (deduce.ParseError, deduce.InconsistentStory) as e:
        raise ProgramError(f"the story text does not support a deduction: {e}") from None


@operator("hops() -> Int", family="relations")
def op_hops(ctx):
    """shortest chain of stated relations between the two entities the question names"""
    s = _scene(ctx)
    d = hop_distance(s.story_sentences(), s.query.a, s.query.b)
    if d is None:
        raise ProgramError("the two entities are not connected by stated relations")
    return d


@operator("requested_hops() -> Int", family="relations")
def op_requested_hops(ctx):
    """the hop count the level asked for (k)"""
    return _scene(ctx).k
