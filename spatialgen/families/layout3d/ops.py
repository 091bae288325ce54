"""Program operators of the layout3d family (deterministic ones, then random parameter domains)."""

from __future__ import annotations

import math

import numpy as np

from ...dsl import ProgramError, operator
from .scene import (
    ATTRS, RELATIONS, Layout3DScene, follow_step, frame_status, holds, map_cells, matches, noun_text,
    parse_noun,
)


def _scene(ctx) -> Layout3DScene:
    return ctx.scene


# -- operators ----------------------------------------------------------------------------------------------

@operator("objects() -> List[Obj]", family="layout3d")
def op_objects(ctx):
    """every object in the scene"""
    return tuple(o.id for o in _scene(ctx).objects)


@operator("name(a: Obj) -> Str", family="layout3d")
def op_name(ctx, a):
    """the shortest description that singles the object out (e.g. 'red cube')"""
    return _scene(ctx).obj(a).name


@operator("attribute(a: Obj, attr: Str) -> Str", family="layout3d")
def op_attribute(ctx, a, attr):
    """the object's size, color, material or shape"""
    if attr not in ATTRS:
        raise ProgramError(f"attr must be one of {', '.join(ATTRS)}")
    return _scene(ctx).obj(a).attr(attr)


@operator("same_attribute(a: Obj, b: Obj, attr: Str) -> Bool", family="layout3d")
def op_same_attribute(ctx, a, b, attr):
    """a and b share the attribute"""
    return op_attribute(ctx, a, attr) == op_attribute(ctx, b, attr)


@operator("relate(a: Obj, b: Obj, rel: Str) -> Bool", family="layout3d")
def op_relate(ctx, a, b, rel):
    """a is left/right/front/behind b in image 1's camera frame (error inside the margin)"""
    s = _scene(ctx)
    return holds(s, s.obj(a), s.obj(b), rel)


@operator("closer_to_camera(a: Obj, b: Obj) -> Bool", family="layout3d")
def op_closer(ctx, a, b):
    """a's centre has a smaller depth than b's in image 1 (error inside the margin)"""
    s = _scene(ctx)
    cam = s.views[0].camera
    _, d = cam.project(np.stack([s.obj(a).center(), s.obj(b).center()]))
    if abs(d[0] - d[1]) < s.margins["depth"]:
        raise ProgramError("depths too similar")
    return bool(d[0] < d[1])


@operator("higher(a: Obj, b: Obj) -> Bool", family="layout3d")
def op_higher(ctx, a, b):
    """a's top is higher above the floor than b's (error inside the margin)"""
    s = _scene(ctx)
    ta, tb = s.obj(a).top, s.obj(b).top
    if abs(ta - tb) < s.margins["height"]:
        raise ProgramError("tops at similar heights")
    return ta > tb


@operator("extreme(a: Obj, which: Str) -> Obj", family="layout3d")
def op_extreme(ctx, a, which):
    """the object nearest to (which='nearest') or farthest from (which='farthest') a, centre to centre"""
    s = _scene(ctx)
    if which not in ("nearest", "farthest"):
        raise ProgramError("which must be nearest or farthest")
    ca = s.obj(a).center()
    ranked = sorted((float(np.linalg.norm(o.center() - ca)), o.id) for o in s.objects if o.id != a)
    if which == "farthest":
        ranked = ranked[::-1]
    if len(ranked) < 2 or abs(ranked[0][0] - ranked[1][0]) < s.margins["distance"]:
        raise ProgramError("no clear nearest/farthest object")
    return ranked[0][1]


@operator("count_matching(noun: Str) -> Int", family="layout3d")
def op_count_matching(ctx, noun):
    """how many objects match a noun such as 'red cubes' or 'metal objects'"""
    f = parse_noun(noun)
    return sum(matches(o, f) for o in _scene(ctx).objects)


@operator("count_related(noun: Str, rel: Str, anchor: Obj) -> Int", family="layout3d")
def op_count_related(ctx, noun, rel, anchor):
    """how many objects matching noun are rel of anchor (anchor itself excluded)"""
    s = _scene(ctx)
    f, b = parse_noun(noun), s.obj(anchor)
    return sum(holds(s, o, b, rel) for o in s.objects if o.id != anchor and matches(o, f))


@operator("follow(start: Obj, chain: Chain) -> Obj", family="layout3d")
def op_follow(ctx, start, chain):
    """the object reached by relation hops: each hop [rel, noun] takes the unique noun that is rel of the current one"""
    s = _scene(ctx)
    cur = s.obj(start)
    for rel, noun in chain:
        cur = follow_step(s, cur, rel, noun)
    return cur.id


@operator("max_hops() -> Int", family="layout3d")
def op_max_hops(ctx):
    """longest relation chain for this level"""
    return _scene(ctx).max_hops


@operator("marked() -> Obj", family="layout3d")
def op_marked(ctx):
    """the object with a front knob"""
    mk = _scene(ctx).marked()
    if mk is None:
        raise ProgramError("no object is marked")
    return mk.id


@operator("facing_side(a: Obj) -> Str", family="layout3d")
def op_facing_side(ctx, a):
    """where a is from the marked object's own point of view: front, behind, left or right"""
    s = _scene(ctx)
    mk = s.obj(op_marked(ctx))
    yaw = math.radians(mk.yaw)
    d = s.obj(a).center()[:2] - mk.center()[:2]
    ang = math.degrees(math.atan2(d @ [-math.sin(yaw), math.cos(yaw)], d @ [math.cos(yaw), math.sin(yaw)]))
    edge = min(abs(abs(ang) - 45), abs(abs(ang) - 135))
    if edge < s.margins["side_deg"]:
        raise ProgramError("direction too close to a sector boundary")
    if abs(ang) < 45:
        return "front"
    if abs(ang) > 135:
        return "behind"
    return "left" if ang > 0 else "right"


@operator("perspective_side(a: Obj, b: Obj, c: Obj) -> Str", family="layout3d")
def op_perspective_side(ctx, a, b, c):
    """standing at a and looking at b, is c on the 'left' or the 'right'"""
    s = _scene(ctx)
    if len({a, b, c}) < 3:
        raise ProgramError("perspective needs three different objects")
    pa, pb, pc = (s.obj(x).center()[:2] for x in (a, b, c))
    f, d = pb - pa, pc - pa
    if np.linalg.norm(f) < 1e-9:  # a stacked pair: no viewing direction on the ground
        raise ProgramError("a and b stand on the same spot")
    cross = (f[0] * d[1] - f[1] * d[0]) / np.linalg.norm(f)
    if abs(cross) < s.margins["relation"]:
        raise ProgramError("c is almost straight ahead or behind")
    return "left" if cross > 0 else "right"


@operator("n_views() -> Int", family="layout3d")
def op_n_views(ctx):
    """number of camera views"""
    return len(_scene(ctx).views)


@operator("hidden_in_view(k: Int) -> Obj", family="layout3d")
def op_hidden_in_view(ctx, k):
    """the one object entirely outside image k (1-based) while all others are entirely inside"""
    s = _scene(ctx)
    if not 1 <= k <= len(s.views):
        raise ProgramError(f"no image {k}")
    status = {o.id: frame_status(o, s.views[k - 1].camera) for o in s.objects}
    out = [o for o, st in status.items() if st == "out"]
    if len(out) != 1 or any(st == "partial" for st in status.values()):
        raise ProgramError(f"image {k} does not hide exactly one object")
    return out[0]


@operator("behind_view() -> Int", family="layout3d")
def op_behind_view(ctx):
    """the image (1-based) taken from the side opposite image 1 (>= 150 degrees away; others <= 120)"""
    s = _scene(ctx)
    _, f0 = s.ground_axes(0)
    angles = [math.degrees(math.acos(float(np.clip(s.ground_axes(k)[1] @ f0, -1, 1)))) for k in range(1, len(s.views))]
    far = [k + 2 for k, a in enumerate(angles) if a >= 150]
    if len(far) != 1 or any(120 < a < 150 for a in angles):
        raise ProgramError("no single image taken from the opposite side")
    return far[0]


@operator("image_label(k: Int) -> Str", family="layout3d")
def op_image_label(ctx, k):
    """'image k'"""
    return f"image {k}"


@operator("cognitive_map() -> ObjMap", family="layout3d")
def op_cognitive_map(ctx):
    """each object's [row, col] on a top-down grid (row 0 far from camera 1, column 0 on its left)"""
    return tuple(sorted(map_cells(_scene(ctx)).items()))


def _map_hits(ctx, response, tol) -> tuple[int, int]:
    gold = map_cells(_scene(ctx))
    got = {str(k): v for k, v in response}
    hits = sum(1 for name, (r, c) in gold.items()
               if name in got and max(abs(got[name][0] - r), abs(got[name][1] - c)) <= tol)
    return hits, len(gold)


@operator("map_match(response: ObjMap, tol: Int) -> Bool", family="layout3d")
def op_map_match(ctx, response, tol):
    """every object is placed within tol cells (rows and columns) of its true cell"""
    hits, total = _map_hits(ctx, response, tol)
    return hits == total


@operator("map_score(response: ObjMap, tol: Int) -> Float", family="layout3d")
def op_map_score(ctx, response, tol):
    """fraction of objects placed within tol cells of their true cell"""
    hits, total = _map_hits(ctx, response, tol)
    return hits / total


# -- random operators (parameter domains) ---------------------------------------------------------------------

def _pick(ctx, items):
    if not items:
        raise ProgramError("nothing to choose from")
    return items[int(ctx.rng.integers(len(items)))]


@operator("random_object() -> Obj", family="layout3d", random=True)
def op_random_object(ctx):
    """an object chosen uniformly"""
    return _pick(ctx, [o.id for o in _scene(ctx).objects])


@operator("random_other(exclude: List[Obj]) -> Obj", family="layout3d", random=True)
def op_random_other(ctx, exclude):
    """an object not in exclude"""
    return _pick(ctx, [o.id for o in _scene(ctx).objects if o.id not in exclude])


@operator("random_noun(plural: Bool) -> Str", family="layout3d", random=True)
def op_random_noun(ctx, plural):
    """a filter such as 'red cubes' or 'metal objects' built from an existing object's attributes"""
    o = _scene(ctx).obj(op_random_object(ctx))
    keys = _pick(ctx, [("shape",), ("color",), ("size",), ("material",), ("color", "shape"), ("material", "shape"),
                       ("size", "color"), ("size", "shape")])
    return noun_text({k: o.attr(k) for k in keys}, plural)


@operator("other_names(exclude: List[Obj]) -> List[Str]", family="layout3d", random=True)
def op_other_names(ctx, exclude):
    """names of the objects not in exclude, shuffled"""
    names = [o.name for o in _scene(ctx).objects if o.id not in exclude]
    return tuple(names[i] for i in ctx.rng.permutation(len(names)))


@operator("other_image_labels(k: Int) -> List[Str]", family="layout3d", random=True)
def op_other_image_labels(ctx, k):
    """'image j' for every image j except k, shuffled"""
    labels = [f"image {j}" for j in range(1, len(_scene(ctx).views) + 1) if j != k]
    return tuple(labels[i] for i in ctx.rng.permutation(len(labels)))


@operator("random_chain(start: Obj, hops: Int, avoid: Str) -> Chain", family="layout3d", random=True)
def op_random_chain(ctx, start, hops, avoid):
    """relation hops from start, each leading to a unique object; nouns never use attribute avoid"""
    s = _scene(ctx)
    cur, chain, seen = s.obj(start), [], {start}
    for _ in range(hops):
        options = []
        for rel in RELATIONS:
            for keys in (("shape",), ("color",), ("size",), ("material",), ("color", "shape"), ("size", "shape"),
                         ("material", "shape"), ("size", "color")):
                if avoid in keys:
                    continue
                for o in s.objects:
                    if o.id in seen:
                        continue
                    noun = noun_text({k: o.attr(k) for k in keys}, plural=False)
                    try:
                        if follow_step(s, cur, rel, noun).id == o.id:
                            options.append((rel, noun, o.id))
                    except ProgramError:
                        pass
        if not options:
            raise ProgramError("no unambiguous relation hop from here")
        rel, noun, nxt = _pick(ctx, sorted(set(options)))
        chain.append((rel, noun))
        seen.add(nxt)
        cur = s.obj(nxt)
    return tuple(chain)
