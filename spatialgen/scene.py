"""Ground-truth scene graphs.

Every family defines one pydantic model deriving from :class:`Scene`. Scenes serialise to JSON
losslessly (``Scene.model_validate_json(s.model_dump_json()) == s``) and carry a stable id: a hash
of their content, so the same scene always gets the same id and duplicates are easy to find.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict


class Scene(BaseModel):
    """Base of all scene graphs: a ``family`` tag and a content-derived ``id``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    family: str
    id: str = ""

    def __eq__(self, other: object) -> bool:
        # Equal when the ground truth is equal; private caches (e.g. adjacency masks) don't count.
        if type(self) is not type(other):
            return NotImplemented
        return self.model_dump() == other.model_dump()  # type: ignore[union-attr]

    __hash__ = None  # type: ignore[assignment]  (mutable models are not hashable)

    def content_id(self) -> str:
        body = self.model_dump(mode="json", exclude={"id"})
        digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
        return f"{self.family}-{digest[:16]}"

    def with_id(self) -> "Scene":
        """Set ``id`` from the content (called once by builders, checked by ``verify``)."""
        self.id = self.content_id()
        return self

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
