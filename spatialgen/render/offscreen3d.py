"""Offscreen rendering of primitive scenes with pyrender (EGL, GPU or Mesa llvmpipe).

One :class:`Renderer3D` per process, reused for every sample: it owns the GL context and
caches GPU meshes, so a frame only costs the draw calls. Types for the scene description
live in :mod:`.scene3d` and are re-exported here.
"""

from __future__ import annotations

import io
import os
import sys
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .meshes3d import Geometry, geometry_for_key, geometry_key, object_pose
from .scene3d import Camera3D, DirectionalLight3D, Lighting3D, Primitive3D

__all__ = ["Camera3D", "DirectionalLight3D", "Lighting3D", "Primitive3D", "RenderOutput",
           "Renderer3D", "encode_png", "encode_depth_png16"]

# PyOpenGL picks its platform once, when OpenGL.platform is first imported, from this
# variable. Default to EGL (headless; GPU driver or Mesa) if nobody has decided yet.
if "OpenGL.platform" not in sys.modules:
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")

_BACKENDS = ("egl", "osmesa")
_MATERIALS = {"rubber": (0.0, 0.9), "metal": (0.7, 0.25)}  # (metallic, roughness)
_MESH_CACHE_SIZE = 512


def _select_backend(backend: str) -> str:
    if backend not in ("auto", *_BACKENDS):
        raise ValueError(f"backend must be 'auto', 'egl' or 'osmesa', got {backend!r}")
    env = os.environ.get("PYOPENGL_PLATFORM", "")
    want = backend if backend != "auto" else (env if env in _BACKENDS else "egl")
    loaded = sys.modules.get("OpenGL.platform")
    if loaded is not None:
        actual = type(loaded.PLATFORM).__name__.lower()  # e.g. "eglplatform"
        if not actual.startswith(want):
            raise RuntimeError(
                f"OpenGL was already imported with platform {type(loaded.PLATFORM).__name__}; "
                f"backend {want!r} needs PYOPENGL_PLATFORM={want} set before anything imports "
                "OpenGL or pyrender (import spatialgen.render.offscreen3d first, or export it)")
    else:
        os.environ["PYOPENGL_PLATFORM"] = want
    return want


@dataclass
class RenderOutput:
    """One rendered frame. Boxes are [x0, y0, x1, y1] pixels, x1/y1 exclusive."""

    rgb: np.ndarray  # (H, W, 3) uint8
    depth: np.ndarray | None  # (H, W) float32, camera-frame z in metres, 0 = background
    instance_mask: np.ndarray | None  # (H, W) int32, primitive index + 1, 0 = background
    boxes: dict[str, list[int] | None] = field(default_factory=dict)
    visible_pixels: dict[str, int] = field(default_factory=dict)
    # Fraction of the unoccluded in-frame silhouette hidden by other objects; None when the
    # object is entirely out of frame. Empty unless want_occlusion=True.
    occlusion: dict[str, float | None] = field(default_factory=dict)
    silhouette_pixels: dict[str, int] = field(default_factory=dict)


@dataclass
class CacheStats:
    geometry_builds: int = 0
    mesh_builds: int = 0
    mesh_hits: int = 0


def _light_pose(direction: np.ndarray) -> np.ndarray:
    # pyrender lights shine along their node's -z axis.
    d = direction / np.linalg.norm(direction)
    helper = np.array([0.0, 0.0, 1.0]) if abs(d[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    x = np.cross(helper, -d)
    x /= np.linalg.norm(x)
    y = np.cross(-d, x)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2] = x, y, -d
    return pose


class Renderer3D:
    """Reusable offscreen renderer; create one per process and call :meth:`render` often."""

    def __init__(self, width: int, height: int, backend: str = "auto") -> None:
        self.backend = _select_backend(backend)
        import pyrender  # deferred: must come after the platform is chosen

        self._pyrender = pyrender
        self.width, self.height = int(width), int(height)
        self._r = pyrender.OffscreenRenderer(self.width, self.height)
        self._geometry: dict[tuple, Geometry] = {}
        self._meshes: OrderedDict[tuple, object] = OrderedDict()
        self._floor: dict[tuple, object] = {}
        self._evicted: set = set()
        self.stats = CacheStats()
        self._info: dict[str, str] | None = None

    # -- resources ----------------------------------------------------------------------------

    def info(self) -> dict[str, str]:
        """GL_RENDERER / GL_VENDOR / GL_VERSION actually in use, and the backend name."""
        if self._info is None:
            from OpenGL import GL

            self._r._platform.make_current()
            try:
                get = lambda k: GL.glGetString(k).decode(errors="replace")  # noqa: E731
                self._info = {"GL_RENDERER": get(GL.GL_RENDERER), "GL_VENDOR": get(GL.GL_VENDOR),
                              "GL_VERSION": get(GL.GL_VERSION), "backend": self.backend}
            finally:
                self._r._platform.make_uncurrent()
            self._info["software"] = str("llvmpipe" in self._info["GL_RENDERER"].lower())
        return dict(self._info)

    def close(self) -> None:
        """Free the GL context (the renderer is unusable afterwards)."""
        if self._r is not None:
            self._r.delete()
            self._r = None

    def __enter__(self) -> Renderer3D:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _mesh(self, gkey: tuple, material: str, color: tuple[int, int, int]) -> object:
        key = (gkey, material, tuple(color))
        mesh = self._meshes.get(key)
        if mesh is not None:
            self.stats.mesh_hits += 1
            self._meshes.move_to_end(key)
            return mesh
        geom = self._geometry.get(gkey)
        if geom is None:
            geom = geometry_for_key(gkey)
            self._geometry[gkey] = geom
            self.stats.geometry_builds += 1
        metallic, roughness = _MATERIALS[material]
        pr = self._pyrender
        mat = pr.MetallicRoughnessMaterial(
            baseColorFactor=[c / 255.0 for c in color] + [1.0],
            metallicFactor=metallic, roughnessFactor=roughness, alphaMode="OPAQUE")
        prim = pr.Primitive(positions=geom.positions, normals=geom.normals,
                            color_0=geom.shade, indices=geom.indices, material=mat)
        mesh = pr.Mesh([prim])
        self._meshes[key] = mesh
        self.stats.mesh_builds += 1
        if len(self._meshes) > _MESH_CACHE_SIZE:  # colors may be jittered: bound the cache
            _, old = self._meshes.popitem(last=False)
            if any(pr._vaid is not None for pr in old.primitives):
                self._evicted.add(old)  # its GPU buffers are freed by the next draw
        return mesh

    def _floor_mesh(self, color: tuple[int, int, int]) -> object:
        if color not in self._floor:
            pr = self._pyrender
            pos = np.array([[-50, -50, 0], [50, -50, 0], [50, 50, 0], [-50, 50, 0]], np.float32)
            mat = pr.MetallicRoughnessMaterial(baseColorFactor=[c / 255 for c in color] + [1.0],
                                               metallicFactor=0.0, roughnessFactor=1.0)
            prim = pr.Primitive(positions=pos, normals=np.tile([0, 0, 1], (4, 1)).astype(np.float32),
                                indices=np.array([[0, 1, 2], [0, 2, 3]], np.uint32), material=mat)
            self._floor[color] = pr.Mesh([prim])
        return self._floor[color]

    # -- rendering ----------------------------------------------------------------------------

    def render(
        self,
        primitives: Sequence[Primitive3D],
        camera: Camera3D,
        lighting: Lighting3D | None = None,
        background: tuple[int, int, int] = (200, 200, 200),
        want_depth: bool = True,
        want_masks: bool = True,
        want_occlusion: bool = False,
        floor_color: tuple[int, int, int] | None = None,
    ) -> RenderOutput:
        """Render one frame. Masks, boxes and visible pixels need ``want_masks``; occlusion
        (one extra silhouette pass per object) needs ``want_occlusion`` and implies masks.
        The optional floor (a plane at z = 0) appears in rgb and depth but counts as background
        in the mask."""
        return self.render_views(primitives, [camera], lighting, background, want_depth, want_masks,
                                 want_occlusion, floor_color)[0]

    def render_views(
        self,
        primitives: Sequence[Primitive3D],
        cameras: Sequence[Camera3D],
        lighting: Lighting3D | None = None,
        background: tuple[int, int, int] = (200, 200, 200),
        want_depth: bool = True,
        want_masks: bool = True,
        want_occlusion: bool = False,
        floor_color: tuple[int, int, int] | None = None,
    ) -> list[RenderOutput]:
        """:meth:`render` for several cameras of one scene: the scene graph is built once and only
        the camera (and camera-relative lights) move between frames. Every camera must have the
        same image size."""
        if self._r is None:
            raise RuntimeError("renderer is closed")
        ids = [p.id for p in primitives]
        if len(set(ids)) != len(ids):
            raise ValueError("primitive ids must be unique")
        if len({(c.width, c.height) for c in cameras}) > 1:
            raise ValueError("render_views needs cameras of one image size")
        if not cameras:
            return []
        camera = cameras[0]
        if (camera.width, camera.height) != (self.width, self.height):
            # pyrender reallocates its framebuffer when the viewport changes; allowed but slow.
            self.width, self.height = camera.width, camera.height
            self._r.viewport_width, self._r.viewport_height = camera.width, camera.height
        lighting = lighting or Lighting3D()
        pr = self._pyrender
        amb = float(lighting.ambient)
        scene = pr.Scene(bg_color=[c / 255.0 for c in background] + [1.0],
                         ambient_light=[amb, amb, amb])
        cam_node = scene.add(pr.PerspectiveCamera(yfov=np.radians(camera.yfov_deg), znear=0.05, zfar=200.0,
                                                  aspectRatio=camera.width / camera.height),
                             pose=camera.gl_pose())
        light_nodes = [scene.add(pr.DirectionalLight(color=[c / 255.0 for c in light.color],
                                                     intensity=light.intensity), pose=np.eye(4))
                       for light in lighting.lights]
        nodes = []
        for p in primitives:
            gkey = geometry_key(p)
            mesh = self._mesh(gkey, p.material, p.color)
            geom = self._geometry[gkey]
            nodes.append(scene.add(mesh, pose=object_pose(p, geom)))
        if floor_color is not None:
            scene.add(self._floor_mesh(tuple(floor_color)))
        flags = pr.RenderFlags.NONE
        if lighting.shadows:
            flags |= pr.RenderFlags.SHADOWS_DIRECTIONAL
        seg_all = {n: i + 1 for i, n in enumerate(nodes)}
        outs = []
        for cam in cameras:
            if cam.yfov_deg != camera.yfov_deg:
                cam_node.camera.yfov = np.radians(cam.yfov_deg)
            scene.set_pose(cam_node, cam.gl_pose())
            cam_rot_cv = cam.extrinsic_array()[:3, :3].T  # camera (OpenCV) -> world rotation
            for node, light in zip(light_nodes, lighting.lights):
                d = np.asarray(light.direction, float)
                if lighting.camera_relative:
                    d = cam_rot_cv @ d
                scene.set_pose(node, _light_pose(d))
            rgb, depth = self._draw(scene, flags, depth=want_depth)
            out = RenderOutput(rgb=rgb, depth=depth, instance_mask=None)
            if want_masks or want_occlusion:
                mask = self._seg(scene, seg_all)
                out.instance_mask = mask
                counts = np.bincount(mask.ravel(), minlength=len(ids) + 1)
                for i, pid in enumerate(ids):
                    out.visible_pixels[pid] = int(counts[i + 1])
                    out.boxes[pid] = _box(mask == i + 1) if counts[i + 1] else None
                if want_occlusion:
                    for i, (pid, node) in enumerate(zip(ids, nodes)):
                        # Only this node is in the seg map: the others are skipped, not drawn,
                        # so this is the object's complete in-frame silhouette.
                        full = int(np.count_nonzero(self._seg(scene, {node: 1})))
                        out.silhouette_pixels[pid] = full
                        out.occlusion[pid] = float(1.0 - counts[i + 1] / full) if full else None
            outs.append(out)
        return outs

    def _draw(self, scene: object, flags: int, depth: bool = True, seg_node_map: dict | None = None):
        """One pyrender pass with a lean read-back: pyrender's own reads and linearises the depth
        buffer on every pass (segmentation included); here depth is read only when asked for and
        a segmentation pass reads just the two id channels. Pixels are the same bytes."""
        inner = self._r._renderer
        want = {"depth": depth, "seg": seg_node_map is not None}
        # pyrender frees the GPU buffers of every mesh absent from this scene and re-uploads them when
        # they come back; our meshes are cached across scenes, so keep them resident: tell pyrender
        # that only already-uploaded meshes of this scene are in the context (it then uploads the new
        # ones and deletes nothing), except meshes our cache has dropped, which it deletes.
        meshes = scene.meshes
        inner._meshes = {m for m in meshes if all(pr._vaid is not None for pr in m.primitives)} \
            | (self._evicted - meshes)
        self._evicted -= inner._meshes
        inner._read_main_framebuffer = lambda sc, fl: _read_framebuffer(inner, sc, want)
        try:
            return self._r.render(scene, flags=flags, seg_node_map=seg_node_map)
        finally:
            del inner._read_main_framebuffer

    def _seg(self, scene: object, node_ids: dict) -> np.ndarray:
        # pyrender disables multisampling for SEG passes, so ids never blend at edges; ids are
        # packed in red + 256 * green to allow up to 65535 objects.
        pr = self._pyrender
        cmap = {n: ((k & 255), (k >> 8) & 255, 0) for n, k in node_ids.items()}
        seg, _ = self._draw(scene, pr.RenderFlags.SEG, depth=False, seg_node_map=cmap)
        return seg[..., 0].astype(np.int32) | (seg[..., 1].astype(np.int32) << 8)


def _read_framebuffer(renderer: object, scene: object, want: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """Resolve pyrender's multisampled framebuffer and read it back (replaces
    ``Renderer._read_main_framebuffer`` for one call). Returns (rgb or (H, W, 2) seg ids, depth)."""
    from OpenGL import GL, images

    images.COMPONENT_COUNTS.setdefault(GL.GL_RG, 2)  # PyOpenGL's table lacks two-channel reads
    width, height = renderer._main_fb_dims
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb_ms)
    GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, renderer._main_fb)
    GL.glBlitFramebuffer(0, 0, width, height, 0, 0, width, height, GL.GL_COLOR_BUFFER_BIT, GL.GL_LINEAR)
    if want["depth"]:
        GL.glBlitFramebuffer(0, 0, width, height, 0, 0, width, height, GL.GL_DEPTH_BUFFER_BIT, GL.GL_NEAREST)
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, renderer._main_fb)
    GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
    depth = None
    if want["depth"]:
        buf = GL.glReadPixels(0, 0, width, height, GL.GL_DEPTH_COMPONENT, GL.GL_FLOAT)
        z = np.frombuffer(buf, dtype=np.float32).reshape(height, width)[::-1]
        cam = scene.main_camera_node.camera
        n, f = cam.znear, cam.zfar
        with np.errstate(divide="ignore"):
            lin = (2.0 * n * f) / (f + n - (2.0 * z - 1.0) * (f - n))  # pyrender's formula, in float32
        depth = np.where(z == 1.0, np.float32(0.0), lin).astype(np.float32, copy=False)
    fmt, ch = (GL.GL_RG, 2) if want["seg"] else (GL.GL_RGB, 3)
    buf = GL.glReadPixels(0, 0, width, height, fmt, GL.GL_UNSIGNED_BYTE)
    color = np.ascontiguousarray(np.frombuffer(buf, dtype=np.uint8).reshape(height, width, ch)[::-1])
    return color, depth


def _box(m: np.ndarray) -> list[int]:
    rows = np.flatnonzero(m.any(axis=1))
    cols = np.flatnonzero(m.any(axis=0))
    return [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]


def encode_png(rgb: np.ndarray) -> bytes:
    """PNG bytes of an (H, W, 3) uint8 image; compress_level=1 favours speed over size."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)).save(buf, format="PNG",
                                                                    compress_level=1)
    return buf.getvalue()


def encode_depth_png16(depth: np.ndarray, max_depth: float) -> bytes:
    """16-bit grayscale PNG of a depth map: value = round(depth / max_depth * 65535).

    0 stays 0 (background); depths beyond ``max_depth`` saturate. Decode with
    ``depth = png / 65535 * max_depth``.
    """
    from PIL import Image

    if max_depth <= 0:
        raise ValueError("max_depth must be positive")
    q = np.rint(np.clip(np.asarray(depth, np.float64) / max_depth, 0.0, 1.0) * 65535.0)
    buf = io.BytesIO()
    Image.fromarray(q.astype(np.uint16)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()
