"""Run the user-function models of ``models.py`` under Brian2 and store their results.

Run from the repository root with a Python that has Brian2 installed (never spikeloom's
environment)::

    python tests/reference/user_functions/make_brian2_user_functions.py

Brian2's numpy target (no compiler, plain IEEE-754 operations, see
``tests/reference/make_brian2_reference.py``). Writes ``<model>.npz`` beside this script
(fixed zip timestamps: identical data give identical files) and ``META.json`` (versions,
command, shapes, checksums).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import platform
import shlex
import sys
import zipfile
from pathlib import Path

import brian2
import numpy as np

HERE = Path(__file__).resolve().parent


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> str:
    """np.savez-compatible file with fixed timestamps; returns its sha256."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    data = buffer.getvalue()
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    brian2.prefs.codegen.target = "numpy"
    sys.path.insert(0, str(HERE))
    import models

    meta = {
        "generator": "tests/reference/user_functions/make_brian2_user_functions.py",
        "command": " ".join(shlex.quote(a) for a in ["python", *sys.argv]),
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "brian2_version": brian2.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "codegen_target": "numpy",
        "units": "SI values (divided by the base unit: second, volt, amp, siemens)",
        "models": {},
    }
    for name, model in models.MODELS.items():
        arrays = {k: np.asarray(v) for k, v in model().items()}
        sha = save_npz(HERE / f"{name}.npz", arrays)
        meta["models"][name] = {"doc": model.__doc__,
                                "arrays": {k: list(v.shape) for k, v in arrays.items()},
                                "sha256": sha}
        print(name, {k: v.shape for k, v in arrays.items()})
    (HERE / "META.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
