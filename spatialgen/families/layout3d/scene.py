"""Scene model of 3D layouts: objects, views, vocabularies, geometry helpers and margin-checked relations."""

from __future__ import annotations

import math
from typing import Any, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict
from shapely.geometry import Point, Polygon

from ...dsl import ProgramError, declare_type
from ...dsl.types import STR, list_of
from ...render.scene3d import Camera3D, Primitive3D
from ...scene import Scene

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


# -- relations (raise inside the ambiguity margins) ---------------------------------------------------------


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
    from .. import get_family

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
