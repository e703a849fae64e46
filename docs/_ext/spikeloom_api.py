"""Generate the API reference of spikeloom from the packages' ``__all__``.

At ``builder-inited`` this writes one reStructuredText page per package into
``docs/api/generated/`` (ignored by git): the package's docstring, a summary table and one
autodoc entry per public name. Only spikeloom's own names are documented:
``spikeloom.__all__`` also re-exports NumPy's and pylab's names (as ``from brian2 import *``
does), and those are left to NumPy's and matplotlib's documentation.

A name exported by several packages (``set_device`` is in ``spikeloom`` and
``spikeloom.devices``) is documented once, on the page of the package nearest to where it
is defined, and listed on the others as an alias. The units (``mV``, ``nS``...) are one
table on the :mod:`spikeloom.units` page.

:func:`public_names` is shared with ``tests/test_docs.py`` through :data:`PAGES`, so the
test checks exactly the names the reference documents.
"""

from __future__ import annotations

import importlib
import inspect
import types
from pathlib import Path

#: (package, page title) in the order of the reference; earlier pages win ties of ownership
PAGES: list[tuple[str, str]] = [
    ("spikeloom", "spikeloom: the Brian2-style core"),
    ("spikeloom.units", "spikeloom.units: quantities and units"),
    ("spikeloom.devices", "spikeloom.devices: where runs execute"),
    ("spikeloom.integrators", "spikeloom.integrators: integration methods"),
    ("spikeloom.models", "spikeloom.models: the model library"),
    ("spikeloom.models.neurons", "spikeloom.models.neurons"),
    ("spikeloom.models.synapses", "spikeloom.models.synapses"),
    ("spikeloom.models.projections", "spikeloom.models.projections"),
    ("spikeloom.models.plasticity", "spikeloom.models.plasticity"),
    ("spikeloom.models.devices", "spikeloom.models.devices"),
    ("spikeloom.tasks", "spikeloom.tasks: learning tasks"),
    ("spikeloom.sweep", "spikeloom.sweep: device-robustness sweeps"),
    ("spikeloom.io", "spikeloom.io: Neo objects and NWB files"),
    ("spikeloom.nir", "spikeloom.nir: NIR graphs in and out"),
]

#: internal packages documented for contributors (their names are not checked by the test)
INTERNAL_PAGES: list[tuple[str, str]] = [
    ("spikeloom.ir", "spikeloom.ir: the plan of a run (internal)"),
]

#: sections of the top-level page: heading -> names (the rest go under "Other names")
TOP_SECTIONS: dict[str, list[str]] = {
    "Groups": ["NeuronGroup", "PoissonGroup", "SpikeGeneratorGroup", "Subgroup",
               "PoissonInput", "TimedArray", "Equations"],
    "Synapses": ["Synapses"],
    "Monitors": ["SpikeMonitor", "StateMonitor", "PopulationRateMonitor", "EventMonitor"],
    "Running": ["Network", "run", "run_batch", "store", "restore", "load_checkpoint",
                "start_scope", "seed", "collect", "stop", "network_operation",
                "NetworkOperation", "Clock", "defaultclock", "magic_network",
                "scheduling_summary", "profiling_summary", "linked_var"],
    "Devices and preferences": ["set_device", "get_device", "device", "reset_device",
                                "reinit_devices", "prefs", "codegen"],
    "User functions": ["Function", "implementation", "declare_types", "DEFAULT_FUNCTIONS"],
    "Logging": ["BrianLogger", "get_logger"],
    "Errors": ["BuildError", "CheckpointError", "EquationError", "MagicError",
               "MemoryEstimateError", "SimulationError", "UnitError", "UnresolvedNameError",
               "UnsupportedEquationsError"],
    "Multicompartment neurons": ["SpatialNeuron", "Morphology", "Soma", "Cylinder",
                                 "Section"],
}

#: what an exported *instance* (not a class or function) is, for its entry
DATA_NOTES: dict[str, str] = {
    "defaultclock": "The :class:`~spikeloom.Clock` every object uses unless given its own "
                    "(``defaultclock.dt = 0.05*ms``; default 0.1 ms).",
    "device": "The current :class:`~spikeloom.devices.Device` (Brian2's name): "
              "``device.name`` is ``'numba'`` or ``'jax'``; see :func:`~spikeloom.set_device`.",
    "prefs": "Brian2's preferences object. Brian2's settings are accepted and ignored; "
             "spikeloom reads only its own (``prefs.spikeloom.*``, e.g. "
             "``prefs.spikeloom.memory_check``).",
    "codegen": "``prefs.codegen`` (Brian2 scripts set ``codegen.target = 'numpy'``): "
               "accepted, no effect; there is one code generator.",
    "magic_network": "The network that :func:`~spikeloom.run` uses (Brian2's name): "
                     "``magic_network.t`` is its time, in seconds.",
    "DIMENSIONLESS": "The :class:`~spikeloom.units.Dimension` of a pure number (every "
                     "exponent 0).",
    "DEFAULT_FUNCTIONS": "Functions known to model code by name (``exp``, ``clip``, "
                         "``timestep``...), a dict of :class:`~spikeloom.Function`; "
                         "``DEFAULT_FUNCTIONS['f'] = Function(...)`` adds one.",
    "EXPERIMENTS": "The registry of sweep experiments: name -> "
                   ":class:`~spikeloom.sweep.Experiment` (``'classify'``); "
                   "extended by :func:`~spikeloom.sweep.register_experiment`.",
}


def _module_of(obj) -> str | None:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    if inspect.isclass(obj) or inspect.isroutine(obj):
        return getattr(obj, "__module__", None)
    return type(obj).__module__


def is_own(obj) -> bool:
    """Whether ``obj`` is defined by spikeloom (not a NumPy/pylab re-export)."""
    module = _module_of(obj)
    return bool(module) and module.split(".")[0] == "spikeloom"


def public_names(package: str) -> dict[str, object]:
    """spikeloom's own public names of ``package``: its ``__all__`` (or, without one, its
    names not starting with ``_``), without NumPy/pylab re-exports, in ``__all__``'s order."""
    module = importlib.import_module(package)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")
                 and not isinstance(getattr(module, n), types.ModuleType)]
    out = {}
    for name in names:
        obj = getattr(module, name)
        if is_own(obj):
            out[name] = obj
    return out


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("."), b.split(".")):
        if x != y:
            break
        n += 1
    return n


def owners(pages=PAGES) -> dict[int, tuple[str, str]]:
    """id(object) -> (package, name) of the page that documents it."""
    best: dict[int, tuple[int, int, str, str]] = {}
    for order, (package, _) in enumerate(pages):
        for name, obj in public_names(package).items():
            if isinstance(obj, types.ModuleType):
                continue
            score = _common(package, _module_of(obj) or "")
            key = id(obj)
            if key not in best or score > best[key][0]:
                best[key] = (score, order, package, name)
    return {k: (v[2], v[3]) for k, v in best.items()}


def _first_line(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.isroutine(obj):
        return "function"
    return "data"


def _role(obj) -> str:
    return {"class": "class", "exception": "exc", "function": "func", "data": "data"}[_kind(obj)]


def _entry(package: str, name: str, obj) -> list[str]:
    kind = _kind(obj)
    if kind == "class":
        return [f".. autoclass:: {package}.{name}", "   :members:", "   :show-inheritance:", ""]
    if kind == "exception":
        return [f".. autoexception:: {package}.{name}", "   :show-inheritance:", ""]
    if kind == "function":
        return [f".. autofunction:: {package}.{name}", ""]
    note = DATA_NOTES.get(name)
    if note is None:
        cls = type(obj)
        note = (f"An instance of ``{cls.__module__}.{cls.__qualname__}``: "
                f"{_first_line(cls)}")
    return [f".. py:data:: {package}.{name}", "", f"   {note}", ""]


def _title(text: str, char: str = "=") -> list[str]:
    return [text, char * len(text), ""]


def _units_table(units: dict[str, object]) -> list[str]:
    from spikeloom.units import get_dimensions

    rows = []
    ordered = sorted(units.items(), key=lambda item: (str(get_dimensions(item[1])),
                                                      float(item[1]), item[0]))
    for name, unit in ordered:
        dim = str(get_dimensions(unit)) or "1"
        rows.append((f"``{name}``", f"{float(unit):.6g}", f"``{dim}``"))
    head = ("name", "value in SI units", "dimension")
    widths = [max(len(r[k]) for r in rows + [head]) for k in range(3)]
    sep = "  ".join("=" * w for w in widths)
    lines = [sep, "  ".join(h.ljust(w) for h, w in zip(head, widths)), sep]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return lines + [sep, ""]


def render_page(package: str, title: str, own: dict[int, tuple[str, str]]) -> str:
    """The reStructuredText of one package's page."""
    from spikeloom.units import Unit

    names = public_names(package)
    lines = _title(title)
    lines += [f".. automodule:: {package}", "   :no-members:", "",
              f".. currentmodule:: {package}", ""]
    if package == "spikeloom":
        lines += [
            "``spikeloom.__all__`` (what ``from spikeloom import *`` binds) also holds NumPy's "
            "and pylab's names, as Brian2's star import does; they are NumPy's and "
            "matplotlib's own objects and are not documented here. The units it binds are "
            "listed on the :mod:`spikeloom.units` page.", ""]
    units = {n: o for n, o in names.items() if isinstance(o, Unit)}
    modules = {n: o for n, o in names.items() if isinstance(o, types.ModuleType)}
    mine = [(n, o) for n, o in names.items() if n not in units and n not in modules
            and own.get(id(o)) == (package, n)]
    aliases = [(n, o) for n, o in names.items() if n not in units and n not in modules
               and own.get(id(o)) != (package, n)]

    def section(heading: str, items) -> list[str]:
        out = _title(heading, "-") if heading else []
        out += [".. autosummary::", ""]
        out += [f"   {n}" for n, _ in items]
        out.append("")
        for n, o in items:
            out += _entry(package, n, o)
        return out

    if package == "spikeloom":
        placed = set()
        for heading, members in TOP_SECTIONS.items():
            items = [(n, o) for n, o in mine if n in members]
            placed |= {n for n, _ in items}
            if items:
                lines += section(heading, items)
        rest = [(n, o) for n, o in mine if n not in placed]
        if rest:
            lines += section("Other names", rest)
    elif mine:
        lines += section("Contents", mine)
    if units:
        lines += _title("Units", "-")
        if package == "spikeloom":
            lines += [f"{len(units)} unit names (those of :mod:`spikeloom.units`); see there.",
                      ""]
        else:
            lines += ["Each name is a :class:`~spikeloom.units.Unit`: a quantity of value 1 in "
                      "that unit (``3*mV`` is 0.003 volt). Prefixes: ``p`` pico, ``n`` nano, "
                      "``u`` micro, ``m`` milli, ``c`` centi, ``k`` kilo, ``M`` mega, ``G`` "
                      "giga, ``T`` tera; ``cm2``, ``um3``... are powers. The dimension is "
                      "written in SI base units (m, kg, s, A, K, mol, cd); the table is "
                      "sorted by dimension, then size.", ""]
            lines += _units_table(units)
    if aliases or modules:
        lines += _title("Also exported here", "-")
        for n, o in aliases:
            home_package, home_name = own[id(o)]
            lines.append(f"* ``{n}``: :py:{_role(o)}:`{home_package}.{home_name}`")
        for n, o in modules.items():
            lines.append(f"* ``{n}``: the module :py:mod:`{o.__name__}`")
        lines.append("")
    return "\n".join(lines)


def write_pages(outdir: Path) -> list[str]:
    """Write every page (only files whose text changed); return the page names."""
    outdir.mkdir(parents=True, exist_ok=True)
    own = owners()
    written = []
    for package, title in PAGES:
        text = render_page(package, title, own)
        _write(outdir / f"{package}.rst", text)
        written.append(package)
    for package, title in INTERNAL_PAGES:
        text = "\n".join(_title(title) + [
            f".. automodule:: {package}", "   :members:", "   :imported-members:",
            "   :show-inheritance:", "   :exclude-members: Statement", "",
            "``Statement`` (one assignment of a kernel) is "
            ":class:`spikeloom.integrators.Statement`.", ""])
        _write(outdir / f"{package}.rst", text)
        written.append(package)
    for stale in outdir.glob("*.rst"):
        if stale.stem not in written:
            stale.unlink()
    return written


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _on_builder_inited(app) -> None:
    write_pages(Path(app.srcdir) / "api" / "generated")


def _skip_foreign_member(app, what, name, obj, skip, options):
    """Leave out members that other libraries add to spikeloom's classes (scikit-learn's
    ``set_fit_request``... on the estimators): they are documented by those libraries."""
    module = getattr(obj, "__module__", None)
    if callable(obj) and isinstance(module, str) and not module.startswith("spikeloom"):
        return True
    return None


def setup(app):
    app.setup_extension("sphinx.ext.autosummary")
    app.connect("autodoc-skip-member", _skip_foreign_member)
    app.connect("builder-inited", _on_builder_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
