"""spatialgen: verified synthetic spatial-reasoning data for vision-language models."""

__version__ = "0.1.0"
