"""spatialgen: verified synthetic spatial-reasoning data for vision-language models.

Quick use::

    import spatialgen
    ds = spatialgen.Dataset("maze.*", levels="1-3", seed=0, n=100)
    sample = ds[0]                      # record dict + PIL images
    spatialgen.score(sample.record, "<answer>up up right</answer>")
"""

__version__ = "0.1.0"

from .curriculum import Curriculum  # noqa: E402
from .dataset import Dataset  # noqa: E402
from .sampler import GenerationError, Sample, make_record  # noqa: E402
from .scoring import extract_answer, score  # noqa: E402
from .templates import TemplateError  # noqa: E402

__all__ = ["Curriculum", "Dataset", "GenerationError", "Sample", "TemplateError", "__version__", "extract_answer",
           "make_record", "score"]
