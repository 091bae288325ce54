"""How a run is cut into shards, and how one shard's records are made.

A run is a set of *streams*, one per (split, level). Position ``j`` of a level's stream is the
record with global index ``j * L + level_position`` (``L`` = number of levels) and task
``tasks[j % T]``: exactly record ``i`` of the round-robin order that ``Dataset`` and ``--n`` use, so
``--n-per-level N`` over 5 levels gives the same train records as ``--n 5N``.

A shard is a fixed block of positions of one stream. Shards are processed in a canonical order
(test, validation, train; levels ascending; blocks ascending); the parent finalises them in that
order, so finished shards always form a prefix and a resumed run restores its state (duplicate
keys seen, spare positions used) from that prefix alone.

Shard work is a pure function of (config, shard): :func:`make_shard` runs in a local process or as
a Ray task and returns bytes only, so every executor produces byte-identical output.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from . import __version__
from .sampler import SPLITS

#: Canonical processing order of splits: held-out splits first, so a question that happens to be
#: drawn twice is kept in test/validation and replaced in train (never the other way round).
SPLIT_ORDER = ("test", "validation", "train")
DEFAULT_SHARD_SIZE = 1000


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a run's content (not how it is executed)."""

    task_ids: tuple[str, ...]
    levels: tuple[int, ...]
    seed: int
    modality: str
    counts: tuple[tuple[str, int, int], ...]  # (split, level, records)
    shard_size: int = DEFAULT_SHARD_SIZE
    completion: str = "answer"
    template_dirs: tuple[str, ...] = ()
    version: str = __version__
    template_digest: str = ""

    @property
    def config_hash(self) -> str:
        """Short hash of every content-determining setting plus the templates' text; two runs with
        equal hashes and versions produce identical records."""
        d = asdict(self)
        d.pop("template_dirs")  # where templates live does not matter, their text does (digest)
        return hashlib.sha256(orjson.dumps(d, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]

    def count(self, split: str, level: int) -> int:
        for s, lv, n in self.counts:
            if s == split and lv == level:
                return n
        return 0

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.counts)

    def splits(self) -> list[str]:
        return [s for s in SPLITS if any(self.count(s, lv) for lv in self.levels)]


@dataclass(frozen=True)
class ShardSpec:
    split: str
    level: int
    number: int       # i of "i-of-n"
    of: int           # n of "i-of-n"
    lo: int           # first stream position
    hi: int           # one past the last stream position

    @property
    def name(self) -> str:
        return f"{self.split}-{self.number:05d}-of-{self.of:05d}"

    @property
    def config(self) -> str:
        return f"level_{self.level}"

    @property
    def size(self) -> int:
        return self.hi - self.lo

    def rel(self, kind: str) -> str:
        """Relative path of this shard's ``parquet`` or ``jsonl`` file, or its ``marker``."""
        if kind == "parquet":
            return f"data/{self.config}/{self.name}.parquet"
        if kind == "jsonl":
            return f"records/{self.config}/{self.name}.jsonl"
        if kind == "marker":
            return f".shards/{self.config}-{self.name}.json"
        raise ValueError(kind)


def stream_counts(n: int | None, n_per_level: int | None, levels: list[int], validation: int, test: int
                  ) -> tuple[tuple[str, int, int], ...]:
    """Records per (split, level). ``--n`` spreads ``n`` train records round-robin over levels (as
    the round-robin order does); ``--n-per-level`` gives each level the same count."""
    out = []
    L = len(levels)
    for pos, lv in enumerate(levels):
        if n_per_level is not None:
            train = n_per_level
        else:
            assert n is not None
            train = len(range(pos, n, L))
        for split, k in (("train", train), ("validation", validation), ("test", test)):
            if k:
                out.append((split, lv, k))
    return tuple(out)


def plan_shards(cfg: RunConfig) -> list[ShardSpec]:
    """All shards of a run in canonical order."""
    shards = []
    for split in SPLIT_ORDER:
        for lv in cfg.levels:
            n = cfg.count(split, lv)
            if not n:
                continue
            of = -(-n // cfg.shard_size)
            for k in range(of):
                lo = k * cfg.shard_size
                shards.append(ShardSpec(split, lv, k, of, lo, min(lo + cfg.shard_size, n)))
    return shards


def global_index(cfg: RunConfig, level: int, position: int) -> int:
    return position * len(cfg.levels) + cfg.levels.index(level)


def dedup_key(record: dict[str, Any]) -> int:
    """64-bit identity of a question: same scene, task and parameters = same question, whatever the
    wording variant or option order. Used to keep splits disjoint and datasets duplicate-free."""
    blob = orjson.dumps([record["scene"]["id"], record["task"], record["params"]], option=orjson.OPT_SORT_KEYS)
    return int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "little")


@dataclass
class Item:
    """One generated record as bytes (picklable, cheap to ship between processes)."""

    key: int
    line: bytes                      # the JSONL line, newline included
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (relative path, PNG bytes)
    extras: list[tuple[str, bytes]] = field(default_factory=list)  # family extras (depth, masks): files only


def make_item(cfg: RunConfig, split: str, level: int, position: int) -> Item:
    from .catalog import catalog
    from .sampler import make_record
    from .writer import dump_record, encode_png

    cat = catalog(cfg.template_dirs)
    task = cat.get(cfg.task_ids[position % len(cfg.task_ids)])
    sample = make_record(task, level, cfg.seed, global_index(cfg, level, position), cfg.modality, split=split)
    images = [(rel, encode_png(img)) for rel, img in zip(sample.record["images"], sample.images)]
    return Item(dedup_key(sample.record), dump_record(sample.record), images, sorted(sample.files.items()))


def make_shard(cfg: RunConfig, spec: ShardSpec) -> list[Item]:
    """The records of one shard (before duplicate removal, which needs the run's history)."""
    return [make_item(cfg, spec.split, spec.level, j) for j in range(spec.lo, spec.hi)]
