"""Exact integer geometry: the cube rotation group, polycubes, colored cubes, cube nets."""

from .cube import (
    FACE_DIRECTIONS,
    OPPOSITE_FACE,
    cube_nets,
    fold_net,
    folds_to_cube,
    free_polyominoes,
    opposite_faces,
    rotate_cube_faces,
    rotate_cube_matrix,
    up_color,
)
from .polycube import (
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
from .rotations import (
    compose,
    improper_rotations,
    proper_rotations,
    rotation_matrix,
    shortest_steps,
)

__all__ = [
    "FACE_DIRECTIONS", "OPPOSITE_FACE", "canonical", "compose", "cube_nets", "fold_net",
    "folds_to_cube", "free_polyominoes", "improper_rotations", "is_chiral", "is_connected",
    "is_mirror_of", "is_rotation_of", "mirror_cells", "near_miss", "normalize",
    "opposite_faces", "proper_rotations", "random_arm_shape", "rotate_cells",
    "rotate_cube_faces", "rotate_cube_matrix", "rotation_matrix", "shortest_steps", "up_color",
]
