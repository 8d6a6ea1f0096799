"""Shared constants and helpers of the language identifiers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where tables are read or written: the CLI's
    import numpy as np  # parser reads this package's constants, and starts faster

UND = "und"

#: A text needs at least this many letters to be judged. Below it, every detector
#: answers ``und``: langdetect's answers on a dozen letters are close to random.
MIN_LETTERS = 20


def count_letters(text: str) -> int:
    """Number of alphabetic characters (any script).

    >>> count_letters("Hello, world! 123")
    10
    >>> count_letters("Привет")
    6
    """
    return sum(1 for ch in text if ch.isalpha())


def save_tables(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """A model's arrays and its JSON ``meta`` in one ``.npz``, written atomically (temp
    file + rename): concurrent workers may race to build the same model."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)
    os.replace(tmp, path)


def load_tables(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """``(meta, arrays)`` as :func:`save_tables` wrote them.

    >>> import tempfile
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save_tables(Path(tmp) / "m.npz", {"a": np.arange(3)}, {"n": 3})
    ...     meta, arrays = load_tables(Path(tmp) / "m.npz")
    >>> meta, arrays["a"].tolist()
    ({'n': 3}, [0, 1, 2])
    """
    import numpy as np

    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {name: data[name] for name in data.files if name != "meta"}
    return meta, arrays
