"""Inference: segmentation, readers, the scorer, aggregation, ONNX export and the ``score`` CLI.

``from inference import Scorer`` is the Python API (see :mod:`inference.scorer`).
"""

__all__ = ["Scorer"]


def __getattr__(name):
    # Imported lazily so that `import inference.readers` does not pull in torch and transformers.
    if name == "Scorer":
        from inference.scorer import Scorer

        return Scorer
    raise AttributeError(name)
