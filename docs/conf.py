"""Sphinx configuration of spikeloom's documentation site.

Build with ``make -C docs html`` (warnings are errors). The tutorials (MyST-NB text
notebooks under ``tutorials/``) and the examples of the gallery (``examples/*.py``) are
executed during the build, so a failing cell or example fails it. Set
``SPIKELOOM_DOCS_INTERSPHINX=1`` to link to NumPy's, Brian2's, scikit-learn's and Python's
documentation (this fetches their inventories, hence needs the internet; off by default so
that an offline build stays green).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
# the notebooks' kernels inherit this environment: leave matplotlib's backend to ipykernel
# (inline figures), whatever the shell set (tests set MPLBACKEND=Agg)
os.environ.pop("MPLBACKEND", None)

import spikeloom  # noqa: E402

project = "spikeloom"
author = "the spikeloom authors"
copyright = "the spikeloom authors (BSD-3-Clause)"
release = version = spikeloom.__version__

extensions = [
    "myst_nb",  # MyST Markdown and executed text notebooks (includes myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "spikeloom_api",  # docs/_ext: the API reference, generated from __all__
    "spikeloom_gallery",  # docs/_ext: examples/*.py run at build time, with their figures
]

if os.environ.get("SPIKELOOM_DOCS_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "brian2": ("https://brian2.readthedocs.io/en/stable/", None),
        "sklearn": ("https://scikit-learn.org/stable/", None),
    }
    intersphinx_timeout = 20

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path: list[str] = []

# -- MyST ------------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links to headings up to level 3

# -- executed notebooks (the tutorials) -------------------------------------------------------
# "force": every build executes every tutorial, so a change anywhere in spikeloom that breaks
# one fails the build ("cache" would skip notebooks whose text did not change).
nb_execution_mode = os.environ.get("SPIKELOOM_DOCS_EXECUTE", "force")
nb_execution_timeout = 300  # seconds per notebook (cold Numba caches compile every loop)
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_show_tb = True
nb_merge_streams = True

# -- autodoc and numpydoc ---------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc "Parameters" sections say the types, with units
autodoc_inherit_docstrings = True
numpydoc_show_class_members = False  # members are listed by autodoc itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True
numpydoc_validation_checks: set[str] = set()  # the test suite checks docstrings instead
autosummary_generate = False  # the summary tables link to entries on the same page

# -- HTML -------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"spikeloom {release}"
html_static_path: list[str] = []
html_show_sourcelink = False

# unresolved cross-references to other projects' names (numpy.ndarray...) stay plain text
# when intersphinx is off, rather than warnings
nitpicky = False

# -- gallery (docs/_ext/spikeloom_gallery.py) -------------------------------------------------
# Each examples/*.py runs at build time; "short_args" shorten long runs (the build must stay
# quick on 2 cores), "args" are the example's own run (SPIKELOOM_DOCS_FULL_EXAMPLES=1).
gallery_examples_dir = "../examples"
gallery_examples = {
    "coba_library.py": {
        "args": ["--fig", "coba_library.png"],
        "short_args": ["--neurons", "1000", "--duration", "200", "--fig", "coba_library.png"],
    },
    "dendrite_cable.py": {"args": ["--fig", "dendrite_cable.png"]},
    "memristor_stdp_window.py": {
        "args": ["--out", "memristor_stdp_window.png"],
        "short_args": ["--out", "memristor_stdp_window.png", "--devices", "50"],
    },
    "seed_ampa.py": {"args": ["--fig", "seed_ampa.png"]},
    "seed_memristor_stdp.py": {
        "title": "The forum's memristor STDP script",
        "description": (
            "The memristor STDP script of the Brian2 forum thread that started spikeloom, "
            "kept byte for byte apart from its import line (``from brian2 import *`` became "
            "``from spikeloom import *``). Neuron 0 fires at 100 ms and neurons 1-100 at "
            "times spread over 0-250 ms; the synapses from neuron 0 change by the "
            "nanocomposite memristor's rule, so the figure is its STDP window (weight "
            "change against t_post - t_pre, initial weight 0.4). Its weights equal "
            "Brian2's to 1e-16 (``tests/test_seed_script.py``)."),
        "args": [],
    },
}
gallery_timeout = 600
