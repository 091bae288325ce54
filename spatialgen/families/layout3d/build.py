"""Scene builder of 3D layouts: attribute draws, placement, stacking, the marked object and cameras."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from shapely.geometry import Point, Polygon

from ...render.scene3d import Camera3D
from .scene import ATTRS, MARKABLE, NAMINGS, SUPPORTS, Layout3DScene, Obj3D, View, corners, footprint, knob_primitive


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


class BuildMixin:
    """Layout3D's scene building (mixed into the Family subclass)."""

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
