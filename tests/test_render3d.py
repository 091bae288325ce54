"""Behaviour of the offscreen 3D renderer on the software (EGL + Mesa llvmpipe) path."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from spatialgen.geometry import random_arm_shape, proper_rotations
from spatialgen.render.meshes3d import world_center, world_vertices
from spatialgen.render.offscreen3d import (
    Camera3D,
    Primitive3D,
    Renderer3D,
    _select_backend,
    encode_depth_png16,
    encode_png,
)

W, H = 240, 160
BG = (200, 200, 200)


@pytest.fixture(scope="module")
def renderer() -> Renderer3D:
    # The process-wide renderer, never closed here: pyrender's EGL teardown terminates the shared
    # display, which would break the renderer the 3D families keep for the rest of the process.
    from spatialgen.render.worker import get_renderer

    yield get_renderer(W, H)


def cam(distance: float = 9.0, azimuth: float = 20.0, elevation: float = 35.0) -> Camera3D:
    return Camera3D.orbit((0, 0, 0.4), distance, azimuth, elevation, width=W, height=H)


def spread_scene() -> list[Primitive3D]:
    """Five well separated objects, one of each basic shape."""
    return [
        Primitive3D(id="cube", shape="cube", color=(220, 40, 40), position=(-2.5, 0), rotation=30),
        Primitive3D(id="ball", shape="sphere", color=(40, 200, 40), material="metal",
                    position=(0, 0)),
        Primitive3D(id="can", shape="cylinder", color=(40, 40, 220), position=(2.5, 0)),
        Primitive3D(id="cone", shape="cone", color=(220, 200, 40), position=(-1.2, 2.5)),
        Primitive3D(id="ring", shape="torus", color=(200, 40, 200), position=(1.2, 2.5), size=1.3),
    ]


def test_reports_gl_renderer_in_use(renderer):
    info = renderer.info()
    assert info["backend"] in ("egl", "osmesa")
    assert info["GL_RENDERER"] and info["GL_VENDOR"]


def test_switching_platform_after_opengl_import_is_a_clear_error(renderer):
    other = "osmesa" if renderer.backend == "egl" else "egl"
    with pytest.raises(RuntimeError, match="already imported"):
        _select_backend(other)


def test_empty_scene_is_all_background(renderer):
    out = renderer.render([], cam(), background=BG)
    assert out.rgb.shape == (H, W, 3) and out.rgb.dtype == np.uint8
    assert (out.rgb == np.array(BG, np.uint8)).all()
    assert not out.depth.any() and not out.instance_mask.any()


def test_mask_holds_exact_ids_and_matches_depth_coverage(renderer):
    prims = spread_scene()
    out = renderer.render(prims, cam())
    assert out.instance_mask.dtype == np.int32
    # Only whole ids: no blended values from anti-aliasing at silhouette edges.
    assert set(np.unique(out.instance_mask)) == set(range(len(prims) + 1))
    covered, has_depth = out.instance_mask > 0, out.depth > 0
    # Depth comes from one multisample of the shaded pass, ids from pixel centres: they may
    # disagree only on the one-pixel band along silhouette edges.
    band = _grow(covered) & _grow(~covered)
    assert not ((covered ^ has_depth) & ~band).any()
    assert (covered ^ has_depth).sum() < 0.1 * covered.sum()


def _grow(m: np.ndarray) -> np.ndarray:
    """Dilate a boolean image by one pixel (4-neighbourhood)."""
    g = m.copy()
    g[1:] |= m[:-1]
    g[:-1] |= m[1:]
    g[:, 1:] |= m[:, :-1]
    g[:, :-1] |= m[:, 1:]
    return g


def test_projected_centres_land_inside_boxes_and_masks(renderer):
    prims = spread_scene()
    camera = cam()
    out = renderer.render(prims, camera)
    for i, p in enumerate(prims):
        uv, depths = camera.project([world_center(p)])
        (u, v), depth = uv[0], depths[0]
        x0, y0, x1, y1 = out.boxes[p.id]
        assert x0 <= u < x1 and y0 <= v < y1, p.id
        if p.shape != "torus":  # the torus centre is its hole
            assert out.instance_mask[int(v), int(u)] == i + 1, p.id
            # The visible surface at the centre's pixel lies in front of the centre.
            assert 0 < out.depth[int(v), int(u)] < depth


def test_boxes_match_projected_vertices(renderer):
    prims = spread_scene()
    camera = cam()
    out = renderer.render(prims, camera)
    for p in prims:
        uv, _ = camera.project(world_vertices(p))
        expected = [uv[:, 0].min(), uv[:, 1].min(), uv[:, 0].max(), uv[:, 1].max()]
        assert np.allclose(out.boxes[p.id], expected, atol=1.5), p.id
        assert out.visible_pixels[p.id] == int((out.instance_mask == prims.index(p) + 1).sum())


def test_sphere_mask_grows_as_camera_moves_closer(renderer):
    ball = [Primitive3D(id="ball", shape="sphere", color=(40, 200, 40))]
    areas = [renderer.render(ball, cam(distance=d)).visible_pixels["ball"] for d in (12, 8, 5)]
    assert 0 < areas[0] < areas[1] < areas[2]
    # Apparent area scales roughly with 1 / distance^2.
    assert 1.5 < areas[2] / areas[1] < 3.5


def test_object_behind_a_bigger_one_is_occluded(renderer):
    camera = Camera3D(position=(0, -10, 1.0), look_at=(0, 0, 1.0), width=W, height=H)
    prims = [
        Primitive3D(id="wall", shape="cube", size=2.0, color=(200, 50, 50), position=(0, -1)),
        Primitive3D(id="hidden", shape="sphere", size=0.8, color=(50, 50, 200), position=(0, 2)),
    ]
    out = renderer.render(prims, camera, want_occlusion=True)
    assert out.visible_pixels["hidden"] <= 3
    assert out.occlusion["hidden"] > 0.95 and out.silhouette_pixels["hidden"] > 100
    assert out.occlusion["wall"] == 0.0
    # Moving it aside reveals it completely.
    prims[1] = prims[1].model_copy(update={"position": (3, 2)})
    out = renderer.render(prims, camera, want_occlusion=True)
    assert out.occlusion["hidden"] == 0.0
    assert out.visible_pixels["hidden"] == out.silhouette_pixels["hidden"] > 100


def test_out_of_frame_object_has_no_box(renderer):
    prims = [Primitive3D(id="far", shape="cube", position=(60, 0))]
    out = renderer.render(prims, cam(), want_occlusion=True)
    assert out.boxes["far"] is None and out.visible_pixels["far"] == 0
    assert out.occlusion["far"] is None


def test_rgb_is_deterministic(renderer):
    prims, camera = spread_scene(), cam()
    first = renderer.render(prims, camera, floor_color=(150, 150, 150)).rgb.tobytes()
    renderer.render(prims[::-1], cam(azimuth=70))  # unrelated frame in between
    again = renderer.render(prims, camera, floor_color=(150, 150, 150)).rgb.tobytes()
    assert first == again
    moved = renderer.render(prims, cam(azimuth=21), floor_color=(150, 150, 150)).rgb.tobytes()
    assert moved != first  # and it does depend on the inputs


def test_meshes_are_cached_across_renders(renderer):
    prims = [p.model_copy(update={"color": (11, 22, 33)}) for p in spread_scene()]
    renderer.render(prims, cam())
    before = (renderer.stats.mesh_builds, renderer.stats.geometry_builds, renderer.stats.mesh_hits)
    moved = [p.model_copy(update={"position": (p.position[0] + 0.3, p.position[1])}) for p in prims]
    renderer.render(moved, cam(azimuth=50))
    assert renderer.stats.mesh_builds == before[0]
    assert renderer.stats.geometry_builds == before[1]
    assert renderer.stats.mesh_hits == before[2] + len(prims)


def test_rotated_polycubes_share_one_geometry_and_rest_on_ground(renderer):
    cells = random_arm_shape(8, 3, np.random.default_rng(3))
    rots = proper_rotations()
    prims = [Primitive3D(id=f"p{k}", shape="mesh_cubes", cells=cells, size=0.4,
                         color=(40, 200, 200), position=(2.0 * k - 2, 0), rotation=rots[5 * k + 1])
             for k in range(3)]
    builds = renderer.stats.geometry_builds
    out = renderer.render(prims, cam())
    assert renderer.stats.geometry_builds - builds <= 1
    for p in prims:
        assert out.visible_pixels[p.id] > 50
        assert world_vertices(p)[:, 2].min() == pytest.approx(0.0, abs=1e-6)


def test_objects_rest_on_ground_unless_z_given():
    for shape in ("cube", "sphere", "cylinder", "cone", "torus"):
        p = Primitive3D(id="o", shape=shape, size=1.7, rotation=40, position=(1, 2))
        assert world_vertices(p)[:, 2].min() == pytest.approx(0.0, abs=1e-5)
        lifted = p.model_copy(update={"position": (1, 2, 3.0)})
        assert world_center(lifted)[2] == 3.0


def test_camera_conventions():
    c = Camera3D(position=(0, -10, 0), look_at=(0, 0, 0), width=200, height=100, yfov_deg=60)
    k = c.intrinsics()
    assert (k["cx"], k["cy"]) == (100, 50) and k["fx"] == k["fy"]
    uv, depth = c.project([(0, 0, 0), (1, 0, 0), (0, 0, 1), (0, 5, 0)])
    assert np.allclose(uv[0], (100, 50)) and depth[0] == pytest.approx(10)
    assert uv[1, 0] > 100  # world +x is to the right for a camera looking along +y
    assert uv[2, 1] < 50  # up in the world is up in the image (v grows downwards)
    assert depth[3] == pytest.approx(15)  # depth is distance along the viewing axis
    ext = np.array(c.extrinsic())
    assert np.allclose(ext @ [0, -10, 0, 1], [0, 0, 0, 1])


def test_png_helpers_round_trip():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (32, 48, 3), dtype=np.uint8)
    assert (np.asarray(Image.open(io.BytesIO(encode_png(rgb)))) == rgb).all()
    depth = rng.uniform(0, 20, (32, 48)).astype(np.float32)
    depth[0, 0] = 0.0
    back = np.asarray(Image.open(io.BytesIO(encode_depth_png16(depth, 20.0)))).astype(float)
    assert back[0, 0] == 0
    assert np.abs(back / 65535 * 20.0 - depth).max() <= 20.0 / 65535
