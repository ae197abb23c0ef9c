"""The label schema. ``../shared/LABELS.md`` is the authoritative definition; this module is its code form."""

from __future__ import annotations

from typing import Iterable, Sequence

#: Label names in the order of the model's output units. Changing the order breaks saved models.
LABELS: tuple[str, ...] = (
    "accusation",
    "ceasefire",
    "escalation_risk",
    "third_party_alignment",
)

#: One-line summaries of LABELS.md, for model cards and help texts.
LABEL_SUMMARIES: dict[str, str] = {
    "accusation": "an identifiable actor blames, accuses or condemns another identifiable actor in a conflict",
    "ceasefire": "halting or de-escalating hostilities: truces, peace talks, calls for restraint, their violation or collapse",
    "escalation_risk": "the conflict is intensifying or could intensify now or soon: attacks, casualties, build-ups, threats",
    "third_party_alignment": "an outside actor takes or seeks one side: backing, solidarity, aid, arms, troops, guarantees",
}


def check_label_names(names: Iterable[object], known: Sequence[str] = LABELS) -> list[str]:
    """Return the names that are not in ``known`` (empty when all are valid)."""
    return [n for n in names if not isinstance(n, str) or n not in known]


def to_multi_hot(labels: Iterable[str], known: Sequence[str] = LABELS) -> list[float]:
    """Encode a list of label names as a 0/1 vector in the order of ``known``."""
    present = set(labels)
    return [1.0 if name in present else 0.0 for name in known]
