"""Behaviour of the exact cube geometry: rotation group, polycubes, colored cubes, nets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spatialgen.geometry import cube as cubemod
from spatialgen.geometry.polycube import (
    canonical,
    is_chiral,
    is_connected,
    is_mirror_of,
    is_rotation_of,
    mirror_cells,
    near_miss,
    normalize,
    random_arm_shape,
    rotate_cells,
)
from spatialgen.geometry.rotations import (
    IDENTITY,
    compose,
    det,
    improper_rotations,
    inverse,
    matmul,
    proper_rotations,
    rotation_matrix,
    shortest_steps,
)

ROT = proper_rotations()
rotations = st.sampled_from(ROT)
steps = st.lists(st.tuples(st.sampled_from("xyz"), st.sampled_from([90, -90, 180, 270])),
                 max_size=6)
seeds = st.integers(0, 2**32 - 1)

# An L-tetracube lying flat is achiral; this 4-cube "screw" (tetracube S-skew) is chiral.
FLAT_L = ((0, 0, 0), (1, 0, 0), (2, 0, 0), (2, 1, 0))
CHIRAL_SCREW = ((0, 0, 0), (1, 0, 0), (1, 1, 0), (1, 1, 1))


# --- rotation group ---------------------------------------------------------------------------

def test_24_distinct_proper_rotations_with_det_plus_one():
    assert len(set(ROT)) == 24
    assert all(det(r) == 1 for r in ROT)
    # Every entry is -1, 0 or 1 and each row has exactly one non-zero: signed permutations.
    assert all(sorted(abs(x) for x in row) == [0, 0, 1] for r in ROT for row in r)


def test_proper_rotations_form_a_group():
    group = set(ROT)
    assert IDENTITY in group
    for a, b in itertools.product(ROT, ROT):
        assert matmul(a, b) in group  # closure
    for a in ROT:
        assert matmul(a, inverse(a)) == IDENTITY and inverse(a) in group


def test_improper_rotations_are_the_other_24_signed_permutations():
    imp = improper_rotations()
    assert len(set(imp)) == 24 and all(det(m) == -1 for m in imp)
    assert not set(imp) & set(ROT)
    all_signed_perms = {
        tuple(tuple(s[i] if p[i] == j else 0 for j in range(3)) for i in range(3))
        for p in itertools.permutations(range(3))
        for s in itertools.product((1, -1), repeat=3)
    }
    assert set(imp) | set(ROT) == all_signed_perms


def test_quarter_turn_follows_right_hand_rule():
    # A positive quarter turn about z takes +x to +y; about x takes +y to +z.
    rz, rx = rotation_matrix("z", 90), rotation_matrix("x", 90)
    assert [row[0] for row in rz] == [0, 1, 0]
    assert [row[1] for row in rx] == [0, 0, 1]
    with pytest.raises(ValueError):
        rotation_matrix("z", 45)


@given(rotations)
def test_shortest_steps_reproduce_the_matrix_in_at_most_two_steps(r):
    s = shortest_steps(r)
    assert compose(s) == r
    assert len(s) <= 2  # any cube rotation is at most two axis turns
    assert all(deg in (90, -90, 180) for _, deg in s)
    if r != IDENTITY:
        assert s  # only the identity has the empty description


def test_compose_applies_first_step_first():
    m = compose([("x", 90), ("z", 90)])
    assert m == matmul(rotation_matrix("z", 90), rotation_matrix("x", 90))
    assert m != matmul(rotation_matrix("x", 90), rotation_matrix("z", 90))


# --- polycubes -------------------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(seeds)
def test_canonical_form_is_invariant_under_all_rotations_and_translation(seed):
    shape = random_arm_shape(8, 3, np.random.default_rng(seed), chiral=False)
    c = canonical(shape)
    for r in ROT:
        moved = [(x + 5, y - 3, z + 7) for x, y, z in rotate_cells(shape, r)]
        assert canonical(moved) == c


@settings(max_examples=30, deadline=None)
@given(seeds, rotations)
def test_is_rotation_of_returns_a_matrix_that_maps_a_onto_b(seed, r):
    a = random_arm_shape(9, 4, np.random.default_rng(seed))
    b = rotate_cells(a, r)
    m = is_rotation_of(a, b)
    assert m is not None and normalize(rotate_cells(a, m)) == normalize(b)


def test_small_examples_of_chirality():
    assert not is_chiral(FLAT_L)  # flat shapes are their own mirror (flip them over)
    assert is_chiral(CHIRAL_SCREW)
    assert is_mirror_of(CHIRAL_SCREW, mirror_cells(CHIRAL_SCREW))
    assert not is_mirror_of(FLAT_L, mirror_cells(FLAT_L))  # achiral: mirror is a rotation


@settings(max_examples=30, deadline=None)
@given(seeds, rotations, rotations)
def test_mirrors_detected_and_rotations_never_called_mirrors(seed, r1, r2):
    a = random_arm_shape(10, 4, np.random.default_rng(seed), chiral=True)
    assert is_chiral(a) and is_connected(a) and len(a) == 10
    mirrored = rotate_cells(mirror_cells(a), r1)
    assert is_mirror_of(a, mirrored)
    assert is_rotation_of(a, mirrored) is None
    rotated = rotate_cells(a, r2)
    assert not is_mirror_of(a, rotated)
    assert canonical(mirrored) != canonical(a)


@settings(max_examples=30, deadline=None)
@given(seeds)
def test_near_miss_is_neither_rotation_nor_mirror(seed):
    rng = np.random.default_rng(seed)
    a = random_arm_shape(10, 4, rng)
    b = near_miss(a, rng)
    assert len(b) == len(a) and is_connected(b)
    assert is_rotation_of(a, b) is None
    assert is_rotation_of(mirror_cells(a), b) is None
    assert not is_mirror_of(a, b)


def test_arm_shape_generator_is_deterministic_per_seed():
    a = random_arm_shape(10, 4, np.random.default_rng(7))
    assert a == random_arm_shape(10, 4, np.random.default_rng(7))
    with pytest.raises(ValueError):
        random_arm_shape(3, 4, np.random.default_rng(0))


# --- colored cube ----------------------------------------------------------------------------

CUBE = {"right": "red", "left": "orange", "back": "blue", "front": "green",
        "up": "white", "down": "yellow"}


def test_face_naming_convention():
    # Quarter turn about +x (right-hand rule, +y goes to +z): the back face comes up and
    # the top tips forward to the front.
    turned = cubemod.rotate_cube_faces(CUBE, [("x", 90)])
    assert cubemod.up_color(turned) == "blue"
    assert turned["front"] == "white"
    assert turned["right"] == "red"  # faces on the axis stay put


@given(steps)
def test_rotation_then_inverse_is_identity(s):
    inverse_steps = [(axis, -deg) for axis, deg in reversed(s)]
    assert cubemod.rotate_cube_faces(cubemod.rotate_cube_faces(CUBE, s), inverse_steps) == CUBE


@given(st.sampled_from("xyz"), st.sampled_from([90, -90]))
def test_four_quarter_turns_are_identity_and_fewer_are_not(axis, deg):
    cube = dict(CUBE)
    for k in range(1, 5):
        cube = cubemod.rotate_cube_faces(cube, [(axis, deg)])
        assert (cube == CUBE) == (k == 4)


@given(steps)
def test_rotation_keeps_opposite_faces_opposite(s):
    turned = cubemod.rotate_cube_faces(CUBE, s)
    pairs = {frozenset((CUBE[f], CUBE[cubemod.OPPOSITE_FACE[f]])) for f in CUBE}
    assert {frozenset((turned[f], turned[cubemod.OPPOSITE_FACE[f]])) for f in turned} == pairs


# --- cube nets -------------------------------------------------------------------------------

CROSS = ((1, 0), (0, 1), (1, 1), (2, 1), (3, 1), (1, 2))


def test_35_free_hexominoes_of_which_exactly_11_fold_into_a_cube():
    hexes = cubemod.free_polyominoes(6)
    assert len(hexes) == 35
    assert [len(cubemod.free_polyominoes(n)) for n in range(1, 6)] == [1, 1, 2, 5, 12]
    nets = [h for h in hexes if cubemod.folds_to_cube(h)]
    assert len(nets) == 11 and tuple(nets) == cubemod.cube_nets()


def test_non_nets_fail_to_fold():
    assert not cubemod.folds_to_cube([(i, 0) for i in range(6)])  # strip wraps onto itself
    assert not cubemod.folds_to_cube([(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (3, 0)])  # 2x2
    assert not cubemod.folds_to_cube(CROSS[:5])  # too few cells


def test_opposite_faces_of_the_cross_net():
    pairs = cubemod.opposite_faces(CROSS)
    # Centre (1,1) faces the far end (3,1); the arms (0,1)/(2,1) and (1,0)/(1,2) face each other.
    assert sorted(pairs) == sorted([((1, 1), (3, 1)), ((0, 1), (2, 1)), ((1, 0), (1, 2))])


@pytest.mark.parametrize("net", cubemod.cube_nets())
def test_every_net_gives_three_disjoint_opposite_pairs_of_non_adjacent_cells(net):
    pairs = cubemod.opposite_faces(net)
    assert len(pairs) == 3 and len({c for p in pairs for c in p}) == 6
    for a, b in pairs:
        assert abs(a[0] - b[0]) + abs(a[1] - b[1]) > 1  # opposite faces never share an edge
