"""Model definition, label schema and the model directory (no training code here).

>>> import models
>>> model = models.load("runs/base")            # doctest: +SKIP
>>> model.predict(["Baku accused Yerevan of shelling its positions."])  # doctest: +SKIP
[['accusation', 'escalation_risk']]
"""

from models.decision import DecisionRule
from models.directory import ModelDirError, fingerprint, read_metadata
from models.labels import LABELS, LABEL_SUMMARIES
from models.stance import StanceModel, load

__all__ = ["LABELS", "LABEL_SUMMARIES", "DecisionRule", "ModelDirError", "StanceModel", "fingerprint", "load", "read_metadata"]
