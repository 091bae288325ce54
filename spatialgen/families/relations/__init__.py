"""The relations family: text-only spatial stories (StepGame k-hop, bAbI 17 yes/no, bAbI 19
path finding, SpartQA-style find/choose object with "cannot be determined").

Templates pick the story kind with ``render: {story: khop | yesno | rooms | open_which |
open_choose}``; ``scenes/relations.yaml`` holds the paraphrase bank and the level ladder (its
``levels`` mapping is also the family preset). Every answer is computed twice, from the layout
and from the text alone, and templates keep a question only when both agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from ...render.text_panel import with_question
from .. import Family, register_family
from . import ops  # noqa: F401  (registers the operators)
from .bank import CANNOT, load_bank
from .openworld import make_choose_story, make_open_story
from .rooms import make_room_story
from .scene import QuerySpec, RelationsScene, StorySentence
from .story import Noise, Story, make_khop_story, make_yesno_story

STORIES = ("khop", "yesno", "rooms", "open_which", "open_choose")
# Question wordings for one-axis predicates. Deliberately unlike any story wording: in stories
# "lower down than" is a full relation (same column), in questions only one axis counts.
PRED_PHRASE = {"left": "in a column further left than", "right": "in a column further right than",
               "above": "in a row higher up than", "below": "in a row lower down than"}
PRED_AXIS = {"left": "horizontal", "right": "horizontal", "above": "vertical", "below": "vertical"}

_INTRO = {
    "unit": ("The story below places things on a grid. Each sentence that relates two of them puts one exactly "
             "one step from the other: straight (left, right, above, below) or diagonal (upper-left means one step "
             "up and one step left, and so on), or on the same spot. North is above and east is right; clock "
             "positions mean the usual directions (12 o'clock is above, 3 o'clock is right). Some sentences say "
             "nothing about positions."),
    "rooms": ("The story below describes rooms on a square grid. Each sentence says that one room lies directly "
              "north, south, east or west of another, with a door between them; you can only walk through those "
              "doors, one room per step."),
    "qualitative": ("The story below describes objects on a grid. 'Left of' and 'right of' mean in the same row, "
                    "further left or right; 'above' and 'below' mean in the same column, higher or lower; a diagonal "
                    "such as 'upper-left' means both higher up and further left; the same spot means equal positions. "
                    "Distances are never given, and positions the sentences do not fix may be anything."),
}


def _scene_of(story: Story, kind: str) -> RelationsScene:
    sentences = [story.sentences[i] for i in story.order]  # as the reader sees them
    return RelationsScene(
        story=kind, semantics=story.semantics,
        sentences=[StorySentence(a=s.a, rel=s.rel, b=s.b, template=s.template_id, text=s.text, role=s.role)
                   for s in sentences],
        positions={n: tuple(p) for n, p in story.layout.positions.items()},
        query=QuerySpec.of(story.query), k=story.k, k_true=story.k_true,
    ).with_id()  # type: ignore[return-value]


@register_family
class Relations(Family):
    name = "relations"
    scene_type = RelationsScene
    # A story is words, so its picture is the story typeset as an image: image = story in the
    # picture and the question in text, both = picture + story text, image_only = all in the picture.
    text_vars = ("a", "b", "pred", "pred_phrase", "axis", "candidates")

    def build_for(self, level: int, rng: np.random.Generator, hints: dict[str, Any]) -> RelationsScene:
        kind = hints.get("story", "khop")
        if kind not in STORIES:
            raise ValueError(f"relations templates set render.story to one of {', '.join(STORIES)}, not {kind!r}")
        cfg = self.level(level)
        bank = load_bank()
        if kind in ("khop", "yesno"):
            noise = dict(cfg["khop"])
            k = noise.pop("k")
            make = make_khop_story if kind == "khop" else make_yesno_story
            return _scene_of(make(k, Noise(**noise), rng, bank=bank), kind)
        if kind == "rooms":
            return _scene_of(make_room_story(rng=rng, bank=bank, **cfg["rooms"]), "rooms")
        o = cfg["open"]
        # Half the stories settle the question and half do not, so "cannot be determined" is
        # neither a safe guess nor a rare one.
        want = "undetermined" if rng.integers(2) else "determined"
        if kind == "open_which":
            story = make_open_story(o["objects"], o["facts"], rng, question="which", grid=o["grid"], bank=bank,
                                    want=want)
        else:
            story = make_choose_story(o["objects"], o["facts"], rng, grid=o["grid"], bank=bank, want=want)
        return _scene_of(story, "open")

    def build(self, level: int, rng: np.random.Generator) -> RelationsScene:
        return self.build_for(level, rng, {})

    def describe(self, scene: RelationsScene, modality: str) -> str:
        intro = _INTRO["rooms" if scene.story == "rooms" else scene.semantics]
        story = f"Story: {' '.join(scene.texts)}"
        if modality == "text":
            return f"{intro}\n\n{story}"
        if modality == "both":
            return f"{intro} The story is shown in the image and repeated here.\n\n{story}"
        return f"{intro} The story is shown in the image."

    def text_context(self, scene: RelationsScene) -> dict[str, Any]:
        q = scene.query
        return {"a": q.a, "b": q.b, "pred": q.pred, "pred_phrase": PRED_PHRASE.get(q.pred, ""),
                "axis": PRED_AXIS.get(q.pred, ""), "candidates": list(q.candidates)}

    def render(self, scene: RelationsScene, style: str, hints: dict[str, Any]) -> list[Image.Image]:
        return [with_question(None, f"Story: {' '.join(scene.texts)}")]


__all__ = ["CANNOT", "Relations", "RelationsScene"]
