"""Unit geometry for the 3D primitives and the object-to-world pose of a Primitive3D.

Geometry is built once per shape (or per canonical polycube) as plain numpy arrays, centred
on its bounding-box centre at size 1; the renderer turns each into a GPU mesh and caches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import trimesh

from ..geometry.polycube import canonical, is_rotation_of, normalize
from .scene3d import Primitive3D

# Dark border drawn around every exterior cell face of a polycube so single cubes can be
# counted in the image (Shepard-Metzler drawings outline every cube).
_BORDER = 0.07
_BORDER_SHADE = 0.3


@dataclass(frozen=True)
class Geometry:
    """Triangle soup ready for upload: positions, normals, per-vertex shade, indices."""

    positions: np.ndarray  # (V, 3) float32
    normals: np.ndarray  # (V, 3) float32
    shade: np.ndarray | None  # (V, 4) float32 multiplier of the base color, or None
    indices: np.ndarray  # (F, 3) uint32


def _flat(mesh: trimesh.Trimesh) -> Geometry:
    # Unshare vertices so every face keeps its own normal: crisp edges on cubes and caps.
    f = mesh.faces
    pos = mesh.vertices[f].reshape(-1, 3)
    nrm = np.repeat(mesh.face_normals, 3, axis=0)
    idx = np.arange(len(pos), dtype=np.uint32).reshape(-1, 3)
    return Geometry(pos.astype(np.float32), nrm.astype(np.float32), None, idx)


def _smooth(mesh: trimesh.Trimesh) -> Geometry:
    return Geometry(mesh.vertices.astype(np.float32), mesh.vertex_normals.astype(np.float32),
                    None, mesh.faces.astype(np.uint32))


def _centred(mesh: trimesh.Trimesh) -> trimesh.Trimesh:
    lo, hi = mesh.bounds
    mesh.apply_translation(-(lo + hi) / 2.0)
    return mesh


@lru_cache(maxsize=None)
def unit_geometry(shape: str) -> Geometry:
    """Size-1 geometry of a basic shape, centred on its bounding-box centre."""
    if shape == "cube":
        return _flat(trimesh.creation.box(extents=(1.0, 1.0, 1.0)))
    if shape == "sphere":
        return _smooth(trimesh.creation.icosphere(subdivisions=3, radius=0.5))
    if shape == "cylinder":
        return _flat(_centred(trimesh.creation.cylinder(radius=0.5, height=1.0, sections=48)))
    if shape == "cone":
        return _flat(_centred(trimesh.creation.cone(radius=0.5, height=1.0, sections=48)))
    if shape == "torus":
        return _smooth(_centred(trimesh.creation.torus(
            major_radius=0.35, minor_radius=0.15, major_sections=48, minor_sections=24)))
    raise ValueError(f"unknown shape {shape!r}")


_FACE_AXES = [(a, s) for a in range(3) for s in (1, -1)]


@lru_cache(maxsize=1024)
def polycube_geometry(cells: tuple[tuple[int, int, int], ...]) -> Geometry:
    """Exterior faces of unit cubes at ``cells``, each outlined by a dark border.

    Faces shared by two cells are skipped. The result is centred on the bounding-box centre
    of the cells, so rotations from the cube group keep that centre fixed.
    """
    occupied = set(cells)
    lo = np.min(np.asarray(cells), axis=0)
    hi = np.max(np.asarray(cells), axis=0) + 1
    centre = (lo + hi) / 2.0
    pos, nrm, shade = [], [], []
    for c in cells:
        for axis, sign in _FACE_AXES:
            nb = list(c)
            nb[axis] += sign
            if tuple(nb) in occupied:
                continue
            # (u, v, axis) is a cyclic (right-handed) order, so corners listed
            # counter-clockwise in (u, v) face +axis; swap for the -axis face.
            u, v = (axis + 1) % 3, (axis + 2) % 3
            if sign < 0:
                u, v = v, u
            base = np.asarray(c, float) + 0.5 - centre
            base[axis] += 0.5 * sign
            eu, ev = np.eye(3)[u], np.eye(3)[v]
            corners = [base + 0.5 * (su * eu + sv * ev)
                       for su, sv in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
            inner = [base + (0.5 - _BORDER) * (su * eu + sv * ev)
                     for su, sv in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
            n = np.zeros(3)
            n[axis] = sign
            quads = [(inner, 1.0)]
            for k in range(4):  # four border trapezoids
                quads.append(([corners[k], corners[(k + 1) % 4], inner[(k + 1) % 4], inner[k]],
                               _BORDER_SHADE))
            for q, s in quads:
                for tri in ((0, 1, 2), (0, 2, 3)):
                    pos.extend(q[i] for i in tri)
                    nrm.extend([n] * 3)
                    shade.extend([(s, s, s, 1.0)] * 3)
    p = np.asarray(pos, np.float32)
    return Geometry(p, np.asarray(nrm, np.float32), np.asarray(shade, np.float32),
                    np.arange(len(p), dtype=np.uint32).reshape(-1, 3))


@lru_cache(maxsize=4096)
def _polycube_frame(norm_cells: tuple) -> tuple[tuple, np.ndarray]:
    # A polycube is stored by its canonical cell list; R0 rotates canonical onto the input.
    canon = canonical(norm_cells)
    r0 = is_rotation_of(canon, norm_cells)
    assert r0 is not None
    return canon, np.asarray(r0, dtype=float)


def geometry_key(p: Primitive3D) -> tuple:
    """Cache key of the unit geometry used for ``p`` (shape, or canonical cell list)."""
    if p.shape == "mesh_cubes":
        return ("mesh_cubes", _polycube_frame(normalize(p.cells))[0])
    return (p.shape,)


def geometry_for_key(key: tuple) -> Geometry:
    return polycube_geometry(key[1]) if key[0] == "mesh_cubes" else unit_geometry(key[0])


def object_pose(p: Primitive3D, geometry: Geometry) -> np.ndarray:
    """4x4 object-to-world transform (scale, rotation, translation) for ``p``."""
    rot = p.rotation_matrix()
    if p.shape == "mesh_cubes":
        rot = rot @ _polycube_frame(normalize(p.cells))[1]
    lin = rot * p.size
    pose = np.eye(4)
    pose[:3, :3] = lin
    if len(p.position) == 3:
        z = p.position[2]
    else:
        # Rest on the ground: lift so that the lowest transformed vertex touches z = 0.
        z = -float(np.min(geometry.positions.astype(float) @ lin[2]))
    pose[:3, 3] = (p.position[0], p.position[1], z)
    return pose


def world_vertices(p: Primitive3D) -> np.ndarray:
    """The object's vertices in world coordinates (for tests and 3D relations)."""
    g = geometry_for_key(geometry_key(p))
    pose = object_pose(p, g)
    return g.positions.astype(float) @ pose[:3, :3].T + pose[:3, 3]


def world_center(p: Primitive3D) -> np.ndarray:
    """World position of the object's bounding-box centre."""
    g = geometry_for_key(geometry_key(p))
    return object_pose(p, g)[:3, 3].copy()


@dataclass(frozen=True)
class HullGeometry:
    """The 3D convex hull of a unit geometry, for fast silhouettes: which of the geometry's vertices
    are hull vertices (``index``), the hull faces (indices into ``index``), their outward normals."""

    index: np.ndarray  # (H,) indices into Geometry.positions
    faces: np.ndarray  # (F, 3)
    normals: np.ndarray  # (F, 3)


@lru_cache(maxsize=1024)
def hull_geometry(key: tuple) -> HullGeometry:
    from scipy.spatial import ConvexHull

    pos = geometry_for_key(key).positions.astype(float)
    uniq, first = np.unique(pos, axis=0, return_index=True)
    hull = ConvexHull(uniq)
    used = np.unique(hull.simplices)
    remap = np.full(len(uniq), -1)
    remap[used] = np.arange(len(used))
    # qhull's facet equations carry outward unit normals (a, b, c) of a*x + b*y + c*z + d <= 0.
    return HullGeometry(first[used], remap[hull.simplices], hull.equations[:, :3].copy())


def silhouette_points(p: Primitive3D, camera_position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(candidates, hull_vertices) in world coordinates: the object's convex-hull vertices, and the
    subset that can lie on the outline seen from ``camera_position`` (vertices of hull faces both
    facing and not facing the camera, with a generous tolerance). For a viewer in front of every
    vertex, the convex hull of the projected candidates equals that of all projected vertices."""
    key = geometry_key(p)
    g = geometry_for_key(key)
    h = hull_geometry(key)
    pose = object_pose(p, g)
    wv = g.positions.astype(float)[h.index] @ pose[:3, :3].T + pose[:3, 3]
    n = h.normals @ pose[:3, :3].T  # uniform scale times rotation: directions keep their sign
    to_cam = camera_position - wv[h.faces[:, 0]]
    cos = np.einsum("ij,ij->i", n, to_cam) / (np.linalg.norm(n, axis=1) * np.linalg.norm(to_cam, axis=1))
    front = np.zeros(len(wv), bool)
    back = np.zeros(len(wv), bool)
    for col in range(3):
        front[h.faces[cos >= -0.05, col]] = True
        back[h.faces[cos <= 0.05, col]] = True
    return wv[front & back], wv
