"""The gallery: every ``examples/*.py`` is run when the documentation is built.

At ``builder-inited`` each example runs in its own Python process (working directory
``docs/gallery/generated/<name>/``, matplotlib's Agg backend), with the arguments given in
``conf.py``'s ``gallery_examples`` (shortened runs, so that the build stays quick; set
``SPIKELOOM_DOCS_FULL_EXAMPLES=1`` for the examples' own defaults). ``plt.show()`` saves
the open figures instead of showing them, figures still open at the end are saved too, and
every PNG file the example writes is kept. A page per example is then written into
``docs/gallery/generated/`` (ignored by git): the example's docstring, the command that was
run, its printed output, its figures and its source.

An example that fails (non-zero exit, an exception, no figure where one is expected) stops
the build with the example's output, so no example can rot unnoticed.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

#: the process that runs one example: patches plt.show, runs the script as __main__,
#: saves the figures left open
RUNNER = r'''
import runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

saved = [0]

def save_open_figures(*args, **kwargs):
    for number in plt.get_fignums():
        saved[0] += 1
        plt.figure(number).savefig(f"figure_{saved[0]}.png", dpi=100)
    plt.close("all")

plt.show = save_open_figures
script, args = sys.argv[1], sys.argv[2:]
sys.argv = [script] + args
code = 0
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
save_open_figures()
sys.exit(code)
'''


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def _rst_title(text: str, char: str = "=") -> list[str]:
    return [text, char * len(text), ""]


def run_example(path: Path, args: list[str], workdir: Path,
                timeout: float) -> tuple[str, list[Path]]:
    """Run one example in ``workdir``; return its output and the PNG files it left."""
    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.iterdir():
        if old.is_file():
            old.unlink()
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    try:
        proc = subprocess.run([sys.executable, "-c", RUNNER, str(path), *args], cwd=workdir,
                              env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ExtensionError(f"gallery: {path.name} ran longer than {timeout} s") from exc
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise ExtensionError(f"gallery: {path.name} {' '.join(args)} failed "
                             f"(exit {proc.returncode}):\n{output}")
    return output, sorted(workdir.glob("*.png"))


def render_page(path: Path, args: list[str], full_args: list[str], title: str | None,
                output: str, figures: list[Path], page_dir: Path,
                description: str | None = None) -> str:
    doc = _docstring(path) or description or ""
    first, _, rest = doc.partition("\n")
    heading = title or first.strip().rstrip(".") or path.stem
    lines = _rst_title(heading)
    if title and first:
        lines += [first.strip(), ""]
    if rest.strip():
        lines += [textwrap.dedent(rest).strip(), ""]
    command = " ".join(["python", f"examples/{path.name}", *args])
    lines += [f"File: ``examples/{path.name}``. This page ran ``{command}``"]
    if args != full_args:
        full = " ".join(["python", f"examples/{path.name}", *full_args])
        lines[-1] += f" (a shortened run; the example's own run is ``{full}``)"
    lines[-1] += "."
    lines.append("")
    lines += _rst_title("Output", "-")
    text = output.strip() or "(no output)"
    lines += [".. code-block:: text", ""] + ["   " + line for line in text.splitlines()] + [""]
    for figure in figures:
        rel = figure.relative_to(page_dir).as_posix()
        lines += [f".. image:: {rel}", f"   :alt: figure of {path.name}", ""]
    lines += _rst_title("Source", "-")
    source = path.read_text(encoding="utf-8")
    lines += [".. code-block:: python", ""]
    lines += [("   " + line) if line.strip() else "" for line in source.splitlines()] + [""]
    return "\n".join(lines)


def build_gallery(srcdir: Path, examples_dir: Path, config: dict, full: bool,
                  timeout: float) -> list[str]:
    page_dir = srcdir / "gallery" / "generated"
    page_dir.mkdir(parents=True, exist_ok=True)
    names = []
    for path in sorted(examples_dir.glob("*.py")):
        entry = config.get(path.name, {})
        full_args = list(entry.get("args", []))
        args = full_args if full else list(entry.get("short_args", full_args))
        LOGGER.info(f"gallery: running examples/{path.name} {' '.join(args)}")
        output, figures = run_example(path, args, page_dir / path.stem, timeout)
        if entry.get("figure", True) and not figures:
            raise ExtensionError(f"gallery: {path.name} produced no figure:\n{output}")
        text = render_page(path, args, full_args, entry.get("title"), output, figures, page_dir,
                           entry.get("description"))
        target = page_dir / f"{path.stem}.rst"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        names.append(path.stem)
    for stale in page_dir.glob("*.rst"):
        if stale.stem not in names:
            stale.unlink()
    return names


def _on_builder_inited(app) -> None:
    srcdir = Path(app.srcdir)
    examples = (srcdir / app.config.gallery_examples_dir).resolve()
    full = os.environ.get("SPIKELOOM_DOCS_FULL_EXAMPLES") == "1"
    build_gallery(srcdir, examples, app.config.gallery_examples, full,
                  app.config.gallery_timeout)


def setup(app):
    app.add_config_value("gallery_examples_dir", "../examples", "env")
    app.add_config_value("gallery_examples", {}, "env")
    app.add_config_value("gallery_timeout", 600, "env")
    app.connect("builder-inited", _on_builder_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
