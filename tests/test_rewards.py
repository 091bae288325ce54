"""Reward functions called the way TRL's GRPOTrainer calls them."""
import json

import pyarrow.parquet as pq

from spatialgen.rewards import correctness_reward, format_reward, partial_reward


def _rows(root, task):
    rows = []
    for p in sorted((root / "data").rglob("*.parquet")):
        rows += [r for r in pq.read_table(p).to_pylist() if r["task"] == task]
    return rows


def test_rewards_on_trl_shaped_inputs(text_ds):
    rows = _rows(text_ds, "maze.navigate")[:3] + _rows(text_ds, "maze.choose_path")[:2]
    columns = {k: [r[k] for r in rows] for k in rows[0] if k != "completion"}
    good = []
    for r in rows:
        gt = json.loads(r["ground_truth"])
        if r["task"] == "maze.navigate":
            # A different valid route: go to the goal, step back and forth once if possible. The
            # stored shortest route is one correct answer; the reward must simulate, not match.
            moves = gt["answer"].split()
            back = {"up": "down", "down": "up", "left": "right", "right": "left"}
            good.append(" ".join(moves + [back[moves[-1]], moves[-1]]))
        else:
            good.append(gt["answer"])
    conv = [[{"role": "assistant", "content": f"Let me think.\n<answer>{a}</answer>"}] for a in good]
    assert correctness_reward(conv, **columns) == [1.0] * 5
    strings = [f"<answer>{a}</answer>" for a in good]
    assert correctness_reward(strings, **columns) == [1.0] * 5
    wrong = [[{"role": "assistant", "content": [{"type": "text", "text": "<answer>up</answer>"}]}]] * 3 + \
            [[{"role": "assistant", "content": "<answer>Z</answer>"}]] * 2
    assert correctness_reward(wrong, **columns) == [0.0] * 5
    # Partial credit: half the shortest route makes progress on navigate.
    half = [" ".join(json.loads(r["ground_truth"])["answer"].split()[: max(1, len(json.loads(r["ground_truth"])["answer"].split()) // 2)])
            for r in rows[:3]]
    sub = {k: v[:3] for k, v in columns.items()}
    pr = partial_reward([f"<answer>{h}</answer>" for h in half], **sub)
    assert all(0.0 < x < 1.0 for x in pr)
    assert format_reward(strings + ["no tag", "<answer></answer>", "<answer>a</answer><answer>b</answer>"]) == \
        [1.0] * 5 + [0.0, 0.0, 0.0]
