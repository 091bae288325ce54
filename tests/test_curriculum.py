from spatialgen import Curriculum


def test_advances_steps_back_and_restores(tmp_path):
    cur = Curriculum("maze.count_turns,maze.path_check", levels="1-3", seed=0, modality="text", window=4,
                     advance_at=0.7, step_back_at=0.3)
    assert cur.levels_now() == {"maze.count_turns": 1, "maze.path_check": 1}
    assert cur.report("maze.count_turns", [1, 1, 1]) == 1          # window not full yet
    assert cur.report("maze.count_turns", 1) == 2                  # 4/4 > 0.7
    assert cur.report("maze.count_turns", [1, 1, 0, 1]) == 3       # 0.75 > 0.7
    assert cur.report("maze.count_turns", [1] * 8) == 3            # top level: stays
    assert cur.report("maze.path_check", [1, 0, 1, 0]) == 1        # 0.5: stays
    assert cur.report("maze.path_check", [0, 0, 0, 0]) == 1        # bottom: cannot step back
    assert cur.report("maze.count_turns", [0, 0, 0, 0]) == 2       # 0 < 0.3: steps back
    s = cur.sample("maze.count_turns")
    assert s.record["level"] == 2 and s.record["task"] == "maze.count_turns"
    for _ in range(3):
        cur.sample()
    path = tmp_path / "cur.json"
    cur.save(path)
    restored = Curriculum.load(path)
    assert restored.state_dict() == cur.state_dict()
    a = [cur.sample().record["id"] for _ in range(5)]
    b = [restored.sample().record["id"] for _ in range(5)]
    assert a == b and len(set(a)) == 5
    cur.report("maze.count_turns", [1, 1, 1])
    restored.report("maze.count_turns", [1, 1, 1])
    assert cur.state_dict() == restored.state_dict()
