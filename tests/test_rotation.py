"""rotation family: geometric verification never trusts the generator; angle and cube steps."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from spatialgen.dsl import Context, ProgramError
from spatialgen.families import get_family
from spatialgen.families.rotation import (Candidate, RotationScene, op_face_after, op_is_cube_net,
                                          op_matching_candidate, op_opposite_color, op_rotation_angle,
                                          op_same_or_mirror)
from spatialgen.geometry import cube_nets, mirror_cells, near_miss, proper_rotations, random_arm_shape, rotate_cells
from spatialgen.geometry.polycube import normalize

FAM = get_family("rotation")
EYE = np.eye(3).tolist()


def cand(cells) -> Candidate:
    return Candidate(cells=[tuple(c) for c in cells], rotation=EYE)


def test_same_or_mirror_follows_geometry_for_every_rotation():
    ref = random_arm_shape(8, 3, np.random.default_rng(1))
    for r in proper_rotations():
        same = RotationScene(puzzle="pair", reference=list(ref), candidates=[cand(normalize(rotate_cells(ref, r)))])
        mirror = RotationScene(puzzle="pair", reference=list(ref),
                               candidates=[cand(normalize(rotate_cells(mirror_cells(ref), r)))])
        assert op_same_or_mirror(Context(same), 1) == "same"
        assert op_same_or_mirror(Context(mirror), 1) == "mirror"
    other = RotationScene(puzzle="pair", reference=list(ref), candidates=[cand(near_miss(ref, np.random.default_rng(0)))])
    with pytest.raises(ProgramError):
        op_same_or_mirror(Context(other), 1)


def test_a_reflecting_display_matrix_is_refused():
    ref = random_arm_shape(7, 3, np.random.default_rng(2))
    bad = Candidate(cells=[tuple(c) for c in ref], rotation=np.diag([-1.0, 1.0, 1.0]).tolist())
    with pytest.raises(ProgramError, match="proper"):
        op_same_or_mirror(Context(RotationScene(puzzle="pair", reference=list(ref), candidates=[bad])), 1)


@pytest.mark.parametrize("level", [1, 3, 5])
def test_match_has_exactly_one_rotation_among_candidates(level):
    for seed in range(5):
        s = FAM.build_for(level, np.random.default_rng(seed), {"puzzle": "match"})
        k = op_matching_candidate(Context(s))
        assert 1 <= k <= len(s.candidates)
        # Swapping the matching candidate for a mirror makes the question unanswerable.
        broken = s.model_copy(update={"candidates": [cand(mirror_cells(s.reference)) if i == k - 1 else c
                                                     for i, c in enumerate(s.candidates)]})
        with pytest.raises(ProgramError):
            op_matching_candidate(Context(broken))


def test_angle_is_measured_in_both_directions():
    for q, ccw, cw in ((0, 0, 0), (1, 90, 270), (2, 180, 180), (3, 270, 90)):
        s = RotationScene(puzzle="angle", quarter_turns=q)
        assert op_rotation_angle(Context(s), "counterclockwise") == ccw
        assert op_rotation_angle(Context(s), "clockwise") == cw


def test_angle_render_check_catches_a_wrong_turn():
    s = FAM.build_for(2, np.random.default_rng(4), {"puzzle": "angle"})
    s = s.model_copy(update={"quarter_turns": 1}).with_id()
    images = FAM.render(s, "sand", {"puzzle": "angle"})
    assert all(c.passed for c in FAM.render_checks(s, images, "sand", {"puzzle": "angle"}))
    wrong = s.model_copy(update={"quarter_turns": 3}).with_id()  # 270 instead of 90
    checks = FAM.render_checks(wrong, images, "sand", {"puzzle": "angle"})
    assert not next(c for c in checks if c.name.startswith("picture 2")).passed


def test_cube_steps():
    faces = {"up": "red", "down": "orange", "front": "green", "back": "blue", "left": "yellow", "right": "purple"}
    s = RotationScene(puzzle="cube", faces=faces)
    c = Context(s)
    assert op_face_after(c, ("x+90",), "front") == "red"  # tipped towards the viewer
    assert op_face_after(c, ("x-90",), "up") == "green"  # the front comes up when tipped away
    assert op_face_after(c, ("y+90",), "right") == "red"
    assert op_face_after(c, ("z-90",), "front") == "purple"  # clockwise from above: the right face comes to the front
    for step in ("x+90", "y-90", "z+90"):
        assert op_face_after(c, (step,) * 4, "up") == "red"
        assert op_face_after(c, (step,) * 2, "up") != "red" or step[0] == "z"
    with pytest.raises(ProgramError):
        op_face_after(c, ("w+90",), "up")


def test_nets_fold_and_opposites():
    cross = [(1, 0), (0, 1), (1, 1), (2, 1), (1, 2), (1, 3)]
    s = RotationScene(puzzle="net", net=cross, net_colors=["red", "green", "blue", "yellow", "purple", "orange"])
    assert op_is_cube_net(Context(s))
    assert op_opposite_color(Context(s), "red") == "purple"  # the two ends of the column (1,0) and (1,2)
    assert op_opposite_color(Context(s), "green") == "yellow"
    line = s.model_copy(update={"net": [(i, 0) for i in range(6)]})
    assert not op_is_cube_net(Context(line))
    with pytest.raises(ProgramError):
        op_opposite_color(Context(line), "red")
    assert len(cube_nets()) == 11


def test_cube_and_net_drawings_pass_their_color_checks_and_catch_swaps():
    s = FAM.build_for(1, np.random.default_rng(0), {"puzzle": "cube"})
    img = FAM.render(s, "ivory", {})[0]
    assert all(c.passed for c in FAM.render_checks(s, [img], "ivory", {}))
    swapped = dict(s.faces, up=s.faces["front"], front=s.faces["up"])
    assert not FAM.render_checks(s.model_copy(update={"faces": swapped}), [img], "ivory", {})[0].passed
    n = FAM.build_for(1, np.random.default_rng(0), {"puzzle": "net"})
    assert all(c.passed for c in FAM.render_checks(n, FAM.render(n, "slate", {}), "slate", {}))
    assert isinstance(img, Image.Image)
