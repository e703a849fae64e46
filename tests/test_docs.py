"""The documentation's promises that a test can keep: docstrings, doctests, paths, pages.

* Every public name of spikeloom's own (the names in ``spikeloom.__all__`` and each
  package's ``__all__`` that spikeloom defines: not the NumPy/pylab re-exports of the star
  import) has a docstring; a class or function with parameters has a numpydoc
  "Parameters" section naming each of them (a dataclass may call it "Attributes"), and a
  parameter whose default is a physical quantity says its unit. The packages are those of
  the API reference (``docs/_ext/spikeloom_api.py``), so the test checks exactly what the
  site documents.
* The docstring examples (``>>>``) of every module run and give their printed output.
* No file of the repository refers to a path outside it (the checkout's absolute path, a
  sibling folder such as ``../shared``, a home directory), except the files that read the
  seeds the project started from (:data:`MAY_READ_SEEDS`).
* The six tutorials and the two migration pages exist and are in the site's toctree.

The documentation site itself is built by ``make -C docs html`` (warnings are errors; it
executes the tutorials and the gallery's examples), which takes minutes and runs in CI
beside this suite.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
import spikeloom_api  # docs/_ext: the packages and names the reference documents

pytestmark = pytest.mark.backend_independent

# -- (a) docstrings ---------------------------------------------------------------------------

_SECTION = re.compile(r"^(Parameters|Attributes)\n-{3,}\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)",
                      re.M | re.S)
#: words that say what a parameter's unit is, in its numpydoc type line
_UNIT_WORDS = re.compile(r"Quantity|volt|second|time|amp|siemens|ohm|farad|hertz|Hz|metre|"
                         r"meter|molar|mole|unit", re.I)


def _sections(doc: str) -> dict[str, str]:
    """Parameter name -> its type line, over the Parameters/Attributes sections."""
    out: dict[str, str] = {}
    for match in _SECTION.finditer(doc):
        for line in match.group(2).splitlines():
            if not line.strip() or line.startswith(" "):
                continue
            names, _, kind = line.partition(" : ")
            for name in re.split(r",\s*", names):
                out.setdefault(name.strip().lstrip("*"), kind)
    return out


def _docstring(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    if inspect.isclass(obj) and "__init__" in vars(obj):
        doc += "\n\n" + (inspect.getdoc(vars(obj)["__init__"]) or "")
    return doc


def _parameters(obj) -> list[inspect.Parameter]:
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return []
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [p for p in signature.parameters.values() if p.name not in ("self", "cls")
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _has_physical_default(parameter: inspect.Parameter) -> bool:
    from spikeloom.units import Quantity, get_dimensions

    default = parameter.default
    return isinstance(default, Quantity) and not get_dimensions(default).is_dimensionless


def _model_parameter_problems(where: str, defaults: dict, listed: dict) -> list[str]:
    """A library model's ``PARAMETERS`` (name -> default): each listed, with its unit."""
    from spikeloom.units import Quantity, get_dimensions

    missing = [name for name in defaults if name not in listed]
    no_unit = [name for name, value in defaults.items() if name in listed
               and isinstance(value, Quantity) and not get_dimensions(value).is_dimensionless
               and not _UNIT_WORDS.search(listed[name])]
    problems = []
    if missing:
        problems.append(f"{where}: 'Parameters' does not list the model parameters "
                        f"{', '.join(missing)}")
    if no_unit:
        problems.append(f"{where}: no unit given for {', '.join(no_unit)}")
    return problems


def docstring_problems(packages=None) -> list[str]:
    """One line per public name whose docstring misses something."""
    packages = packages or [p for p, _ in spikeloom_api.PAGES]
    seen: set[int] = set()
    problems = []
    for package in packages:
        for name, obj in spikeloom_api.public_names(package).items():
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            where = f"{package}.{name}"
            if isinstance(obj, types.ModuleType):
                if not (obj.__doc__ or "").strip():
                    problems.append(f"{where}: module without a docstring")
                continue
            if not (inspect.isclass(obj) or inspect.isroutine(obj)):
                if not (inspect.getdoc(obj) or name in spikeloom_api.DATA_NOTES):
                    problems.append(f"{where}: no docstring (add it to DATA_NOTES)")
                continue
            doc = _docstring(obj)
            if not doc.strip():
                problems.append(f"{where}: no docstring")
                continue
            model_parameters = getattr(obj, "PARAMETERS", None) if inspect.isclass(obj) else None
            if isinstance(model_parameters, dict) and model_parameters:
                # a library model's parameters come as **keywords: each is documented too
                problems += _model_parameter_problems(where, model_parameters, _sections(doc))
            parameters = _parameters(obj)
            if not parameters:
                continue
            listed = _sections(doc)
            if not listed:
                problems.append(f"{where}: no 'Parameters' section (parameters: "
                                f"{', '.join(p.name for p in parameters)})")
                continue
            missing = [p.name for p in parameters if p.name not in listed]
            if missing:
                problems.append(f"{where}: 'Parameters' does not list {', '.join(missing)}")
            no_unit = [p.name for p in parameters if p.name in listed
                       and _has_physical_default(p) and not _UNIT_WORDS.search(listed[p.name])]
            if no_unit:
                problems.append(f"{where}: no unit given for {', '.join(no_unit)}")
    return problems


def test_every_public_name_has_a_docstring_with_parameters_and_units():
    problems = docstring_problems()
    assert not problems, (f"{len(problems)} public names need docstring work:\n  "
                          + "\n  ".join(problems))


def test_the_docstring_check_finds_a_missing_section(monkeypatch):
    """The check above can fail: a function without a Parameters section is reported."""
    def bare(duration, rate):
        """Does something."""

    def documented(duration=None):
        """Does something.

        Parameters
        ----------
        duration : float
            How long.
        """

    from spikeloom import ms

    documented.__defaults__ = (5 * ms,)
    fake = types.ModuleType("spikeloom._fake_for_test")
    bare.__module__ = documented.__module__ = fake.__name__
    fake.bare, fake.documented, fake.__all__ = bare, documented, ["bare", "documented"]
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    problems = docstring_problems([fake.__name__])
    assert any("bare: no 'Parameters' section" in p for p in problems), problems
    assert any("documented: no unit given for duration" in p for p in problems), problems


def test_the_reference_documents_only_spikeloom_names():
    """NumPy's and pylab's names of the star import are left out; spikeloom's are in."""
    import numpy as np

    import spikeloom

    top = spikeloom_api.public_names("spikeloom")
    assert "NeuronGroup" in top and "mV" in top and "defaultclock" in top
    assert "np" not in top
    assert all(getattr(spikeloom, n) is not getattr(np, n, None) for n in top
               if not isinstance(top[n], types.ModuleType))


# -- (a') docstring examples --------------------------------------------------------------------

def _modules_with_examples() -> list[str]:
    """Modules of spikeloom whose source holds a ``>>>`` example (found without importing)."""
    src = REPO / "src"
    names = []
    for path in sorted((src / "spikeloom").rglob("*.py")):
        if ">>>" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(src).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


#: the extras a module may need; without them its examples are skipped, not failed
_OPTIONAL = {"jax", "jaxlib", "dask", "distributed", "pandas", "pyarrow", "gymnasium"}


def run_examples(module, name: str) -> tuple[int, int, str]:
    """Run the ``>>>`` examples of ``module``: (examples run, failures, report)."""
    import spikeloom

    tests = [t for t in doctest.DocTestFinder().find(module, name) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    try:
        for test in tests:
            spikeloom.start_scope()
            runner.run(test, out=report.append)
    finally:
        spikeloom.start_scope()
        spikeloom.set_device("numba")
    return sum(len(t.examples) for t in tests), runner.failures, "".join(report)


@pytest.mark.parametrize("module_name", _modules_with_examples())
def test_docstring_examples_run(module_name):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] in _OPTIONAL:
            pytest.skip(f"needs {error.name}")
        raise
    examples, failures, report = run_examples(module, module_name)
    assert examples > 0, f"{module_name}: its '>>>' lines are not found as examples"
    assert failures == 0, report


def test_the_example_check_finds_a_wrong_output():
    fake = types.ModuleType("spikeloom._fake_examples")
    exec('''def f():
    """Two.

    >>> 1 + 1
    3
    """''', fake.__dict__)
    fake.f.__module__ = fake.__name__
    examples, failures, report = run_examples(fake, fake.__name__)
    assert (examples, failures) == (1, 1) and "Expected:" in report


# -- (b) paths outside the repository ---------------------------------------------------------

#: the files that may name the seeds of the project (outside the repository) to read them
MAY_READ_SEEDS = {
    "tests/test_seed_script.py",
    "tests/reference/brainpy/make_brainpy_ampa.py",
    "tests/reference/brainpy/data/META.json",
}

#: absolute paths of a machine or a user, and sibling folders of the checkout
_OUTSIDE = re.compile(r"(?<![\w.~])(/work/|/home/\w|/Users/\w|/root/|/mnt/\w|[A-Z]:\\Users\\)"
                      r"|\.\./shared\b")
_RELATIVE = re.compile(r"(?<![\w/.])((?:\.\./)+)([\w.\-]+)")
_BINARY = {".png", ".npz", ".npy", ".parquet", ".pdf", ".jpg", ".gif", ".whl", ".gz", ".zip"}


def _repository_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout
        files = [REPO / line for line in out.splitlines() if line]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        skip = {".git", ".venv", ".venvs", "_build", "__pycache__", "node_modules"}
        files = [p for p in REPO.rglob("*") if p.is_file()
                 and not skip & set(p.relative_to(REPO).parts)]
    return [f for f in files if f.is_file() and f.suffix not in _BINARY]


def outside_references(files=None, root: Path = REPO) -> list[str]:
    """``path:line: text`` of each reference to a path outside ``root``."""
    found = []
    for path in files if files is not None else _repository_files():
        rel = path.relative_to(root).as_posix()
        if rel in MAY_READ_SEEDS or rel == "tests/test_docs.py":  # (this file: the patterns)
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            hit = _OUTSIDE.search(line)
            if hit is None:
                for match in _RELATIVE.finditer(line):
                    target = (path.parent / match.group(1)).resolve()
                    if root.resolve() not in (target, *target.parents):
                        hit = match
                        break
            if hit is not None:
                found.append(f"{rel}:{number}: {line.strip()[:120]}")
    return found


def test_no_file_refers_to_a_path_outside_the_repository():
    found = outside_references()
    assert not found, (f"{len(found)} references to paths outside the repository:\n  "
                       + "\n  ".join(found))


def test_the_path_check_finds_outside_references(tmp_path):
    (tmp_path / "docs").mkdir()
    good = tmp_path / "docs" / "good.md"
    good.write_text("see ../README.md and ~/.cache/spikeloom\n")
    bad = tmp_path / "docs" / "bad.md"
    bad.write_text("ok\nread ../shared/DESIGN.md\nor ../../elsewhere/x.py\nrun /work/venv/python\n")
    found = outside_references([good, bad], root=tmp_path)
    assert [f.split(":")[1] for f in found] == ["2", "3", "4"], found


# -- (c) the pages the issue asks for --------------------------------------------------------

TUTORIALS = ["tutorials/1_neurons", "tutorials/2_synapses", "tutorials/3_model_library",
             "tutorials/4_memristive_stdp", "tutorials/5_classification",
             "tutorials/6_jax_batches_sweeps"]
MIGRATION = ["coming_from_brian2", "coming_from_brainpy"]


def toctree_entries(page: Path) -> set[str]:
    """The documents listed in the ``{toctree}`` blocks of a MyST page."""
    entries = set()
    for block in re.findall(r"```\{toctree\}\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                entries.add(line)
    return entries


@pytest.mark.parametrize("page", TUTORIALS + MIGRATION + ["architecture"])
def test_page_exists_and_is_in_the_toctree(page):
    path = DOCS / f"{page}.md"
    assert path.exists(), f"docs/{page}.md is missing"
    assert page in toctree_entries(DOCS / "index.md"), f"{page} is not in docs/index.md's toctree"


@pytest.mark.parametrize("page", TUTORIALS)
def test_tutorial_is_an_executed_notebook_with_a_figure(page):
    """Each tutorial is a MyST-NB notebook (executed by the build) that draws a figure."""
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    assert "file_format: mystnb" in text and "```{code-cell} ipython3" in text
    assert re.search(r"plt\.subplots|plot_results|plot_stdp_window", text), page


def test_the_toctree_check_can_fail(tmp_path):
    index = tmp_path / "index.md"
    index.write_text("```{toctree}\n:maxdepth: 1\n\ntutorials/1_neurons\n```\n")
    assert toctree_entries(index) == {"tutorials/1_neurons"}
    assert "coming_from_brian2" not in toctree_entries(index)
