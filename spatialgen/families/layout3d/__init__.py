"""3D object layouts (CLEVR-like): scene builder, relations with ambiguity margins, rendering
through the shared offscreen renderer, visibility checks from the instance mask, and operators.

World frame: ground z = 0, up +z. Camera-frame relations use image 1's camera projected onto the
ground: *right* is the camera's right axis, *behind* is the camera's forward axis (away from the
viewer). A relation closer to its boundary than the preset margin raises :class:`ProgramError`,
so the sampler never asks it; the family's perturbation check then re-asks every question on
slightly jittered copies of the scene.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import Family, register_family
from . import ops  # noqa: F401  (registers the operators)
# Besides what the class below uses, these imports re-export every public name of the old single
# module, so ``from spatialgen.families.layout3d import X`` keeps working.
from .build import BuildMixin, fit_camera  # noqa: F401
from .ops import (  # noqa: F401
    op_attribute, op_behind_view, op_closer, op_cognitive_map, op_count_matching, op_count_related, op_extreme,
    op_facing_side, op_follow, op_hidden_in_view, op_higher, op_image_label, op_map_match, op_map_score,
    op_marked, op_max_hops, op_n_views, op_name, op_objects, op_other_image_labels, op_other_names,
    op_perspective_side, op_random_chain, op_random_noun, op_random_object, op_random_other, op_relate,
    op_same_attribute,
)
from .render import STYLES, RenderMixin
from .scene import (  # noqa: F401
    ATTRS, CHAIN, KNOB, KNOB_PIXELS, MARKABLE, NAMINGS, OBJ, PLURAL, REL_PHRASE, RELATIONS, SINGULAR, SUPPORTS,
    Layout3DScene, Obj3D, Projected, View, corners, follow_step, footprint, frame_status, holds, knob_primitive,
    map_cells, matches, noun_text, parse_noun, relation_score,
)
from .visibility import VisibilityMixin


@register_family
class Layout3D(BuildMixin, RenderMixin, VisibilityMixin, Family):
    name = "layout3d"
    scene_type = Layout3DScene
    styles = tuple(STYLES)
    text_vars = ("names", "rel_phrase", "grid", "n_views", "marked", "n_objects")
    perturbations = 3

    def __init__(self) -> None:
        self._cache: tuple[str, str, list] | None = None
        self._vis: tuple[tuple[str, str], list] | None = None
        self._proj: tuple[str, list] | None = None

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
