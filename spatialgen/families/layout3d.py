"""3D object layouts (CLEVR-like): scene builder, relations with ambiguity margins, rendering
through the shared offscreen renderer, visibility checks from the instance mask, and operators.

World frame: ground z = 0, up +z. Camera-frame relations use image 1's camera projected onto the
ground: *right* is the camera's right axis, *behind* is the camera's forward axis (away from the
viewer). A relation closer to its boundary than the preset margin raises :class:`ProgramError`,
so the sampler never asks it; the family's perturbation check then re-asks every question on
slightly jittered copies of the scene.
"""

from __future__ import annotations

import io
import json
import math
from typing import Any, ClassVar, Literal, NamedTuple

import numpy as np
from PIL import Image, ImageDraw
from pydantic import BaseModel, ConfigDict
import shapely
from shapely.geometry import Point, Polygon, box as shapely_box

from ..dsl import ProgramError, declare_type, operator
from ..dsl.types import STR, list_of
from ..render.meshes3d import silhouette_points, world_vertices
from ..render.scene3d import Camera3D, DirectionalLight3D, Lighting3D, Primitive3D
from ..scene import Scene
from . import CheckResult, Family, register_family

OBJ = declare_type("Obj", "an object of a 3D layout (its id)", base=STR)
CHAIN = declare_type("Chain", "relation hops [relation, noun] from an object", base=list_of(list_of(STR)))

RELATIONS = ("left", "right", "front", "behind")
REL_PHRASE = {"left": "to the left of", "right": "to the right of", "front": "in front of", "behind": "behind"}
PLURAL = {"cube": "cubes", "sphere": "spheres", "cylinder": "cylinders", "cone": "cones", "torus": "tori"}
SINGULAR = {v: k for k, v in PLURAL.items()}
ATTRS = ("size", "color", "material", "shape")
# Shortest-first attribute sets used to name an object uniquely ("red cube" before "large red cube").
NAMINGS = (("shape",), ("color", "shape"), ("size", "shape"), ("material", "shape"), ("size", "color", "shape"),
           ("color", "material", "shape"), ("size", "material", "shape"), ("size", "color", "material", "shape"))
KNOB = "knob"
KNOB_PIXELS = 12  # the knob must cover at least this many pixels in image 1
MARKABLE = ("cube", "cylinder", "sphere")
SUPPORTS = ("cube", "cylinder")


class Obj3D(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    shape: str
    size: str
    color: str
    material: Literal["rubber", "metal"]
    extent: float
    x: float
    y: float
    z: float = 0.0  # bottom height: 0 on the ground, the supporter's top when stacked
    yaw: float = 0.0  # degrees about +z; the front of a marked object points along yaw
    on: str | None = None
    marked: bool = False
    name: str = ""

    @property
    def height(self) -> float:
        return self.extent * (0.3 if self.shape == "torus" else 1.0)

    @property
    def top(self) -> float:
        return self.z + self.height

    def center(self) -> np.ndarray:
        return np.array([self.x, self.y, self.z + self.height / 2])

    def attr(self, name: str) -> str:
        return str(getattr(self, name))


class View(BaseModel):
    """One camera; K and world_to_camera (OpenCV frame: x right, y down, z forward) are stored
    beside the pose so consumers of the scene graph need not re-derive them."""

    model_config = ConfigDict(extra="forbid")

    camera: Camera3D
    K: list[list[float]]
    world_to_camera: list[list[float]]

    @classmethod
    def of(cls, camera: Camera3D) -> "View":
        return cls(camera=camera, K=camera.intrinsic_matrix(), world_to_camera=camera.extrinsic())


class Layout3DScene(Scene):
    family: Literal["layout3d"] = "layout3d"
    objects: list[Obj3D]
    views: list[View]
    margins: dict[str, float]
    grid: int
    area: float
    max_hops: int
    min_pixels: int
    max_occlusion: float

    def obj(self, oid: str) -> Obj3D:
        for o in self.objects:
            if o.id == oid:
                return o
        raise ProgramError(f"no object {oid!r} in this scene")

    def ground_axes(self, view: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(right, forward) unit vectors of a camera, projected on the ground plane."""
        cam = self.views[view].camera
        fwd = np.subtract(cam.look_at, cam.position)[:2].astype(float)
        fwd /= np.linalg.norm(fwd)
        return np.array([fwd[1], -fwd[0]]), fwd

    def marked(self) -> Obj3D | None:
        return next((o for o in self.objects if o.marked), None)


class Projected(NamedTuple):
    """A primitive seen by one camera: convex hull of its projected vertices (None if fewer than 3 lie
    in front of the camera), that hull clipped to the image, the vertices' depth range, and whether
    the mesh is convex (its silhouette is then the whole hull)."""

    hull: Any
    clip: Any
    zmin: float
    zmax: float
    convex: bool


# -- geometry helpers ---------------------------------------------------------------------------------

def footprint(o: Obj3D) -> Polygon:
    if o.shape == "cube":
        h = o.extent / 2
        a = math.radians(o.yaw)
        c, s = math.cos(a), math.sin(a)
        pts = [(o.x + c * u - s * v, o.y + s * u + c * v) for u, v in ((-h, -h), (h, -h), (h, h), (-h, h))]
        return Polygon(pts)
    return Point(o.x, o.y).buffer(o.extent / 2, quad_segs=8)


def knob_primitive(o: Obj3D) -> Primitive3D:
    a = math.radians(o.yaw)
    r = o.extent / 2
    k = 0.28 * o.extent
    c = o.center()
    return Primitive3D(id=KNOB, shape="sphere", size=k, color=(240, 240, 240), material="rubber",
                       position=(float(c[0] + math.cos(a) * (r + 0.25 * k)), float(c[1] + math.sin(a) * (r + 0.25 * k)),
                                 float(c[2])))


def corners(o: Obj3D) -> np.ndarray:
    """Corners of a box containing the object (and its knob): for frustum tests."""
    r = o.extent / 2 * (math.sqrt(2) if o.shape == "cube" else 1.0) + (0.3 * o.extent if o.marked else 0.0)
    xs, ys, zs = (o.x - r, o.x + r), (o.y - r, o.y + r), (o.z, o.top)
    return np.array([(x, y, z) for x in xs for y in ys for z in zs])


def frame_status(o: Obj3D, cam: Camera3D) -> str:
    """'in' (entirely inside the image), 'out' (entirely outside) or 'partial'."""
    uv, depth = cam.project(corners(o))
    inside = (depth > 0) & (uv[:, 0] >= 0) & (uv[:, 0] <= cam.width) & (uv[:, 1] >= 0) & (uv[:, 1] <= cam.height)
    if inside.all():
        return "in"
    if depth.max() <= 0 or (uv[:, 0] < 0).all() or (uv[:, 0] > cam.width).all() \
            or (uv[:, 1] < 0).all() or (uv[:, 1] > cam.height).all():
        return "out"
    return "partial"


def _signed_distances(poly, pts: np.ndarray) -> np.ndarray:
    """Distance of each point inside a convex polygon's edges (min over edges; negative = outside)."""
    c = np.asarray(poly.exterior.coords)[:-1]
    if len(c) < 3:
        return np.full(len(pts), -np.inf)
    e = np.roll(c, -1, axis=0) - c
    n = np.linalg.norm(e, axis=1)
    keep = n > 1e-12
    c, e, n = c[keep], e[keep], n[keep]
    sign = 1.0 if float(np.sum(c[:, 0] * np.roll(c[:, 1], -1) - np.roll(c[:, 0], -1) * c[:, 1])) > 0 else -1.0
    d = (e[None, :, 0] * (pts[:, None, 1] - c[None, :, 1]) - e[None, :, 1] * (pts[:, None, 0] - c[None, :, 0])) / n
    return (sign * d).min(axis=1)


def _visible_bound(clip, occluders: list, eps: float = 0.01) -> float:
    """Upper bound on the pixel centres (i + 0.5, j + 0.5) an object can own in an instance mask: those
    inside its convex outline ``clip`` (widened by ``eps`` px for the rasteriser's float error) and not
    strictly inside (by ``eps``) the convex outline of an object that is entirely nearer."""
    if clip.geom_type != "Polygon" or clip.is_empty:
        return math.inf  # degenerate outline: no bound
    x0, y0, x1, y1 = clip.bounds
    us = np.arange(math.floor(x0 - eps - 0.5), math.ceil(x1 + eps)) + 0.5
    vs = np.arange(math.floor(y0 - eps - 0.5), math.ceil(y1 + eps)) + 0.5
    pts = np.stack(np.meshgrid(us, vs), axis=-1).reshape(-1, 2)
    pts = pts[_signed_distances(clip, pts) >= -eps]
    for h in occluders:
        if len(pts) == 0:
            break
        if h.geom_type == "Polygon":
            pts = pts[_signed_distances(h, pts) <= eps]
    return float(len(pts))


def fit_camera(points: np.ndarray, look_at: np.ndarray, azimuth: float, elevation: float, yfov: float,
               width: int, height: int, fill: float = 0.86) -> Camera3D:
    """The closest orbit camera (fixed direction) that keeps every point inside ``fill`` of the image.
    Closed form: moving the camera along its axis changes only each point's depth."""
    probe = Camera3D.orbit(look_at, 10.0, azimuth, elevation, yfov_deg=yfov, width=width, height=height)
    pc = probe.to_camera(points)
    k = probe.intrinsics()
    limx, limy = fill * k["cx"] / k["fx"], fill * k["cy"] / k["fy"]
    z_rel = pc[:, 2] - 10.0  # depth relative to the look-at point
    need = np.maximum(np.abs(pc[:, 0]) / limx, np.abs(pc[:, 1]) / limy) - z_rel
    dist = float(max(need.max(), 2.0))
    return Camera3D.orbit(look_at, dist, azimuth, elevation, yfov_deg=yfov, width=width, height=height)


# -- the family ------------------------------------------------------------------------------------------

STYLES = {  # background, floor (unused: see _render_views), light intensity scale
    "studio": ((205, 205, 210), (160, 160, 165), 1.0),
    "warm": ((215, 200, 180), (170, 150, 125), 1.1),
    "cool": ((175, 190, 210), (130, 140, 155), 0.9),
}


@register_family
class Layout3D(Family):
    name = "layout3d"
    scene_type = Layout3DScene
    styles = tuple(STYLES)
    text_vars = ("names", "rel_phrase", "grid", "n_views", "marked", "n_objects")
    perturbations = 3

    def __init__(self) -> None:
        self._cache: tuple[str, str, list] | None = None
        self._vis: tuple[tuple[str, str], list] | None = None
        self._proj: tuple[str, list] | None = None

    # -- building ----------------------------------------------------------------------------------
    def build_for(self, level: int, rng: np.random.Generator, hints: dict[str, Any]) -> Layout3DScene:
        views = int(self.level(level)["views"]) if hints.get("multiview") else 1
        return self.build(level, rng, views)

    def build(self, level: int, rng: np.random.Generator, views: int = 1) -> Layout3DScene:  # type: ignore[override]
        cfg, p = self.level(level), self.preset
        # Multiview scenes also need a camera that hides exactly one object (a geometric search,
        # feasible for roughly a quarter of random layouts): allow more tries; each is a few ms.
        for _ in range(40 if views == 1 else 200):
            scene = self._try_build(cfg, p, rng, views)
            if scene is not None:
                return scene.with_id()  # type: ignore[return-value]
        raise RuntimeError(f"layout3d level {level}: could not place the objects without overlap"
                           + (" and frame image 2 to hide exactly one of them" if views > 1 else "")
                           + "; raise 'area' or lower 'objects' in scenes/layout3d.yaml")

    def _try_build(self, cfg, p, rng: np.random.Generator, n_views: int) -> Layout3DScene | None:
        n = int(rng.integers(cfg["objects"][0], cfg["objects"][1] + 1))
        area, gap = float(cfg["area"]), float(cfg["gap"])
        azimuth = float(rng.uniform(0, 360))
        elevation = float(rng.uniform(*cfg["elevation"]))
        objs: list[Obj3D] = []
        prints: list[Polygon] = []
        for i in range(n):
            attrs = self._draw_attrs(objs, cfg, p, rng)
            if attrs is None:
                return None
            ext = float(p["sizes"][attrs["size"]])
            stacked = self._try_stack(objs, attrs, ext, cfg, rng, i)
            if stacked is not None:
                objs.append(stacked)
                continue
            for _ in range(60):
                o = Obj3D(id=f"o{i}", extent=ext, x=float(rng.uniform(-area, area)), y=float(rng.uniform(-area, area)),
                          yaw=float(rng.uniform(0, 360)), **attrs)
                fp = footprint(o)
                if all(fp.distance(q) >= gap for q in prints):
                    objs.append(o)
                    prints.append(fp)
                    break
            else:
                return None
        if not self._mark(objs, prints, azimuth, gap, rng):
            return None
        objs = _name_objects(objs)
        w, h = p["image"]
        pts = np.concatenate([corners(o) for o in objs])
        look = np.array([(pts[:, 0].min() + pts[:, 0].max()) / 2, (pts[:, 1].min() + pts[:, 1].max()) / 2, 0.4])
        cams = [fit_camera(pts, look, azimuth, elevation, p["yfov_deg"], w, h)]
        offsets = list(rng.permutation([90.0, 180.0, 270.0]))
        for k in range(1, n_views):
            az = azimuth + offsets[k - 1] + float(rng.uniform(-15, 15))
            el = float(rng.uniform(*cfg["elevation"]))
            if k == 1:
                # Image 2 frames every object but one, which lies entirely outside the frame with a
                # margin (what hidden_in_view(2) asks). Not every scene and direction allow that: then
                # build another scene rather than hand the sampler one whose question cannot work.
                base, jitter = azimuth + offsets[k - 1], az - azimuth - offsets[k - 1]
                spread = 25.0 if offsets[k - 1] != 180.0 else 28.0  # keeps behind_view's 120/150 degree gap
                tries = [jitter] + [j for j in (jitter - 10, jitter + 10, jitter - 20, jitter + 20, 0.0) if abs(j) <= spread]
                cam = _camera_hiding_one(objs, [base + j for j in tries], el, p["yfov_deg"], w, h)
                if cam is None:
                    return None
                cams.append(cam)
                continue
            kl = np.array([(pts[:, 0].min() + pts[:, 0].max()) / 2, (pts[:, 1].min() + pts[:, 1].max()) / 2, 0.4])
            cams.append(fit_camera(pts, kl, az, el, p["yfov_deg"], w, h, fill=0.9))
        m = p["margins"]
        return Layout3DScene(objects=objs, views=[View.of(c) for c in cams], margins={k: float(v) for k, v in m.items()},
                             grid=int(p["grid"]), area=area, max_hops=int(cfg["hops"]), min_pixels=int(cfg["min_pixels"]),
                             max_occlusion=float(cfg["max_occlusion"]))

    @staticmethod
    def _draw_attrs(objs: list[Obj3D], cfg, p, rng) -> dict[str, str] | None:
        colors, sizes = list(p["colors"]), list(cfg["sizes"])
        taken = {(o.size, o.color, o.material, o.shape) for o in objs}
        for _ in range(30):
            a = {"shape": p["shapes"][int(rng.integers(len(p["shapes"])))],
                 "color": colors[int(rng.integers(len(colors)))],
                 "size": sizes[int(rng.integers(len(sizes)))],
                 "material": p["materials"][int(rng.integers(len(p["materials"])))]}
            if objs and rng.random() < float(cfg["similar"]):
                # A similar distractor: copy two attributes of an existing object.
                src = objs[int(rng.integers(len(objs)))]
                for key in rng.choice(ATTRS, size=2, replace=False):
                    a[str(key)] = src.attr(str(key))
                if a["size"] not in sizes:
                    a["size"] = sizes[-1]
            if (a["size"], a["color"], a["material"], a["shape"]) not in taken:
                return a
        return None

    @staticmethod
    def _try_stack(objs: list[Obj3D], attrs, ext: float, cfg, rng, i: int) -> Obj3D | None:
        if rng.random() >= float(cfg["stack"]):
            return None
        used = {o.on for o in objs if o.on}
        bases = [o for o in objs if o.on is None and o.shape in SUPPORTS and o.extent >= ext and o.id not in used]
        if not bases:
            return None
        b = bases[int(rng.integers(len(bases)))]
        slack = (b.extent - ext) / 2 * 0.5
        return Obj3D(id=f"o{i}", extent=ext, x=b.x + float(rng.uniform(-slack, slack)),
                     y=b.y + float(rng.uniform(-slack, slack)), z=b.top, yaw=float(rng.uniform(0, 360)), on=b.id, **attrs)

    @staticmethod
    def _mark(objs: list[Obj3D], prints: list[Polygon], azimuth: float, gap: float, rng) -> bool:
        """Give one ground object a front knob facing roughly towards the camera (so it is seen)."""
        supported = {o.on for o in objs if o.on}
        cands = [k for k, o in enumerate(objs) if o.on is None and o.shape in MARKABLE and o.id not in supported]
        if not cands:
            return False
        k = cands[int(rng.integers(len(cands)))]
        o = objs[k]
        az = math.radians(azimuth)
        toward_camera = math.degrees(math.atan2(-math.cos(az), -math.sin(az)))  # -forward on the ground
        ground = [q for j, q in enumerate(objs) if q.on is None and j != k]
        others = [footprint(q) for q in ground]
        for _ in range(20):
            yaw = toward_camera + float(rng.uniform(-100, 100))
            m = o.model_copy(update={"yaw": yaw % 360, "marked": True})
            kp = knob_primitive(m)
            knob = Point(kp.position[0], kp.position[1]).buffer(kp.size / 2)
            if all(knob.distance(q) >= gap / 2 for q in others):
                objs[k] = m
                return True
        return False

    # -- text -----------------------------------------------------------------------------------------
    def describe(self, scene: Layout3DScene, modality: str) -> str:
        n = len(scene.views)
        mk = scene.marked()
        knob = f" The {mk.name} has a small white knob on its front side." if mk else ""
        frame = ("Left, right, in front of (nearer the camera) and behind (farther from the camera) are meant "
                 "as seen from the camera" + (" of image 1." if n > 1 else "."))
        if modality == "image":
            what = (f"The image shows {n} views of the same scene side by side, numbered 1 to {n} from the left."
                    if n > 1 else "The image shows objects resting on a floor (drawn in the background color).")
            return (f"{what} Objects have a size (small, medium, large), a color, a material (rubber is matte, "
                    f"metal is shiny) and a shape (cube, sphere, cylinder, cone, torus).{knob} {frame}")
        right, fwd = scene.ground_axes(0)
        lines = []
        for o in scene.objects:
            c = o.center()
            u, w = float(c[:2] @ right), float(c[:2] @ fwd)
            where = f"on top of the {scene.obj(o.on).name}" if o.on else "on the floor"
            lines.append(f"- {o.name} ({o.size} {o.color} {o.material} {o.shape}): x = {u:.2f}, y = {w:.2f}, "
                         f"{where}, bottom at height {o.z:.2f}, top at height {o.top:.2f}")
        if mk:
            yaw = math.radians(mk.yaw)
            d = np.array([math.cos(yaw), math.sin(yaw)])
            lines.append(f"The front of the {mk.name} points in direction (x, y) = "
                         f"({float(d @ right):.2f}, {float(d @ fwd):.2f}).")
        for k in range(1, n):
            cam = scene.views[k].camera
            pos = np.asarray(cam.position)
            la = np.asarray(cam.look_at)
            lines.append(f"Camera {k + 1} stands at x = {float(pos[:2] @ right):.2f}, y = {float(pos[:2] @ fwd):.2f}, "
                         f"height {pos[2]:.2f}, looking at x = {float(la[:2] @ right):.2f}, y = {float(la[:2] @ fwd):.2f}, "
                         f"with a {cam.width}x{cam.height} image and a vertical field of view of {cam.yfov_deg:.0f} degrees.")
        return ("A scene of objects, described from the viewpoint of camera 1: x is metres to the camera's right, "
                "y is metres away from the camera (larger y is farther), heights are metres above the floor."
                f"{knob} {frame}\n" + "\n".join(lines))

    def text_context(self, scene: Layout3DScene) -> dict[str, Any]:
        mk = scene.marked()
        return {"names": {o.id: o.name for o in scene.objects}, "rel_phrase": REL_PHRASE, "grid": scene.grid,
                "n_views": len(scene.views), "marked": mk.id if mk else "", "n_objects": len(scene.objects)}

    # -- perturbation ------------------------------------------------------------------------------------
    def perturb(self, scene: Layout3DScene, rng: np.random.Generator) -> Layout3DScene:
        pp = self.preset["perturb"]
        e, yaw_e = float(pp["position"]), float(pp["yaw_deg"])
        moved: dict[str, tuple[float, float]] = {}
        objs = []
        for o in scene.objects:  # supporters come first (ids are in placement order)
            dx, dy = float(rng.uniform(-e, e)), float(rng.uniform(-e, e))
            if o.on:
                bx, by = moved[o.on]
                dx, dy = dx / 3 + bx, dy / 3 + by
            moved[o.id] = (dx, dy)
            objs.append(o.model_copy(update={"x": o.x + dx, "y": o.y + dy, "yaw": o.yaw + float(rng.uniform(-yaw_e, yaw_e))}))
        a = math.radians(float(rng.uniform(-pp["camera_deg"], pp["camera_deg"])))
        rot = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
        views = []
        for v in scene.views:
            c = v.camera
            cam = c.model_copy(update={"position": tuple(float(x) for x in rot @ np.asarray(c.position)),
                                       "look_at": tuple(float(x) for x in rot @ np.asarray(c.look_at))})
            views.append(View.of(cam))
        out = scene.model_copy(update={"objects": objs, "views": views})
        return out.with_id()  # type: ignore[return-value]

    # -- rendering ----------------------------------------------------------------------------------------
    def primitives(self, scene: Layout3DScene) -> list[Primitive3D]:
        colors = self.preset["colors"]
        prims = [Primitive3D(id=o.id, shape=o.shape, size=o.extent, color=tuple(colors[o.color]), material=o.material,
                             position=tuple(float(x) for x in o.center()), rotation=o.yaw) for o in scene.objects]
        mk = scene.marked()
        if mk:
            prims.append(knob_primitive(mk))
        return prims

    def _render_views(self, scene: Layout3DScene, style: str, depth: bool) -> list:
        from ..render.worker import get_renderer

        bg, floor, scale = STYLES[style]
        light = Lighting3D(ambient=0.3, lights=tuple(DirectionalLight3D(direction=l.direction, intensity=l.intensity * scale)
                                                      for l in Lighting3D().lights))
        cams = [v.camera for v in scene.views]
        r = get_renderer(cams[0].width, cams[0].height)
        # One scene graph for every view. No floor plane: on llvmpipe the 100 m floor quad made a
        # pixel or two near the horizon differ between processes, breaking byte determinism; the
        # background stands in for it.
        return r.render_views(self.primitives(scene), cams, light, background=bg, want_depth=depth, want_masks=True)

    def render(self, scene: Layout3DScene, style: str, hints: dict[str, Any]) -> list[Image.Image]:
        outs = self._render_views(scene, style, depth="depth" in self.preset.get("outputs", []))
        self._cache = (scene.id, style, outs)
        self._vis = None
        panels = [Image.fromarray(o.rgb) for o in outs]
        if len(panels) == 1:
            return panels
        w, h = panels[0].size
        sheet = Image.new("RGB", (w * len(panels), h), (255, 255, 255))
        draw = ImageDraw.Draw(sheet)
        for k, p in enumerate(panels):
            sheet.paste(p, (k * w, 0))
            draw.rectangle((k * w, 0, k * w + 22, 22), fill=(255, 255, 255))
            draw.text((k * w + 11, 11), str(k + 1), fill=(0, 0, 0), anchor="mm")
            if k:
                draw.line((k * w, 0, k * w, h), fill=(255, 255, 255), width=3)
        return [sheet]

    def _outputs(self, scene: Layout3DScene, style: str) -> list:
        if self._cache is not None and self._cache[0] == scene.id and self._cache[1] == style:
            return self._cache[2]
        return self._render_views(scene, style, depth=False)  # verify: masks only

    def visibility(self, scene: Layout3DScene, style: str) -> list[dict[str, Any]]:
        """Per view: visible pixels (instance mask), occluded fraction and frame status per object."""
        key = (scene.id, style)
        if self._vis is not None and self._vis[0] == key:
            return self._vis[1]
        rows = self._visibility(scene, style)
        self._vis = (key, rows)
        return rows

    def projection(self, scene: Layout3DScene) -> list[dict[str, Projected]]:
        """Per view, per primitive: projected convex hull of its mesh vertices (clipped to the image)
        and depth range. Shared by :meth:`render_precheck` and the visibility rows (cached per scene)."""
        if self._proj is not None and self._proj[0] == scene.id:
            return self._proj[1]
        prims = self.primitives(scene)
        rows = []
        for v in scene.views:
            cam = v.camera
            img = shapely_box(0, 0, cam.width, cam.height)
            per = {}
            for prim in prims:
                cand, hv = silhouette_points(prim, np.asarray(cam.position, float))
                _, z = cam.project(hv)
                if z.min() > 0:  # the outline comes from the few vertices where the surface turns away
                    uv, _ = cam.project(cand)
                else:  # partly behind the camera: hull of the vertices in front, as before
                    uv, zz = cam.project(world_vertices(prim))
                    uv = uv[zz > 0]
                # Vectorised constructor: building one Point object per vertex dominated the run time.
                hull = shapely.convex_hull(shapely.multipoints(uv)) if len(uv) >= 3 else None
                clip = hull.intersection(img) if hull is not None else None
                per[prim.id] = Projected(hull, clip, float(z.min()), float(z.max()), prim.shape != "torus")
            rows.append(per)
        self._proj = (scene.id, rows)
        return rows

    def render_precheck(self, scene: Layout3DScene, hints: dict[str, Any]) -> str | None:
        """Bounds from projected outlines that prove a render check would fail, without rendering.

        The instance mask samples pixel centres (no multisampling) and an object's mask pixels lie
        inside its projected convex hull (clipped to the image). A convex object (not a torus) whose
        whole depth range is nearer than another's covers every pixel centre strictly inside its own
        hull, so none of those can belong to the farther one. The visible pixels of an object are
        therefore at most the pixel centres inside its hull and not inside a nearer convex hull
        (counted with a 0.01 px allowance each way for float error; first bounded by Steiner's formula,
        area + perimeter + pi, which needs no counting). If that bound is below the threshold, or the
        occluded fraction it implies exceeds ``max_occlusion`` (with a rounding margin), the render
        check would fail. Objects cut by the near or far plane are left alone. Only the checks of
        :meth:`render_checks` are tested: every object (and the knob) visible and not too occluded in
        image 1, and the objects inside images 2.. visible. What it cannot prove (partial occlusion
        between objects overlapping in depth, a knob hidden by its own object) is left to the render
        check."""
        near = 0.05 + 0.01  # pyrender's znear, with a margin
        for k, per in enumerate(self.projection(scene)):
            cam = scene.views[k].camera
            occluders = [(p.zmax, p.hull) for p in per.values()
                         if p.convex and p.hull is not None and p.zmin > near and p.zmax < 150.0]
            for pid, p in per.items():
                if k > 0 and (pid == KNOB or frame_status(scene.obj(pid), cam) != "in"):
                    continue
                if p.hull is None or p.zmin <= near or p.zmax >= 150.0:
                    continue  # clipped by the near/far plane: no bound
                area = p.clip.area
                # Steiner: a convex set dilated by 1 px has area A + perimeter + pi.
                upper = area + p.clip.length + math.pi if area > 0 else 0.0
                need = KNOB_PIXELS if pid == KNOB else scene.min_pixels
                if k == 0 and pid != KNOB and area >= 1.0:
                    need = max(need, (1.0 - scene.max_occlusion - 1e-3) * area)
                if upper < need:
                    return self._precheck_reason(scene, k, pid)
                x0, y0, x1, y1 = p.clip.bounds
                front = [h for z, h in occluders if z < p.zmin - 0.01 and h.bounds[0] < x1 and h.bounds[2] > x0
                         and h.bounds[1] < y1 and h.bounds[3] > y0]
                if not front:
                    continue
                if _visible_bound(p.clip, front) < need:
                    return self._precheck_reason(scene, k, pid)
        return None

    @staticmethod
    def _precheck_reason(scene: Layout3DScene, k: int, pid: str) -> str:
        if pid == KNOB:
            return "front knob visible"
        if k > 0:
            return f"image {k + 1}: objects inside the frame are visible, those outside are not"
        return f"every object visible in image 1 (>= {scene.min_pixels} px) / no object more than {scene.max_occlusion:.0%} occluded"

    def _visibility(self, scene: Layout3DScene, style: str) -> list[dict[str, Any]]:
        rows = []
        for v, out, proj in zip(scene.views, self._outputs(scene, style), self.projection(scene)):
            cam = v.camera
            per = {}
            for prim in self.primitives(scene):
                clip = proj[prim.id].clip
                area = clip.area if clip is not None else 0.0
                vis = out.visible_pixels.get(prim.id, 0)
                # Silhouette from the projected convex hull (exact for convex shapes, a slight
                # over-estimate for tori): avoids one extra mask pass per object.
                occ = max(0.0, 1.0 - vis / area) if area >= 1.0 else None
                status = frame_status(scene.obj(prim.id), cam) if prim.id != KNOB else ""
                per[prim.id] = {"pixels": vis, "occluded": None if occ is None else round(occ, 4), "frame": status,
                                "box": out.boxes.get(prim.id)}
            rows.append(per)
        return rows

    def render_checks(self, scene: Layout3DScene, images: list[Image.Image], style: str,
                      hints: dict[str, Any]) -> list[CheckResult]:
        w, h = scene.views[0].camera.width, scene.views[0].camera.height
        checks = [CheckResult("image size", images[0].size == (w * len(scene.views), h), f"{images[0].size}")]
        vis = self.visibility(scene, style)
        first = vis[0]
        low = [f"{scene.obj(k).name} ({v['pixels']} px)" for k, v in first.items()
               if k != KNOB and v["pixels"] < scene.min_pixels]
        checks.append(CheckResult(f"every object visible in image 1 (>= {scene.min_pixels} px)", not low,
                                  "; ".join(low) or "occluded fractions: " + ", ".join(
                                      f"{k}={v['occluded']}" for k, v in first.items())))
        occluded = [k for k, v in first.items() if k != KNOB and (v["occluded"] or 0) > scene.max_occlusion]
        checks.append(CheckResult(f"no object more than {scene.max_occlusion:.0%} occluded", not occluded, ", ".join(occluded)))
        if KNOB in first:
            checks.append(CheckResult("front knob visible", first[KNOB]["pixels"] >= KNOB_PIXELS, f"{first[KNOB]['pixels']} px"))
        for k, per in enumerate(vis[1:], start=2):
            bad = [oid for oid, v in per.items() if oid != KNOB and (
                (v["frame"] == "in" and v["pixels"] < scene.min_pixels) or (v["frame"] == "out" and v["pixels"] > 0))]
            checks.append(CheckResult(f"image {k}: objects inside the frame are visible, those outside are not",
                                      not bad, ", ".join(bad)))
        return checks

    def extras(self, scene: Layout3DScene, style: str, hints: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bytes]]:
        from ..render.offscreen3d import encode_depth_png16
        from ..render.worker import renderer_info

        outs = self._outputs(scene, style)
        vis = self.visibility(scene, style)
        wanted = self.preset.get("outputs", [])
        ids = [p.id for p in self.primitives(scene)]
        files: dict[str, bytes] = {}
        for k, out in enumerate(outs):
            if "mask" in wanted and out.instance_mask is not None:
                buf = io.BytesIO()
                Image.fromarray(out.instance_mask.astype(np.uint8)).save(buf, format="PNG", compress_level=1)
                files[f"view{k + 1}.mask.png"] = buf.getvalue()
            if "depth" in wanted and out.depth is not None:
                files[f"view{k + 1}.depth.png"] = encode_depth_png16(out.depth, float(self.preset["max_depth"]))
        info = renderer_info()
        return ({"renderer": f"{info['backend']}: {info['GL_RENDERER']}", "mask_values": {oid: i + 1 for i, oid in enumerate(ids)},
                 "depth_scale": float(self.preset["max_depth"]) / 65535.0, "views": vis}, files)


def _name_objects(objs: list[Obj3D]) -> list[Obj3D]:
    out = []
    for o in objs:
        for keys in NAMINGS:
            same = [q for q in objs if all(q.attr(k) == o.attr(k) for k in keys)]
            if len(same) == 1:
                out.append(o.model_copy(update={"name": " ".join(o.attr(k) for k in keys)}))
                break
    return out


def _camera_hiding_one(objs: list[Obj3D], azimuths: list[float], elevation: float, yfov: float, width: int,
                       height: int, fill: float = 0.9, out_margin: float = 0.08) -> Camera3D | None:
    """A camera looking in an orbit direction (the first of ``azimuths`` that works, at ``elevation``)
    that keeps every object but one entirely inside ``fill`` of the image and the remaining one
    entirely beyond an image edge by ``out_margin`` of the half-size; None if there is none.

    The orientation is fixed and the camera translates freely. In the probe camera's frame a
    translation (t, d, s) maps a point (X, Y, Z) to (X - t, Y - d, Z - s), so "inside" and "outside"
    are linear constraints on t and d for each forward offset s: scan s, keep the widest feasible
    interval and put t and d in the middle of theirs (the most slack for the perturbation check).
    Candidates to hide: ground objects that support nothing, most lateral first."""
    ground = [o for o in objs if o.on is None and not any(q.on == o.id for q in objs)]
    if len(objs) < 3 or not ground:
        return None
    all_pts = np.concatenate([corners(o) for o in objs])
    look = np.array([(all_pts[:, 0].min() + all_pts[:, 0].max()) / 2, (all_pts[:, 1].min() + all_pts[:, 1].max()) / 2, 0.4])
    for azimuth in azimuths:
        a = math.radians(azimuth)
        right = np.array([math.cos(a), -math.sin(a)])  # the orbit camera's right axis on the ground
        centre = float(np.mean([o.center()[:2] @ right for o in objs]))
        order = sorted(ground, key=lambda o: -abs(float(o.center()[:2] @ right) - centre))
        probe = Camera3D.orbit(look, 10.0, azimuth, elevation, yfov_deg=yfov, width=width, height=height)
        k = probe.intrinsics()
        ax, ay = fill * k["cx"] / k["fx"], fill * k["cy"] / k["fy"]
        bx, by = (1 + out_margin) * k["cx"] / k["fx"], (1 + out_margin) * k["cy"] / k["fy"]
        for hide in order[:3]:
            pk = probe.to_camera(np.concatenate([corners(o) for o in objs if o.id != hide.id]))
            ph = probe.to_camera(corners(hide))
            sv = np.linspace(-30.0, float(pk[:, 2].min()) - 1.5, 96)[:, None]
            zk, zh = pk[:, 2] - sv, ph[:, 2] - sv
            lo_t, hi_t = (pk[:, 0] - ax * zk).max(1), (pk[:, 0] + ax * zk).min(1)
            lo_d, hi_d = (pk[:, 1] - ay * zk).max(1), (pk[:, 1] + ay * zk).min(1)
            ok = zh.min(1) >= 0.5
            options = (  # (t interval, d interval) with the hidden object right / left / below / above
                ((lo_t, np.minimum(hi_t, (ph[:, 0] - bx * zh).min(1))), (lo_d, hi_d)),
                ((np.maximum(lo_t, (ph[:, 0] + bx * zh).max(1)), hi_t), (lo_d, hi_d)),
                ((lo_t, hi_t), (lo_d, np.minimum(hi_d, (ph[:, 1] - by * zh).min(1)))),
                ((lo_t, hi_t), (np.maximum(lo_d, (ph[:, 1] + by * zh).max(1)), hi_d)),
            )
            zm = zk.mean(1)
            best = None  # (slack in pixels, t, d, s)
            for (t0, t1), (d0, d1) in options:
                slack = np.minimum((t1 - t0) * k["fx"], (d1 - d0) * k["fy"]) / zm
                slack = np.where(ok, slack, -np.inf)
                i = int(np.argmax(slack))
                if best is None or slack[i] > best[0]:
                    best = (float(slack[i]), float(t0[i] + t1[i]) / 2, float(d0[i] + d1[i]) / 2, float(sv[i, 0]))
            if best is None or best[0] < 8.0:  # at least ~4 px of play either way
                continue
            shift = probe.extrinsic_array()[:3, :3].T @ np.array(best[1:])
            pos, at = np.asarray(probe.position) + shift, np.asarray(probe.look_at) + shift
            if pos[2] < 0.5:
                continue
            return Camera3D(position=tuple(float(x) for x in pos), look_at=tuple(float(x) for x in at),
                            yfov_deg=yfov, width=width, height=height)
    return None


# -- relations (raise inside the ambiguity margins) ---------------------------------------------------------

def _scene(ctx) -> Layout3DScene:
    return ctx.scene


def relation_score(scene: Layout3DScene, a: Obj3D, b: Obj3D, rel: str) -> float:
    """Signed offset of a from b along the relation's camera ground axis (positive = holds)."""
    right, fwd = scene.ground_axes(0)
    d = a.center()[:2] - b.center()[:2]
    return {"left": -d @ right, "right": d @ right, "behind": d @ fwd, "front": -d @ fwd}[rel]


def holds(scene: Layout3DScene, a: Obj3D, b: Obj3D, rel: str) -> bool:
    if rel not in REL_PHRASE:
        raise ProgramError(f"unknown relation {rel!r}; use left, right, front, behind")
    if a.id == b.id:
        raise ProgramError("an object is compared with itself")
    s = relation_score(scene, a, b, rel)
    if abs(s) < scene.margins["relation"]:
        raise ProgramError(f"'{a.name}' {REL_PHRASE[rel]} '{b.name}' is ambiguous ({abs(s):.2f} < margin)")
    return bool(s > 0)


def parse_noun(noun: str) -> dict[str, str]:
    """'large red cubes' -> {'size': 'large', 'color': 'red', 'shape': 'cube'}; 'objects'/'things' match all."""
    from . import get_family

    p = get_family("layout3d").preset
    vocab = {**{c: "color" for c in p["colors"]}, **{s: "size" for s in p["sizes"]},
             **{m: "material" for m in p["materials"]}, **{s: "shape" for s in p["shapes"]}}
    out: dict[str, str] = {}
    for w in noun.lower().split():
        w = SINGULAR.get(w, w[:-1] if w.endswith("s") and w[:-1] in vocab else w)
        if w in ("object", "thing", "objects", "things"):
            continue
        if w not in vocab:
            raise ProgramError(f"unknown word {w!r} in {noun!r}")
        out[vocab[w]] = w
    return out


def matches(o: Obj3D, f: dict[str, str]) -> bool:
    return all(o.attr(k) == v for k, v in f.items())


def noun_text(f: dict[str, str], plural: bool) -> str:
    words = [f[k] for k in ("size", "color", "material") if k in f]
    if "shape" in f:
        words.append(PLURAL[f["shape"]] if plural else f["shape"])
    else:
        words.append("objects" if plural else "object")
    return " ".join(words)


def follow_step(scene: Layout3DScene, cur: Obj3D, rel: str, noun: str) -> Obj3D:
    f = parse_noun(noun)
    hits = [o for o in scene.objects if o.id != cur.id and matches(o, f) and holds(scene, o, cur, rel)]
    if len(hits) != 1:
        raise ProgramError(f"{len(hits)} objects are '{noun}' {REL_PHRASE[rel]} the {cur.name}; need exactly one")
    return hits[0]


def map_cells(scene: Layout3DScene) -> dict[str, tuple[int, int]]:
    right, fwd = scene.ground_axes(0)
    g, r = scene.grid, scene.area * 1.15
    cell = 2 * r / g
    out = {}
    for o in scene.objects:
        c = o.center()[:2]
        u, w = float(c @ right), float(c @ fwd)
        col, row = (u + r) / cell, (r - w) / cell  # row 0 is the far side
        for t in (col, row):
            frac = t - math.floor(t)
            if 0 < t < g and min(frac, 1 - frac) < scene.margins["grid"]:
                raise ProgramError(f"the {o.name} lies on a grid-cell border")
        out[o.name] = (min(g - 1, max(0, int(math.floor(row)))), min(g - 1, max(0, int(math.floor(col)))))
    return out


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
