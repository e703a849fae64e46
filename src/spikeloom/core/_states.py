"""Brian2's ``get_states``/``set_states`` (groups, monitors, networks) and
``Network.scheduling_summary``.

``get_states`` returns ``{name: values}`` -- Quantities (or SI arrays with ``units=False``)
-- or, with ``format='pandas'``, a DataFrame; ``set_states`` takes the same and assigns
every entry with the usual unit checks.
"""

from __future__ import annotations

import numpy as np

from .. import units

FORMATS = ("dict", "pandas")
#: Read-only names every group reports, as Brian2 does.
GROUP_CONSTANTS = ("N", "i", "t", "dt", "t_in_timesteps")


def _check_format(owner: str, fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"{owner}: format={fmt!r}; allowed are {', '.join(FORMATS)}")


def _to_format(owner: str, states: dict, fmt: str, n_rows: int):
    """``states`` as asked: the dict, or a DataFrame of its entries with ``n_rows`` values."""
    _check_format(owner, fmt)
    if fmt == "dict":
        return states
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(f"{owner}: format='pandas' needs pandas (pip install pandas)") \
            from None
    return pd.DataFrame({k: np.asarray(v) for k, v in states.items()
                         if np.ndim(v) == 1 and len(v) == n_rows})


def group_state_names(group, subexpressions: bool, read_only: bool) -> list[str]:
    """The variables ``get_states()`` reports for ``group`` (Brian2's choice)."""
    names = [n for n in GROUP_CONSTANTS if read_only]
    if hasattr(group, "connect") and read_only:
        names += ["j"]
    for name, var in group.variables.items():
        if name.startswith("_") or getattr(var, "linked", False):
            continue
        if name == "lastspike" and "not_refractory" not in group.variables:
            continue  # kept for lastspike_pre; Brian2 has it only with a refractory period
        if var.is_subexpression and not subexpressions:
            continue
        if var.read_only and not read_only:
            continue
        names.append(name)
    return names


def group_value(group, name: str, with_units: bool):
    """One entry of ``get_states``: the group's variable or one of Brian2's constants."""
    if name == "N":
        return np.array(len(group))
    if name == "i":
        return np.arange(len(group))
    if name == "j":
        return np.asarray(group.j[:])
    if name in ("t", "dt"):
        seconds = getattr(group, "_t", 0.0) if name == "t" else group.clock.dt_
        return seconds * units.second if with_units else np.array(seconds)
    if name == "t_in_timesteps":
        return np.array(int(round(getattr(group, "_t", 0.0) / group.clock.dt_)))
    values = getattr(group, name)[:]
    return values if with_units else np.asarray(values)


def get_group_states(group, variables=None, with_units: bool = True, fmt: str = "dict",
                     subexpressions: bool = False, read_only_variables: bool = True):
    owner = f"{group.owner}.get_states"
    _check_format(owner, fmt)
    if variables is None:
        names = group_state_names(group, subexpressions, read_only_variables)
    else:
        names = [variables] if isinstance(variables, str) else list(variables)
        unknown = [n for n in names if n not in group.variables and n not in
                   GROUP_CONSTANTS + ("j",)]
        if unknown:
            raise KeyError(f"{owner}: no variable {unknown[0]!r}; variables are "
                           f"{', '.join(group_state_names(group, True, True))}")
    states = {name: group_value(group, name, with_units) for name in names}
    return _to_format(owner, states, fmt, len(group))


def set_group_states(group, values, with_units: bool = True, fmt: str = "dict") -> None:
    owner = f"{group.owner}.set_states"
    _check_format(owner, fmt)
    items = values.items() if fmt == "dict" else ((c, values[c].to_numpy()) for c in values)
    known = group_state_names(group, subexpressions=True, read_only=True)
    for name, value in items:
        if name in GROUP_CONSTANTS or name == "j":
            raise TypeError(f"{owner}: Variable {name} is read-only (one of Brian2's "
                            f"constants {', '.join(GROUP_CONSTANTS + ('j',))})")
        if name not in known:
            raise KeyError(f"{owner}: no variable {name!r}; allowed: "
                           f"{', '.join(n for n in known if n not in GROUP_CONSTANTS)}")
        setattr(group, name if with_units else f"{name}_", value)


def get_monitor_states(monitor, names: list[str], with_units: bool, fmt: str):
    """A monitor's entries as Brian2 stores them: a StateMonitor's variables with one row
    per recording (``(n_times, n_recorded)``, the transpose of ``M.v``), ``N`` the number of
    recordings."""
    owner = f"{type(monitor).__name__} {monitor.name!r}.get_states"
    states = {}
    for name in names:
        if name == "N":
            states[name] = np.array(len(monitor.t[:]), dtype=np.int32)
            continue
        value = getattr(monitor, name)
        value = value[:] if hasattr(value, "__getitem__") and not isinstance(
            value, np.ndarray) else value
        if np.ndim(value) == 2 and name in getattr(monitor, "record_variables", ()):
            value = value.T
        states[name] = value if with_units else np.asarray(value)
    rows = max((len(v) for v in states.values() if np.ndim(v) == 1), default=0)
    return _to_format(owner, states, fmt, rows)


def set_monitor_states(monitor, values, names: list[str], fmt: str) -> None:
    """Brian2's answer to setting a monitor's values: ``TypeError`` (read-only), or
    ``KeyError`` for a name the monitor does not record."""
    owner = f"{type(monitor).__name__} {monitor.name!r}.set_states"
    _check_format(owner, fmt)
    for name in (values if fmt == "dict" else values.columns):
        if name not in names:
            raise KeyError(f"{owner}: no variable {name!r}; the monitor has "
                           f"{', '.join(names)} (all read-only)")
        raise TypeError(f"{owner}: Variable {name} is read-only (a monitor's recordings "
                        "cannot be set)")


class SchedulingSummary:
    """The order in which a network's operations run each step (Brian2's table).

    Attributes
    ----------
    entries : list of tuple
        ``(operation, part of, dt, when, order, active)`` in execution order.
    """

    HEADER = ("object", "part of", "Clock dt", "when", "order", "active")

    def __init__(self, entries: list[tuple]) -> None:
        self.entries = entries

    #: Brian2's cell formats: text left-aligned, the order right-aligned, 'active' centred
    CELL_FORMATS = ("{:<{}}", "{:<{}}", "{:<{}}", "{:<{}}", "{:>{}}", "{:^{}}")

    def __repr__(self) -> str:
        """Brian2's table layout: centred headers, a ``-+-`` rule, one row per operation."""
        rows = [tuple(str(x) for x in e) for e in self.entries]
        widths = [max(len(r[k]) for r in [self.HEADER, *rows]) for k in range(len(self.HEADER))]
        lines = [" | ".join(f"{h:^{w}}" for h, w in zip(self.HEADER, widths)),
                 "-+-".join("-" * w for w in widths)]
        lines += [" | ".join(f.format(c, w) for f, c, w in zip(self.CELL_FORMATS, r, widths))
                  for r in rows]
        return "\n".join(lines)
