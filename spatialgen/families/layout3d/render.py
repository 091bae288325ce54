"""Rendering of 3D layouts through the shared offscreen renderer, and the mask/depth extras."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from ...render.scene3d import DirectionalLight3D, Lighting3D, Primitive3D
from .scene import Layout3DScene, knob_primitive

STYLES = {  # background, floor (unused: see _render_views), light intensity scale
    "studio": ((205, 205, 210), (160, 160, 165), 1.0),
    "warm": ((215, 200, 180), (170, 150, 125), 1.1),
    "cool": ((175, 190, 210), (130, 140, 155), 0.9),
}


class RenderMixin:
    """Layout3D's rendering (mixed into the Family subclass); caches the last render in ``self._cache``."""

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
        from ...render.worker import get_renderer

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

    def extras(self, scene: Layout3DScene, style: str, hints: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bytes]]:
        from ...render.offscreen3d import encode_depth_png16
        from ...render.worker import renderer_info

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
