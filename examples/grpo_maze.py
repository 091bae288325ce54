"""GRPO on a spatialgen dataset with TRL: the dataset's columns go straight to the reward functions.

    spatialgen generate --tasks 'maze.*' --levels 1-3 --n-per-level 2000 --out maze_data
    python examples/grpo_maze.py maze_data Qwen/Qwen2.5-VL-3B-Instruct

TRL's GRPOTrainer reads the conversational ``prompt`` and the ``images`` column, and calls every
reward function as ``reward(completions, **other_columns)``: ``correctness_reward`` reads the
``ground_truth`` column (routes are simulated on the stored maze, so any valid route scores 1) and
``format_reward`` checks for exactly one ``<answer>...</answer>``.
"""

import sys

from datasets import load_dataset
from trl import GRPOConfig, GRPOTrainer

from spatialgen.rewards import correctness_reward, format_reward

data_dir, model = sys.argv[1], sys.argv[2]
ds = load_dataset(data_dir, "all")
trainer = GRPOTrainer(
    model=model,
    reward_funcs=[correctness_reward, format_reward],
    args=GRPOConfig(output_dir="grpo_maze", num_generations=8, max_completion_length=256,
                    per_device_train_batch_size=8, reward_weights=[1.0, 0.2]),
    train_dataset=ds["train"],
    eval_dataset=ds["validation"],   # a disjoint seed stream, never training items
)
trainer.train()
