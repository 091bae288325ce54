"""Mental rotation: Shepard-Metzler polycubes (same or mirror, which candidate matches), image
rotation angles, colored cubes turned by described steps, and cube nets.

Every answer is computed geometrically from the stored cells and matrices (canonical voxel sets
under the 24 rotations, mirror by determinant, nets by folding), never from how the generator
meant a candidate. One family builds four puzzle kinds; a template picks one with its
``render: {puzzle: ...}`` hint (see :meth:`Family.build_for`).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import numpy as np
from PIL import Image, ImageDraw
from pydantic import BaseModel, ConfigDict

from ..dsl import ProgramError, declare_type, operator
from ..dsl.types import STR, list_of
from ..geometry.cube import FACE_DIRECTIONS, canonical2, cube_nets, folds_to_cube, free_polyominoes, \
    normalize2, opposite_faces, rotate_cube_faces
from ..geometry.polycube import (canonical, is_mirror_of, is_rotation_of, mirror_cells, near_miss, normalize,
                                 random_arm_shape, rotate_cells)
from ..geometry.rotations import compose, det, proper_rotations, rotation_matrix
from ..render.scene3d import Camera3D, Primitive3D
from ..scene import Scene
from . import CheckResult, Family, register_family

STEPS = declare_type("Steps", "cube rotation steps such as 'z+90', 'x-90', 'y180'", base=list_of(STR))

PUZZLES = ("pair", "match", "angle", "cube", "net")
STEP_PHRASE = {
    "z+90": "turn it a quarter turn counter-clockwise (as seen from above)",
    "z-90": "turn it a quarter turn clockwise (as seen from above)",
    "z180": "turn it half a turn around the vertical axis",
    "x+90": "tip it towards you, so that the top face comes to the front",
    "x-90": "tip it away from you, so that the top face goes to the back",
    "x180": "flip it over front-to-back (half a turn around the left-right axis)",
    "y+90": "roll it to the right, so that the top face goes to the right",
    "y-90": "roll it to the left, so that the top face goes to the left",
    "y180": "flip it over sideways (half a turn around the front-back axis)",
}
Cells = list[tuple[int, int, int]]


class Candidate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cells: Cells
    rotation: list[list[float]]  # display rotation (identity unless the level uses free rotations)


class RotationScene(Scene):
    family: Literal["rotation"] = "rotation"
    puzzle: Literal["pair", "match", "angle", "cube", "net"]
    reference: Cells = []
    candidates: list[Candidate] = []
    quarter_turns: int = 0  # angle: image 2 is image 1 turned counter-clockwise by this many quarter turns
    grid2d: list[tuple[int, int]] = []  # angle, text modality: the 2D figure that is turned
    faces: dict[str, str] = {}  # cube: face name -> color
    net: list[tuple[int, int]] = []  # net: cells of a hexomino
    net_colors: list[str] = []
    step_axes: str = "xyz"  # cube: axes the level's rotation steps use
    step_range: tuple[int, int] = (1, 1)  # cube: fewest and most steps for the level
    camera: Camera3D | None = None


def _random_rotation(kind: str, rng: np.random.Generator) -> tuple[tuple[tuple[int, ...], ...], np.ndarray]:
    """(integer rotation baked into the cells, extra display rotation) for a level's rotation set."""
    eye = np.eye(3)
    if kind == "z90":
        return rotation_matrix("z", 90 * int(rng.integers(1, 4))), eye
    if kind == "axis90":
        return rotation_matrix("xyz"[int(rng.integers(3))], 90 * int(rng.integers(1, 4))), eye
    if kind == "two_axis":
        a, b = rng.choice(3, size=2, replace=False)
        return compose([("xyz"[int(a)], 90 * int(rng.integers(1, 4))), ("xyz"[int(b)], 90 * int(rng.integers(1, 4)))]), eye
    rots = proper_rotations()
    r = rots[int(rng.integers(len(rots)))]
    if kind == "any24":
        return r, eye
    if kind == "free":  # uniform random rotation from a random unit quaternion
        q = rng.normal(size=4)
        w, x, y, z = q / np.linalg.norm(q)
        m = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                      [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                      [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
        return r, m
    raise ValueError(f"unknown rotation set {kind!r} (z90, axis90, two_axis, any24, free)")


def _cand(cells, rng, kind: str) -> Candidate:
    r, disp = _random_rotation(kind, rng)
    return Candidate(cells=[tuple(c) for c in normalize(rotate_cells(cells, r))], rotation=np.round(disp, 12).tolist())


def _random_polyomino2(n: int, rng: np.random.Generator) -> tuple[tuple[int, int], ...]:
    """A random 2D polyomino with no rotational symmetry (so every quarter turn is visible)."""
    for _ in range(200):
        cells = {(0, 0)}
        while len(cells) < n:
            x, y = sorted(cells)[int(rng.integers(len(cells)))]
            dx, dy = ((1, 0), (-1, 0), (0, 1), (0, -1))[int(rng.integers(4))]
            cells.add((x + dx, y + dy))
        s = normalize2(cells)
        turns = [normalize2([(-y, x) for x, y in s])]
        for _ in range(2):
            turns.append(normalize2([(-y, x) for x, y in turns[-1]]))
        if all(t != s for t in turns):
            return s
    raise RuntimeError("no asymmetric polyomino found")


def _quick_near_miss(ref, rng: np.random.Generator):
    """A near miss (one end cube moved) found by random tries: ``near_miss`` canonicalises every
    possible move, which dominated build time. Whether a candidate matches is decided later by
    the operators, geometrically; this only has to be fast and usually right."""
    cells = set(map(tuple, ref))
    banned = {canonical(cells), canonical(mirror_cells(cells))}
    nbrs = ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1))
    deg = lambda c, s: sum((c[0] + d[0], c[1] + d[1], c[2] + d[2]) in s for d in nbrs)  # noqa: E731
    ends = sorted(c for c in cells if deg(c, cells) == 1)
    for _ in range(30):
        end = ends[int(rng.integers(len(ends)))]
        rest = cells - {end}
        free = sorted({(c[0] + d[0], c[1] + d[1], c[2] + d[2]) for c in rest for d in nbrs} - cells)
        f = free[int(rng.integers(len(free)))]
        if deg(f, rest) == 1:
            cand = normalize(rest | {f})
            if canonical(cand) not in banned:
                return cand
    return near_miss(ref, rng)


def rot2(cells, quarter_turns: int) -> tuple[tuple[int, int], ...]:
    """Cells (x right, y down) turned counter-clockwise on screen by quarter turns."""
    s = list(cells)
    for _ in range(quarter_turns % 4):
        s = [(y, -x) for x, y in s]  # counter-clockwise on screen, where y points down
    return normalize2(s)


def ascii2(cells) -> str:
    s = set(map(tuple, cells))
    w, h = max(c[0] for c in s) + 1, max(c[1] for c in s) + 1
    return "\n".join("".join("#" if (x, y) in s else "." for x in range(w)) for y in range(h))


@register_family
class Rotation(Family):
    name = "rotation"
    scene_type = RotationScene
    styles = ("sand", "slate", "ivory")
    text_vars = ("step_phrase", "n_candidates")
    _STYLE: ClassVar[dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]]] = {
        "sand": ((230, 222, 205), (196, 150, 90)), "slate": ((60, 66, 80), (120, 170, 230)),
        "ivory": ((250, 250, 245), (90, 130, 110))}

    def __init__(self) -> None:
        self._cache: tuple[str, str, list] | None = None

    # -- building ------------------------------------------------------------------------------------
    def build_for(self, level: int, rng: np.random.Generator, hints: dict[str, Any]) -> RotationScene:
        puzzle = hints.get("puzzle", "pair")
        if puzzle not in PUZZLES:
            raise ValueError(f"render.puzzle must be one of {', '.join(PUZZLES)}, got {puzzle!r}")
        return self._build(level, rng, puzzle, bool(hints.get("net_only", False)))

    def build(self, level: int, rng: np.random.Generator) -> RotationScene:
        return self._build(level, rng, "pair", False)

    def _build(self, level: int, rng: np.random.Generator, puzzle: str, net_only: bool) -> RotationScene:
        cfg, p = self.level(level), self.preset
        colors = list(p["colors"])
        if puzzle == "cube":
            perm = rng.permutation(len(colors))[:6]
            faces = {f: colors[int(i)] for f, i in zip(FACE_DIRECTIONS, perm)}
            return RotationScene(puzzle="cube", faces=faces, step_axes="".join(cfg["cube_axes"]),
                                 step_range=tuple(cfg["cube_steps"])).with_id()  # type: ignore[return-value]
        if puzzle == "net":
            nets = cube_nets()
            pool = nets if net_only or rng.random() < 0.5 else [h for h in free_polyominoes(6) if h not in nets]
            cells = list(pool[int(rng.integers(len(pool)))])
            for _ in range(int(rng.integers(4))):  # a random one of the 8 placements on paper
                cells = [(-y, x) for x, y in cells]
            if rng.random() < 0.5:
                cells = [(-x, y) for x, y in cells]
            perm = rng.permutation(len(colors))[:6]
            return RotationScene(puzzle="net", net=list(normalize2(cells)),
                                 net_colors=[colors[int(i)] for i in perm]).with_id()  # type: ignore[return-value]
        n = int(rng.integers(cfg["cubes"][0], cfg["cubes"][1] + 1))
        arms = int(rng.integers(cfg["arms"][0], cfg["arms"][1] + 1))
        ref = random_arm_shape(n, arms, rng, chiral=True)
        cands: list[Candidate] = []
        if puzzle == "pair":
            src = ref if rng.random() < 0.5 else mirror_cells(ref)
            cands = [_cand(src, rng, cfg["rotations"])]
        elif puzzle == "match":
            k = int(cfg["candidates"])
            pool = [ref, mirror_cells(ref)] + [_quick_near_miss(ref, rng) for _ in range(k - 2)]
            cands = [_cand(pool[int(i)], rng, cfg["rotations"]) for i in rng.permutation(k)]
        v = p["view"]
        # Every candidate has the same cells up to rotation (or one moved cube): the bounding sphere of
        # the reference's box, a little enlarged, fits them all whatever their orientation.
        radius = 0.5 * math.sqrt(sum((max(c[i] for c in ref) + 2) ** 2 for i in range(3)))
        dist = radius / math.sin(math.radians(v["yfov_deg"]) / 2)
        cam = Camera3D.orbit((0, 0, 0), dist, v["azimuth"], v["elevation"], yfov_deg=v["yfov_deg"],
                             width=p["panel"], height=p["panel"])
        scene = RotationScene(puzzle=puzzle, reference=[tuple(c) for c in ref], candidates=cands, camera=cam,
                              quarter_turns=int(rng.integers(4)) if puzzle == "angle" else 0,
                              grid2d=list(_random_polyomino2(n, rng)) if puzzle == "angle" else [])
        return scene.with_id()  # type: ignore[return-value]

    # -- text -------------------------------------------------------------------------------------------
    def describe(self, scene: RotationScene, modality: str) -> str:
        text = modality == "text"
        if scene.puzzle == "cube":
            if text:
                return "A cube has colored faces: " + ", ".join(f"{f}: {c}" for f, c in scene.faces.items()) + "."
            hidden = ", ".join(f"{f}: {scene.faces[f]}" for f in ("back", "left", "down"))
            return (f"The image shows a cube with colored faces from the front-right, above: you see its up, front "
                    f"and right faces. The hidden faces are {hidden}.")
        if scene.puzzle == "net":
            if text:
                rows = {(x, y): c for (x, y), c in zip(scene.net, scene.net_colors)}
                lines = [f"- row {y}, column {x}: {c}" for (x, y), c in sorted(rows.items(), key=lambda t: (t[0][1], t[0][0]))]
                return "Six colored squares of paper are joined edge to edge in this layout:\n" + "\n".join(lines)
            return "The image shows six colored squares of paper joined edge to edge."
        if scene.puzzle == "angle":
            if text:
                return ("Figure 1:\n" + ascii2(scene.grid2d) + "\n\nFigure 2:\n" + ascii2(rot2(scene.grid2d, scene.quarter_turns))
                        + "\n\nFigure 2 is figure 1 turned in the plane of the page ('#' marks a filled square).")
            return "The image shows two pictures side by side: the right picture is the left one turned in its plane."
        n = len(scene.candidates)
        if text:
            fmt = lambda cells: "; ".join(f"({x}, {y}, {z})" for x, y, z in cells)  # noqa: E731
            parts = [f"Shape R is made of unit cubes at: {fmt(scene.reference)}."]
            for i, c in enumerate(scene.candidates, 1):
                parts.append(f"Shape {i} is made of unit cubes at: {fmt(c.cells)}.")
            return "Each shape is a set of unit cubes given by integer (x, y, z) coordinates.\n" + "\n".join(parts)
        if n == 1:
            return "The image shows two shapes made of cubes: shape R on the left and shape 1 on the right."
        return (f"The image shows shapes made of cubes: the reference shape R in the leftmost panel, and "
                f"candidates numbered 1 to {n} in the next panels.")

    def text_context(self, scene: RotationScene) -> dict[str, Any]:
        return {"step_phrase": STEP_PHRASE, "n_candidates": len(scene.candidates)}

    # -- rendering ----------------------------------------------------------------------------------------
    def _panels_3d(self, scene: RotationScene, style: str) -> list:
        from ..render.worker import get_renderer

        bg, color = self._STYLE[style]
        assert scene.camera is not None
        r = get_renderer(scene.camera.width, scene.camera.height)
        shapes = [(scene.reference, np.eye(3).tolist())] + [(c.cells, c.rotation) for c in scene.candidates]
        outs = []
        for cells, rot in shapes:
            prim = Primitive3D(id="shape", shape="mesh_cubes", cells=tuple(map(tuple, cells)), size=1.0, color=color,
                               position=(0.0, 0.0, 0.0), rotation=tuple(tuple(r) for r in rot))
            # One object per panel: its mask is where the depth buffer was written, so the
            # segmentation pass is not needed.
            out = r.render([prim], scene.camera, background=bg, want_depth=True, want_masks=False)
            mask = out.depth > 0
            n = int(np.count_nonzero(mask))
            out.visible_pixels["shape"] = n
            out.boxes["shape"] = _mask_box(mask) if n else None
            outs.append(out)
        return outs

    def render(self, scene: RotationScene, style: str, hints: dict[str, Any]) -> list[Image.Image]:
        bg, _ = self._STYLE[style]
        if scene.puzzle == "cube":
            return [draw_cube(scene.faces, self.preset["colors"], bg, self.preset["panel"])]
        if scene.puzzle == "net":
            return [draw_net(scene.net, scene.net_colors, self.preset["colors"], bg, self.preset["panel"])]
        outs = self._panels_3d(scene, style)
        self._cache = (scene.id, style, outs)
        if scene.puzzle == "angle":
            left = outs[0].rgb
            # No panel labels here: picture 2 must be exactly picture 1 turned (checked pixel by pixel).
            return [_sheet([left, np.ascontiguousarray(np.rot90(left, scene.quarter_turns))], ["", ""])]
        labels = ["R"] + [str(i) for i in range(1, len(outs))]
        return [_sheet([o.rgb for o in outs], labels)]

    def render_checks(self, scene: RotationScene, images: list[Image.Image], style: str,
                      hints: dict[str, Any]) -> list[CheckResult]:
        px = np.asarray(images[0].convert("RGB"))
        size = self.preset["panel"]
        if scene.puzzle == "cube":
            bad = [f for f, (x, y) in cube_face_centres(size).items()
                   if tuple(px[y, x]) != tuple(self.preset["colors"][scene.faces[f]])]
            return [CheckResult("visible cube faces drawn in their colors", not bad, ", ".join(bad))]
        if scene.puzzle == "net":
            bad = [c for (x, y), c in zip(net_centres(scene.net, size), scene.net_colors)
                   if tuple(px[y, x]) != tuple(self.preset["colors"][c])]
            return [CheckResult("net squares drawn in their colors", not bad, ", ".join(bad))]
        if self._cache is not None and self._cache[:2] == (scene.id, style):
            outs = self._cache[2]
        else:
            outs = self._panels_3d(scene, style)
        checks = []
        low = [k for k, o in enumerate(outs) if o.visible_pixels.get("shape", 0) < self.preset["min_pixels"]]
        cut = [k for k, o in enumerate(outs) if o.boxes.get("shape") is None or o.boxes["shape"][0] == 0
               or o.boxes["shape"][1] == 0 or o.boxes["shape"][2] == size or o.boxes["shape"][3] == size]
        checks.append(CheckResult("every shape visible and entirely inside its panel", not low and not cut,
                                  f"small: {low}, cut: {cut}"))
        if scene.puzzle == "angle":
            left, right = px[:, :size], px[:, size + _GAP:2 * size + _GAP]
            same = np.array_equal(np.rot90(left, scene.quarter_turns), right)
            checks.append(CheckResult(f"picture 2 is picture 1 turned {90 * scene.quarter_turns} degrees counter-clockwise",
                                      same))
            diffs = [float(np.abs(np.rot90(left, k).astype(int) - left).mean()) for k in (1, 2, 3)]
            checks.append(CheckResult("picture 1 has no rotational symmetry", min(diffs) > 1.0,
                                      f"mean differences {[round(d, 2) for d in diffs]}"))
        return checks


def _mask_box(m: np.ndarray) -> list[int]:
    rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
    return [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]


# -- 2D drawings -------------------------------------------------------------------------------------------

_GAP = 6


def _sheet(panels: list[np.ndarray], labels: list[str]) -> Image.Image:
    h, w = panels[0].shape[:2]
    sheet = Image.new("RGB", (w * len(panels) + _GAP * (len(panels) - 1), h), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for k, (p, lab) in enumerate(zip(panels, labels)):
        x = k * (w + _GAP)
        sheet.paste(Image.fromarray(p), (x, 0))
        if lab:
            draw.rectangle((x, h - 22, x + 22, h), fill=(255, 255, 255))
            draw.text((x + 11, h - 11), lab, fill=(0, 0, 0), anchor="mm")
    return sheet


def _iso(size: int):
    # Isometric cube seen from the front-right, above: a = the near top corner.
    s = size * 0.4
    dx, dy = s * math.cos(math.radians(30)), s * math.sin(math.radians(30))
    ax, ay = size / 2, size / 2 - (s - 2 * dy) / 2
    top = [(ax, ay), (ax + dx, ay - dy), (ax, ay - 2 * dy), (ax - dx, ay - dy)]
    front = [(ax - dx, ay - dy), (ax, ay), (ax, ay + s), (ax - dx, ay - dy + s)]
    right = [(ax, ay), (ax + dx, ay - dy), (ax + dx, ay - dy + s), (ax, ay + s)]
    return {"up": top, "front": front, "right": right}


def cube_face_centres(size: int) -> dict[str, tuple[int, int]]:
    return {f: (int(sum(p[0] for p in q) / 4), int(sum(p[1] for p in q) / 4)) for f, q in _iso(size).items()}


def draw_cube(faces: dict[str, str], palette: dict[str, list[int]], bg, size: int) -> Image.Image:
    img = Image.new("RGB", (size, size), tuple(bg))
    draw = ImageDraw.Draw(img)
    for f, q in _iso(size).items():
        draw.polygon(q, fill=tuple(palette[faces[f]]), outline=(20, 20, 20), width=2)
    return img


def _net_layout(net, size: int):
    w, h = max(c[0] for c in net) + 1, max(c[1] for c in net) + 1
    cell = int(size * 0.85 / max(w, h))
    x0, y0 = (size - cell * w) // 2, (size - cell * h) // 2
    return cell, x0, y0


def net_centres(net, size: int) -> list[tuple[int, int]]:
    cell, x0, y0 = _net_layout(net, size)
    return [(x0 + x * cell + cell // 2, y0 + y * cell + cell // 2) for x, y in net]


def draw_net(net, colors: list[str], palette, bg, size: int) -> Image.Image:
    img = Image.new("RGB", (size, size), tuple(bg))
    draw = ImageDraw.Draw(img)
    cell, x0, y0 = _net_layout(net, size)
    for (x, y), c in zip(net, colors):
        draw.rectangle((x0 + x * cell, y0 + y * cell, x0 + (x + 1) * cell, y0 + (y + 1) * cell),
                       fill=tuple(palette[c]), outline=(20, 20, 20), width=2)
    return img


# -- operators ------------------------------------------------------------------------------------------------

def _scene(ctx) -> RotationScene:
    return ctx.scene


def _candidate(s: RotationScene, k: int) -> Candidate:
    if not 1 <= k <= len(s.candidates):
        raise ProgramError(f"no candidate {k}")
    c = s.candidates[k - 1]
    if np.linalg.det(np.asarray(c.rotation)) <= 0:
        raise ProgramError("display rotation is not proper")  # a reflection would secretly mirror the shape
    return c


@operator("same_or_mirror(k: Int) -> Str", family="rotation")
def op_same_or_mirror(ctx, k):
    """'same' if candidate k is a rotation of R, 'mirror' if it is a rotated mirror image (error otherwise)"""
    s = _scene(ctx)
    cells = _candidate(s, k).cells
    if is_rotation_of(s.reference, cells) is not None:
        return "same"
    if is_mirror_of(s.reference, cells):
        return "mirror"
    raise ProgramError(f"candidate {k} is neither a rotation nor a mirror of R")


@operator("matching_candidate() -> Int", family="rotation")
def op_matching_candidate(ctx):
    """the only candidate (1-based) that is a rotation of R (error unless exactly one)"""
    s = _scene(ctx)
    hits = [k for k in range(1, len(s.candidates) + 1) if is_rotation_of(s.reference, _candidate(s, k).cells) is not None]
    if len(hits) != 1:
        raise ProgramError(f"{len(hits)} candidates are rotations of R")
    return hits[0]


@operator("rotation_angle(direction: Str) -> Int", family="rotation")
def op_rotation_angle(ctx, direction):
    """degrees (0, 90, 180, 270) picture 2 is turned from picture 1, measured clockwise or counterclockwise"""
    q = _scene(ctx).quarter_turns % 4
    if direction == "counterclockwise":
        return 90 * q
    if direction == "clockwise":
        return (360 - 90 * q) % 360
    raise ProgramError("direction must be clockwise or counterclockwise")


@operator("face_after(steps: Steps, face: Str) -> Str", family="rotation")
def op_face_after(ctx, steps, face):
    """the color on a face (up, front, right...) after turning the cube by the steps, in order"""
    s = _scene(ctx)
    if face not in FACE_DIRECTIONS:
        raise ProgramError(f"unknown face {face!r}")
    parsed = []
    for st in steps:
        if st not in STEP_PHRASE:
            raise ProgramError(f"unknown step {st!r}")
        parsed.append((st[0], int(st[1:])))
    return str(rotate_cube_faces(s.faces, parsed)[face])


@operator("is_cube_net() -> Bool", family="rotation")
def op_is_cube_net(ctx):
    """the six squares fold into a cube"""
    return folds_to_cube(_scene(ctx).net)


@operator("opposite_color(color: Str) -> Str", family="rotation")
def op_opposite_color(ctx, color):
    """after folding the net into a cube, the color on the face opposite the given color"""
    s = _scene(ctx)
    if not folds_to_cube(s.net):
        raise ProgramError("the squares do not fold into a cube")
    col = {tuple(c): k for c, k in zip(s.net, s.net_colors)}
    if color not in s.net_colors:
        raise ProgramError(f"no {color} square")
    for a, b in opposite_faces(s.net):
        if col[a] == color:
            return col[b]
        if col[b] == color:
            return col[a]
    raise ProgramError("unreachable: every face has an opposite")  # pragma: no cover


@operator("random_steps() -> Steps", family="rotation", random=True)
def op_random_steps(ctx):
    """the level's number of rotation steps on its axes (consecutive steps use different axes)"""
    s = _scene(ctx)
    axes, (lo, hi) = s.step_axes, s.step_range
    n = int(ctx.rng.integers(lo, hi + 1))
    out: list[str] = []
    for _ in range(n):
        opts = [k for k in STEP_PHRASE if k[0] in axes and (not out or k[0] != out[-1][0])]
        out.append(opts[int(ctx.rng.integers(len(opts)))])
    return tuple(out)


@operator("random_net_color() -> Str", family="rotation", random=True)
def op_random_net_color(ctx):
    """one of the net's colors"""
    cols = _scene(ctx).net_colors
    return cols[int(ctx.rng.integers(len(cols)))]
