"""Core operators every family can use: comparison, logic, arithmetic, lists."""

from __future__ import annotations

from .errors import ProgramError
from .operators import operator


@operator("eq(a: T, b: T) -> Bool")
def eq(ctx, a, b):
    """a equals b"""
    return a == b


@operator("ne(a: T, b: T) -> Bool")
def ne(ctx, a, b):
    """a differs from b"""
    return a != b


@operator("lt(a: Float, b: Float) -> Bool")
def lt(ctx, a, b):
    """a < b"""
    return a < b


@operator("le(a: Float, b: Float) -> Bool")
def le(ctx, a, b):
    """a <= b"""
    return a <= b


@operator("gt(a: Float, b: Float) -> Bool")
def gt(ctx, a, b):
    """a > b"""
    return a > b


@operator("ge(a: Float, b: Float) -> Bool")
def ge(ctx, a, b):
    """a >= b"""
    return a >= b


@operator("and(a: Bool, b: Bool) -> Bool")
def and_(ctx, a, b):
    """both hold"""
    return a and b


@operator("or(a: Bool, b: Bool) -> Bool")
def or_(ctx, a, b):
    """at least one holds"""
    return a or b


@operator("not(a: Bool) -> Bool")
def not_(ctx, a):
    """negation"""
    return not a


@operator("add(a: T, b: T) -> T")
def add(ctx, a, b):
    """sum of two numbers"""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a + b
    raise ProgramError("add() needs numbers")


@operator("sub(a: T, b: T) -> T")
def sub(ctx, a, b):
    """difference of two numbers"""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a - b
    raise ProgramError("sub() needs numbers")


@operator("abs(a: T) -> T")
def abs_(ctx, a):
    """absolute value"""
    return abs(a)


@operator("len(items: List[T]) -> Int")
def len_(ctx, items):
    """number of items"""
    return len(items)


@operator("contains(items: List[T], item: T) -> Bool")
def contains(ctx, items, item):
    """item is one of items"""
    return item in items


@operator("at(items: List[T], i: Int) -> T")
def at(ctx, items, i):
    """the i-th item (0-based)"""
    if not -len(items) <= i < len(items):
        raise ProgramError(f"index {i} out of range for {len(items)} items")
    return items[i]


@operator("min(items: List[T]) -> T")
def min_(ctx, items):
    """smallest item"""
    if not items:
        raise ProgramError("min() of an empty list")
    return min(items)


@operator("max(items: List[T]) -> T")
def max_(ctx, items):
    """largest item"""
    if not items:
        raise ProgramError("max() of an empty list")
    return max(items)


@operator("sort(items: List[T]) -> List[T]")
def sort(ctx, items):
    """items in ascending order"""
    return tuple(sorted(items))


@operator("random_int(lo: Int, hi: Int) -> Int", random=True)
def random_int(ctx, lo, hi):
    """uniform integer in [lo, hi]"""
    if hi < lo:
        raise ProgramError(f"random_int: empty range [{lo}, {hi}]")
    return int(ctx.rng.integers(lo, hi + 1))


@operator("random_choice(items: List[T]) -> T", random=True)
def random_choice(ctx, items):
    """one item chosen uniformly"""
    if not items:
        raise ProgramError("random_choice of an empty list")
    return items[int(ctx.rng.integers(len(items)))]
