"""The relations scene graph: a story (sentences with the relation each one states), the
ground-truth layout and the query. Everything ``verify`` needs to re-run both the program on the
layout and the independent deduction from the sentence texts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ...scene import Scene
from .bank import PredicateQuery, Query, RelationQuery, RouteQuery, WhichQuery
from .story import Layout, Sentence


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StorySentence(_Model):
    """One sentence as the reader sees it, with the triple (a, rel, b) it was written from."""

    a: str
    rel: str
    b: str | None = None
    template: str
    text: str
    role: str


class QuerySpec(_Model):
    kind: Literal["relation", "predicate", "which", "route"]
    a: str = ""
    b: str = ""
    pred: str = ""
    candidates: list[str] = []

    def to_query(self) -> Query:
        if self.kind == "relation":
            return RelationQuery(self.a, self.b)
        if self.kind == "predicate":
            return PredicateQuery(self.a, self.pred, self.b)
        if self.kind == "which":
            return WhichQuery(self.pred, self.b, tuple(self.candidates))
        return RouteQuery(self.a, self.b)

    @classmethod
    def of(cls, q: Query) -> "QuerySpec":
        if isinstance(q, RelationQuery):
            return cls(kind="relation", a=q.a, b=q.b)
        if isinstance(q, PredicateQuery):
            return cls(kind="predicate", a=q.a, pred=q.pred, b=q.b)
        if isinstance(q, WhichQuery):
            return cls(kind="which", pred=q.pred, b=q.ref, candidates=list(q.candidates))
        return cls(kind="route", a=q.start, b=q.goal)


class RelationsScene(Scene):
    family: Literal["relations"] = "relations"
    story: Literal["khop", "yesno", "rooms", "open"]
    semantics: Literal["unit", "qualitative"]
    sentences: list[StorySentence]  # in presentation order
    positions: dict[str, tuple[int, int]]
    query: QuerySpec
    k: int = 0
    k_true: int = 0

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.sentences]

    def layout(self) -> Layout:
        return Layout({n: tuple(p) for n, p in self.positions.items()})

    def story_sentences(self) -> list[Sentence]:
        return [Sentence(s.a, s.rel, s.b, s.template, s.text, s.role) for s in self.sentences]
