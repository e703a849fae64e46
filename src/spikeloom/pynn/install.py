"""Make ``import pyNN.spikeloom`` work: write (or remove) the module ``pyNN/spikeloom.py``.

PyNN looks for its backends inside its own package, so an installed PyNN needs one small
module there, as sPyNNaker's ``pyNN.spiNNaker`` does. The module written makes
``pyNN.spikeloom`` the very module ``spikeloom.pynn`` (same objects, same state)::

    python -m spikeloom.pynn.install              # into the installed pyNN package
    python -m spikeloom.pynn.install --uninstall  # remove it again
    python -m spikeloom.pynn.install --target DIR # into DIR/pyNN/ (a copy of PyNN there)

Reinstalling PyNN removes the module; run the command again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: The text of ``pyNN/spikeloom.py``.
SHIM = '''"""PyNN's spikeloom backend: this module is ``spikeloom.pynn`` (written by
``python -m spikeloom.pynn.install``; remove with ``--uninstall``)."""
import sys

import spikeloom.pynn

sys.modules[__name__] = spikeloom.pynn
'''


def shim_path(target=None) -> Path:
    """Where the shim goes: ``<target>/pyNN/spikeloom.py`` or the installed pyNN's.

    Parameters
    ----------
    target : str or os.PathLike, optional
        A directory holding a ``pyNN`` package (default: the ``pyNN`` that imports).

    Returns
    -------
    pathlib.Path
    """
    if target is not None:
        return Path(target) / "pyNN" / "spikeloom.py"
    import pyNN

    return Path(pyNN.__path__[0]) / "spikeloom.py"


def install(target=None) -> Path:
    """Write the shim module ``pyNN/spikeloom.py``.

    Parameters
    ----------
    target : str or os.PathLike, optional
        A directory holding a ``pyNN`` package (default: the installed one).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    FileNotFoundError
        If there is no ``pyNN`` package at ``target``.
    """
    path = shim_path(target)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"install: no pyNN package at {str(path.parent)!r}; give "
                                "target=<directory that holds pyNN/> or install PyNN")
    path.write_text(SHIM)
    return path


def uninstall(target=None) -> bool:
    """Remove the shim module, if it is ours.

    Parameters
    ----------
    target : str or os.PathLike, optional
        A directory holding a ``pyNN`` package (default: the installed one).

    Returns
    -------
    bool
        Whether a file was removed.

    Raises
    ------
    RuntimeError
        If ``pyNN/spikeloom.py`` exists but was not written by :func:`install`.
    """
    path = shim_path(target)
    if not path.exists():
        return False
    if path.read_text() != SHIM:
        raise RuntimeError(f"uninstall: {str(path)!r} was not written by "
                           "spikeloom.pynn.install; remove it by hand if you mean to")
    path.unlink()
    return True


def main(argv=None) -> int:
    """Command line: ``python -m spikeloom.pynn.install [--target DIR] [--uninstall]``.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m spikeloom.pynn.install",
                                     description="Make 'import pyNN.spikeloom' work.")
    parser.add_argument("--target", help="directory that holds the pyNN package")
    parser.add_argument("--uninstall", action="store_true", help="remove the module")
    args = parser.parse_args(argv)
    if args.uninstall:
        removed = uninstall(args.target)
        print(f"removed {shim_path(args.target)}" if removed else "nothing to remove")
    else:
        print(f"wrote {install(args.target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
