"""What a scene family provides. A new family is one module in this package plus
``scenes/<name>.yaml`` and ``templates/<name>/``; nothing central changes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import yaml
from PIL import Image

from ..resources import data_dir
from ..scene import Scene

#: image: picture + question text; text: the scene described completely in words, no picture;
#: both: picture + complete description; image_only: the question is drawn into the picture too.
MODALITIES = ("image", "text", "both", "image_only")
#: Modalities whose records carry images.
IMAGE_MODALITIES = ("image", "both", "image_only")


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str = ""


class Family:
    """Base class: subclass, set ``name`` and ``scene_type``, and decorate with ``@register_family``."""

    name: ClassVar[str]
    scene_type: ClassVar[type[Scene]]
    #: Render styles chosen per record by the seed (names are recorded in the record).
    styles: ClassVar[tuple[str, ...]] = ("default",)
    #: Names that :meth:`text_context` provides to question text (checked when templates load).
    text_vars: ClassVar[tuple[str, ...]] = ()
    #: Modalities the family can produce (a text-only family leaves out image and both).
    modalities: ClassVar[tuple[str, ...]] = MODALITIES

    @cached_property
    def preset(self) -> dict[str, Any]:
        path = data_dir("scenes") / f"{self.name}.yaml"
        with open(path) as f:
            return yaml.safe_load(f)

    @property
    def levels(self) -> dict[int, dict[str, Any]]:
        return {int(k): v for k, v in self.preset["levels"].items()}

    def level(self, level: int) -> dict[str, Any]:
        try:
            return self.levels[level]
        except KeyError:
            lv = sorted(self.levels)
            raise ValueError(f"level {level} is not defined for family '{self.name}' "
                             f"(levels {lv[0]}-{lv[-1]} in scenes/{self.name}.yaml)") from None

    def check_modality(self, modality: str) -> None:
        if modality not in MODALITIES:
            raise ValueError(f"unknown modality {modality!r}; choose from {', '.join(MODALITIES)}")
        if modality not in self.modalities:
            raise ValueError(f"family '{self.name}' cannot produce modality '{modality}' "
                             f"(it supports {', '.join(self.modalities)})")

    def build_for(self, level: int, rng: np.random.Generator, hints: dict[str, Any]) -> Scene:
        """Like :meth:`build`, for a template whose ``render`` block is ``hints``: lets one family
        build different scene kinds per task (grid vs map, story kinds). Defaults to :meth:`build`."""
        return self.build(level, rng)

    # -- to implement ---------------------------------------------------------------------------
    def build(self, level: int, rng: np.random.Generator) -> Scene:
        """A random ground-truth scene for ``level``."""
        raise NotImplementedError

    def describe(self, scene: Scene, modality: str) -> str:
        """The text placed before the question: what the image shows (image, image_only), or the
        scene completely in words (text), or both (both)."""
        raise NotImplementedError

    def text_context(self, scene: Scene) -> dict[str, Any]:
        """Scene facts available to question templates' Jinja text (beside the parameters)."""
        return {}

    def render(self, scene: Scene, style: str, hints: dict[str, Any]) -> list[Image.Image]:
        """Images of the scene (``hints`` come from the template's ``render`` block)."""
        raise NotImplementedError

    #: How many perturbed copies of a scene the answer must survive (0 = no perturbation check).
    perturbations: ClassVar[int] = 0

    def perturb(self, scene: Scene, rng: np.random.Generator) -> Scene:
        """A copy of ``scene`` nudged by a tiny epsilon (positions, camera angle...). Used with
        ``perturbations`` > 0: a question whose answer changes under such nudges is rejected."""
        raise NotImplementedError

    def render_checks(self, scene: Scene, images: list[Image.Image], style: str,
                      hints: dict[str, Any]) -> list[CheckResult]:
        """Checks that what the question refers to is visible in the rendered images."""
        return []

    # -- optional hooks (defaults keep families that ignore them unchanged) -----------------------
    def render_precheck(self, scene: Scene, hints: dict[str, Any]) -> str | None:
        """Called on a freshly built scene before any question is drawn or image rendered, when the
        record will have images: the name of a render check that would *certainly* fail on this
        scene (proved without rendering), or None. It must be conservative: a scene it rejects must
        be one that :meth:`render_checks` would reject too, so the records produced for a seed are
        unchanged and :meth:`render_checks` still runs on every accepted scene. Default: None."""
        return None

    def build_for(self, level: int, rng: np.random.Generator, hints: dict[str, Any]) -> Scene:
        """Like :meth:`build`, for a template whose ``render`` block is ``hints``: lets one family
        build different puzzle kinds (or numbers of views) per task. Defaults to :meth:`build`."""
        return self.build(level, rng)

    def extras(self, scene: Scene, style: str, hints: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bytes]]:
        """Called right after :meth:`render_checks` passed: extra record fields (stored under
        ``annotations``) and extra files (name suffix -> bytes, written beside the record's image
        as ``images/<record id>.<suffix>`` and hashed into the manifest). Default: none."""
        return {}, {}
