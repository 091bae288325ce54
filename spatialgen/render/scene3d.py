"""Plain, JSON-friendly descriptions of a 3D scene: primitives, camera, lighting.

World frame: right-handed, ground plane z = 0, up is +z.
Camera frame (OpenCV convention): x right, y DOWN, z forward along the viewing axis, so a
point's camera-frame z is its depth. Pixel coordinates (u, v): u to the right, v down,
origin at the top-left corner of the image; pixel (i, j) covers u in [i, i+1), v in [j, j+1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Shape = Literal["cube", "sphere", "cylinder", "cone", "torus", "mesh_cubes"]
RGB = tuple[int, int, int]
Vec3 = tuple[float, float, float]
Mat3 = tuple[Vec3, Vec3, Vec3]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Primitive3D(_Frozen):
    """One object. ``size`` is its overall extent: cube edge, sphere/cylinder/cone/torus
    diameter (cylinder and cone are as tall as they are wide, the torus is 0.3*size thick),
    or the edge of one cell for ``mesh_cubes``.

    ``position`` is (x, y) or (x, y, z) of the object's bounding-box centre. Without z the
    object rests on the ground (its lowest point at z = 0). ``rotation`` is a yaw in degrees
    about +z, or a full 3x3 rotation matrix (e.g. one of the 24 cube rotations).
    """

    id: str
    shape: Shape
    size: float = Field(1.0, gt=0)
    color: RGB = (128, 128, 128)
    material: Literal["rubber", "metal"] = "rubber"
    position: tuple[float, float] | tuple[float, float, float] = (0.0, 0.0)
    rotation: float | Mat3 = 0.0
    cells: tuple[tuple[int, int, int], ...] | None = None  # only for shape == "mesh_cubes"

    @field_validator("color")
    @classmethod
    def _color_range(cls, v: RGB) -> RGB:
        if not all(0 <= c <= 255 for c in v):
            raise ValueError("color components must be in 0..255")
        return v

    @model_validator(mode="after")
    def _check(self) -> Primitive3D:
        if (self.shape == "mesh_cubes") != (self.cells is not None and len(self.cells) > 0):
            raise ValueError("cells must be given for, and only for, shape='mesh_cubes'")
        if not isinstance(self.rotation, (int, float)):
            m = np.asarray(self.rotation, dtype=float)
            if not np.allclose(m @ m.T, np.eye(3), atol=1e-6) or np.linalg.det(m) < 0:
                raise ValueError("rotation matrix must be a proper rotation")
        return self

    def rotation_matrix(self) -> np.ndarray:
        """The 3x3 rotation as a float array."""
        if isinstance(self.rotation, (int, float)):
            a = math.radians(self.rotation)
            c, s = math.cos(a), math.sin(a)
            return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        return np.asarray(self.rotation, dtype=float)


class Camera3D(_Frozen):
    """Pinhole camera looking from ``position`` at ``look_at``; square pixels."""

    position: Vec3
    look_at: Vec3 = (0.0, 0.0, 0.0)
    up: Vec3 = (0.0, 0.0, 1.0)
    yfov_deg: float = Field(50.0, gt=0, lt=180)
    width: int = Field(480, gt=0)
    height: int = Field(320, gt=0)

    @classmethod
    def orbit(cls, target: Sequence[float], distance: float, azimuth_deg: float,
              elevation_deg: float, **kw: object) -> Camera3D:
        """Camera on a sphere around ``target``; azimuth 0 looks along +y, from the front."""
        az, el = math.radians(azimuth_deg), math.radians(elevation_deg)
        offset = (-math.sin(az) * math.cos(el), -math.cos(az) * math.cos(el), math.sin(el))
        pos = tuple(float(t) + distance * o for t, o in zip(target, offset))
        return cls(position=pos, look_at=tuple(float(t) for t in target), **kw)  # type: ignore[arg-type]

    def intrinsics(self) -> dict[str, float]:
        """fx, fy, cx, cy in pixels (cx, cy at the image centre)."""
        fy = (self.height / 2.0) / math.tan(math.radians(self.yfov_deg) / 2.0)
        return {"fx": fy, "fy": fy, "cx": self.width / 2.0, "cy": self.height / 2.0}

    def intrinsic_matrix(self) -> list[list[float]]:
        """K as nested lists."""
        k = self.intrinsics()
        return [[k["fx"], 0.0, k["cx"]], [0.0, k["fy"], k["cy"]], [0.0, 0.0, 1.0]]

    def _rotation(self) -> np.ndarray:
        # Rows are the camera axes (right, down, forward) expressed in world coordinates.
        return _camera_rotation(tuple(self.position), tuple(self.look_at), tuple(self.up)).copy()

    def extrinsic_array(self) -> np.ndarray:
        """World-to-camera 4x4 (OpenCV camera frame) as an array."""
        return _camera_extrinsic(tuple(self.position), tuple(self.look_at), tuple(self.up)).copy()

    def _rotation_uncached(self) -> np.ndarray:
        fwd = np.subtract(self.look_at, self.position).astype(float)
        n = np.linalg.norm(fwd)
        if n == 0:
            raise ValueError("camera position equals look_at")
        fwd /= n
        right = np.cross(fwd, np.asarray(self.up, float))
        if np.linalg.norm(right) < 1e-9:
            raise ValueError("camera up vector is parallel to the viewing direction")
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        return np.stack([right, down, fwd])

    def _extrinsic_uncached(self) -> np.ndarray:
        r = self._rotation_uncached()
        m = np.eye(4)
        m[:3, :3] = r
        m[:3, 3] = -r @ np.asarray(self.position, float)
        return m

    def extrinsic(self) -> list[list[float]]:
        """World-to-camera 4x4 (x right, y down, z forward) as nested lists."""
        return self.extrinsic_array().tolist()

    def gl_pose(self) -> np.ndarray:
        """Camera-to-world 4x4 in the OpenGL convention (x right, y up, looking along -z)."""
        pose = np.linalg.inv(self.extrinsic_array())
        return pose @ np.diag([1.0, -1.0, -1.0, 1.0])

    def to_camera(self, points: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
        """World points (N, 3) to camera-frame points (N, 3): x right, y down, z = depth."""
        p = np.atleast_2d(np.asarray(points, dtype=float))
        e = self.extrinsic_array()
        return p @ e[:3, :3].T + e[:3, 3]

    def project(self, points: Sequence[Sequence[float]] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project world points: returns pixel coords (N, 2) as (u, v) and depth (N,).

        Depth is the distance along the viewing axis (camera-frame z); points behind the
        camera get depth <= 0 and meaningless pixel coordinates.
        """
        pc = self.to_camera(points)
        k = self.intrinsics()
        z = pc[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = k["cx"] + k["fx"] * pc[:, 0] / z
            v = k["cy"] + k["fy"] * pc[:, 1] / z
        return np.stack([u, v], axis=1), z


@lru_cache(maxsize=4096)
def _camera_rotation(position: Vec3, look_at: Vec3, up: Vec3) -> np.ndarray:
    # Cameras are frozen and their poses re-derived many times per sample (projections,
    # relations, perturbation checks): cache by pose. Callers get copies.
    return Camera3D.model_construct(position=position, look_at=look_at, up=up)._rotation_uncached()


@lru_cache(maxsize=4096)
def _camera_extrinsic(position: Vec3, look_at: Vec3, up: Vec3) -> np.ndarray:
    return Camera3D.model_construct(position=position, look_at=look_at, up=up)._extrinsic_uncached()


class DirectionalLight3D(_Frozen):
    """A directional light; ``direction`` is the way the light travels (towards the scene)."""

    direction: Vec3
    intensity: float = Field(3.0, ge=0)
    color: RGB = (255, 255, 255)


class Lighting3D(_Frozen):
    """Ambient term plus directional lights.

    With ``camera_relative`` (default) light directions are in the camera frame (x right,
    y down, z forward), so the default key light comes from above-left behind the viewer
    whatever the camera pose. Presets jitter these fields for variety.
    """

    ambient: float = Field(0.3, ge=0)
    lights: tuple[DirectionalLight3D, ...] = (
        DirectionalLight3D(direction=(0.45, 0.8, 0.6), intensity=2.2),   # key: upper left
        DirectionalLight3D(direction=(-0.7, 0.3, 0.5), intensity=0.9),   # fill: right side
        DirectionalLight3D(direction=(0.0, 0.2, -1.0), intensity=0.6),   # rim: from behind
    )
    camera_relative: bool = True
    shadows: bool = False
