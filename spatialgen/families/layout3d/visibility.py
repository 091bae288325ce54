"""Visibility of 3D layouts: projected outlines, the geometric render pre-check and the render checks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image
import shapely
from shapely.geometry import box as shapely_box

from ...render.meshes3d import silhouette_points, world_vertices
from ..base import CheckResult
from .scene import KNOB, KNOB_PIXELS, Layout3DScene, Projected, frame_status


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


class VisibilityMixin:
    """Layout3D's visibility rows, pre-check and render checks (mixed into the Family subclass)."""

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
