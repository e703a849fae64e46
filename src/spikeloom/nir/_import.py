"""``from_nir``: a NIR graph as spikeloom groups and synapses (see ``docs/nir.md``).

Two readings of a spike train are offered (``spikes=``):

``'pulse'`` (default; snnTorch's, Norse's and most NIR tools' discrete-time convention)
    A spike is a signal of value 1 during one step of ``dt``. Every step runs the whole
    graph once, unit by unit in topological order, inside the ``groups`` slot: a unit's
    input ``I`` (the folded Affine/Linear/Scale weights times the sources' signals, by a
    ``(summed)`` variable, plus the bias) is computed, its ODE advanced by one step with
    ``I`` held (``method``), then spike and reset. A spike therefore reaches every
    downstream unit in the step it is emitted, and the closing edge of a cycle carries the
    previous step's spikes.

``'dirac'`` (the continuous-time reading; Brian2's event-driven synapses)
    A spike is a unit impulse: it makes the jump ``r*W/tau`` in ``v`` of an LIF, ``r*W`` in
    an IF, ``w_in*W/tau_syn`` in the current of a CubaLIF, delivered by ``Synapses`` with
    ``on_pre`` in the ``synapses`` slot (after the threshold), with the usual
    ``NeuronGroup`` threshold and reset. ``to_nir`` writes networks in this reading.
"""

from __future__ import annotations

import numpy as np

from .. import units
from ..core import (
    Network,
    NeuronGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
)
from ..units import get_dim
from ._graph import Unit, read_units

SPIKES = ("pulse", "dirac")
SPIKING = ("LIF", "CubaLIF", "IF", "Threshold")
DIRAC_TYPES = ("Input", "Output", "LIF", "IF", "CubaLIF")
PARAMS = {
    "LIF": {"tau": "tau", "r": "r", "v_leak": "v_leak", "v_threshold": "v_threshold",
            "v_reset": "v_reset"},
    "LI": {"tau": "tau", "r": "r", "v_leak": "v_leak"},
    "IF": {"r": "r", "v_threshold": "v_threshold", "v_reset": "v_reset"},
    "I": {"r": "r"},
    "CubaLIF": {"tau": "tau_mem", "r": "r", "v_leak": "v_leak", "v_threshold": "v_threshold",
                "v_reset": "v_reset", "tau_syn": "tau_syn", "w_in": "w_in"},
    "CubaLI": {"tau": "tau_mem", "r": "r", "v_leak": "v_leak", "tau_syn": "tau_syn",
               "w_in": "w_in"},
    "Threshold": {"v_threshold": "threshold"},
}
TIME_PARAMS = ("tau", "tau_syn")
MEMBRANE = {
    "LIF": "dv/dt = (v_leak - v + r*I)/tau : 1",
    "LI": "dv/dt = (v_leak - v + r*I)/tau : 1",
    "IF": "dv/dt = r*I/second : 1",
    "I": "dv/dt = r*I/second : 1",
}
SPIKE_CODE = "s = int(v > v_threshold)\nv = s*v_reset + (1 - s)*v"


def from_nir(graph, dt, *, method: str | None = None, spikes: str = "pulse") -> NIRNetwork:
    """Build a spikeloom network from a NIR graph.

    Parameters
    ----------
    graph : nir.NIRGraph or str or path
        The graph, or a ``.nir`` file written by ``nir.write``.
    dt : Quantity, time
        The simulation step, e.g. ``1e-4*second`` for graphs exported by snnTorch (its
        export assumes ``dt = 0.1 ms``). NIR's time constants are in seconds.
    method : str, optional
        Integration method of the neuron ODEs over one step (default ``'euler'`` for
        ``spikes='pulse'``, which reproduces the discrete-time simulators that export NIR;
        ``'exact'`` for ``spikes='dirac'``).
    spikes : {'pulse', 'dirac'}
        How a spike train enters a node (see :mod:`spikeloom.nir`): ``'pulse'`` (default)
        a value 1 held for one step, ``'dirac'`` a unit impulse (jump).

    Returns
    -------
    NIRNetwork
        Call :meth:`NIRNetwork.run` with the input signals to get the outputs.

    Raises
    ------
    NotImplementedError
        For a node type spikeloom does not import (``Conv1d``, ``Conv2d``, pooling), naming
        the node and the nearest supported alternative.
    ValueError
        For an edge to an unknown node, a node that reaches no unit, mismatched sizes.

    Examples
    --------
    >>> import numpy as np, nir
    >>> from spikeloom import second
    >>> from spikeloom.nir import from_nir
    >>> g = nir.NIRGraph.from_list(nir.Input(np.array([1])),
    ...     nir.Affine(np.array([[1.0]]), np.array([0.0])),
    ...     nir.LIF(tau=np.array([1e-3]), r=np.array([10.0]), v_leak=np.array([0.0]),
    ...             v_threshold=np.array([1.5])), nir.Output(np.array([1])))
    >>> net = from_nir(g, dt=1e-4*second)
    >>> out = net.run(np.ones((20, 1)))
    >>> np.flatnonzero(out['output'][:, 0]).tolist()
    [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]
    """
    if isinstance(graph, str) or hasattr(graph, "__fspath__"):
        import nir

        graph = nir.read(graph)
    if spikes not in SPIKES:
        raise ValueError(f"from_nir: spikes={spikes!r} is not allowed; allowed are "
                         f"{', '.join(map(repr, SPIKES))}")
    if get_dim(dt) != get_dim(units.second) or not float(dt) > 0:
        raise ValueError(f"from_nir: dt must be a positive time such as 1e-4*second, got {dt!r}")
    method = method or ("euler" if spikes == "pulse" else "exact")
    return NIRNetwork(read_units(graph), float(dt), method, spikes)


class NIRNetwork:
    """A NIR graph ready to run in spikeloom (made by :func:`from_nir`).

    Parameters
    ----------
    unit_list : list of Unit
        The graph's units in update order.
    dt : float
        Step in seconds.
    method : str
        Integration method.
    spikes : str
        ``'pulse'`` or ``'dirac'``.

    Attributes
    ----------
    input_names, output_names : list of str
        The graph's Input and Output nodes.
    network : Network or None
        The network of the last :meth:`build` (or :meth:`run`).
    groups : dict
        Node name → the group of the last build (a CubaLIF also has ``'<name>:syn'`` in
        ``spikes='pulse'``: its synaptic current).
    """

    def __init__(self, unit_list, dt: float, method: str, spikes: str) -> None:
        self.units = unit_list
        self.dt = dt
        self.method = method
        self.spikes = spikes
        self.input_names = [u.name for u in unit_list if u.kind == "Input"]
        self.output_names = [u.name for u in unit_list if u.kind == "Output"]
        if spikes == "dirac":
            _check_dirac(unit_list)
        self.network = None
        self.groups: dict = {}
        self._outputs: dict = {}

    def __repr__(self) -> str:
        return (f"NIRNetwork({len(self.units)} units, dt={self.dt} s, method={self.method!r}, "
                f"spikes={self.spikes!r}, inputs={self.input_names}, "
                f"outputs={self.output_names})")

    def build(self, inputs) -> Network:
        """Build a fresh network (state at rest, ``t = 0``) driven by ``inputs``.

        Parameters
        ----------
        inputs : array or dict
            Shape ``(n_steps, n)`` per Input node: the input signal at each step (0/1
            spikes, or any value with ``spikes='pulse'``); a dict ``{input name: array}``,
            or one array when the graph has one Input.

        Returns
        -------
        Network
            Its groups are in :attr:`groups`; add monitors to it before running.
        """
        signals = self._check_inputs(inputs)
        self.groups, self._outputs = {}, {}
        objects = []
        for k, unit in enumerate(self.units):
            base = 10 * (k + 1)
            if self.spikes == "pulse":
                objects += _pulse_unit(unit, base, self.method, signals, self.dt, self.groups)
            else:
                objects += _dirac_unit(unit, self.method, signals, self.dt, self.groups)
        for unit in self.units:
            objects += self._connect(unit)
            if unit.kind == "Output":
                self._outputs[unit.name] = self._output_kind(unit)
        self.network = Network(*objects)
        self._n_steps = next(iter(signals.values())).shape[0]
        return self.network

    def run(self, inputs) -> dict:
        """Run the graph on ``inputs``; return every Output node's signal at each step.

        Parameters
        ----------
        inputs : array or dict
            See :meth:`build`.

        Returns
        -------
        dict
            Output name → array of shape ``(n_steps, n)``: booleans where the output is a
            spike train, floats otherwise (e.g. the potential of an ``LI`` node).
        """
        net = self.build(inputs)
        monitors = {name: self._monitor(name) for name in self.output_names}
        net.add(*monitors.values())
        net.run(self._n_steps * self.dt * units.second)
        return {name: self._read(name, mon) for name, mon in monitors.items()}

    # -- inputs and outputs --------------------------------------------------------------------
    def _check_inputs(self, inputs) -> dict:
        if not isinstance(inputs, dict):
            if len(self.input_names) != 1:
                raise ValueError(f"NIRNetwork.run: the graph has the inputs "
                                 f"{self.input_names}; pass a dict {{name: array}}")
            inputs = {self.input_names[0]: inputs}
        if sorted(inputs) != sorted(self.input_names):
            raise ValueError(f"NIRNetwork.run: inputs has the keys {sorted(inputs)}; the "
                             f"graph's Input nodes are {sorted(self.input_names)}")
        sizes = {u.name: u.size for u in self.units}
        signals = {}
        for name, value in inputs.items():
            arr = np.asarray(value, dtype=float)
            arr = arr.reshape(arr.shape[0], -1) if arr.ndim > 2 else arr
            if arr.ndim != 2 or arr.shape[1] != sizes[name] or arr.shape[0] == 0:
                raise ValueError(f"NIRNetwork.run: input {name!r} must have the shape "
                                 f"(n_steps, {sizes[name]}), got {np.shape(value)}")
            signals[name] = arr
        if len({a.shape[0] for a in signals.values()}) > 1:
            raise ValueError("NIRNetwork.run: all inputs must have the same number of steps")
        return signals

    def _output_kind(self, unit: Unit) -> tuple:
        """How an Output is read: ``(kind, group, variable)``."""
        sources = [src for src, _, _ in unit.inputs]
        if self.spikes == "dirac":
            return ("spikes", self.groups[sources[0]], None)
        kinds = {u.name: u.kind for u in self.units}
        unchanged = all(w.shape[0] == w.shape[1] and np.array_equal(w, np.eye(len(w)))
                        and not b.any() for _, w, b in unit.inputs)
        pulses = unchanged and all(kinds[s] in SPIKING for s in sources)
        return ("pulses" if pulses else "state", self.groups[unit.name], "I")

    def _monitor(self, name):
        kind, group, var = self._outputs[name]
        if kind == "spikes":
            return SpikeMonitor(group)
        return StateMonitor(group, var, record=True, when="end")

    def _read(self, name, mon) -> np.ndarray:
        kind, group, var = self._outputs[name]
        if kind == "spikes":
            out = np.zeros((self._n_steps, group.N), bool)
            steps = np.round(np.asarray(mon.t_) / self.dt).astype(np.int64)
            out[steps, np.asarray(mon.i)] = True
            return out
        values = np.asarray(getattr(mon, var + "_")).T[:self._n_steps]
        return values > 0.5 if kind == "pulses" else values

    # -- connections ---------------------------------------------------------------------------
    def _connect(self, unit: Unit) -> list:
        objects = []
        if self.spikes == "dirac" and unit.kind == "Output":
            return objects  # the source's spikes are recorded
        for k, (src, weight, _) in enumerate(unit.inputs):
            source, out_var = self.groups[src], self._out_var(src)
            target = self.groups[unit.name if unit.kind != "CubaLIF" or self.spikes == "dirac"
                                else unit.name + ":syn"]
            if self.spikes == "pulse":
                model = f"w : 1\nx{k}_post = w*{out_var}_pre : 1 (summed)"
                syn = Synapses(source, target, model)
            else:
                syn = Synapses(source, target, "w : 1", on_pre=f"{_jump_var(unit)}_post += w")
                weight = weight * _jump_factor(unit)[:, None]
            post, pre = np.nonzero(weight)
            if post.size:
                syn.connect(i=pre, j=post)
                syn.w = weight[post, pre]
            objects.append(syn)
        return objects

    def _out_var(self, name: str) -> str:
        return self._outputs_of[name]

    @property
    def _outputs_of(self) -> dict:
        return {u.name: _output_var(u, self.spikes) for u in self.units}


def _check_dirac(units_) -> None:
    for unit in units_:
        if unit.kind not in DIRAC_TYPES:
            raise NotImplementedError(
                f"from_nir(spikes='dirac'): node {unit.name!r} has type {unit.kind}; the "
                f"impulse reading supports {', '.join(DIRAC_TYPES)}; use spikes='pulse'")
        for src, weight, _ in unit.inputs:
            src_kind = next(u.kind for u in units_ if u.name == src)
            if src_kind not in ("Input",) + SPIKING:
                raise NotImplementedError(f"from_nir(spikes='dirac'): node {unit.name!r} gets "
                                          f"a continuous signal from {src!r}; use "
                                          "spikes='pulse'")
            if unit.kind == "Output" and not (weight.shape[0] == weight.shape[1]
                                              and np.array_equal(weight, np.eye(len(weight)))):
                raise NotImplementedError(f"from_nir(spikes='dirac'): Output {unit.name!r} "
                                          "must receive a spike train unchanged (no weights); "
                                          "use spikes='pulse'")


def _output_var(unit: Unit, spikes: str) -> str:
    if unit.kind in SPIKING:
        return "s"
    return {"Input": "y", "Delay": "y", "Output": "I"}.get(unit.kind, "v")


def _params(unit: Unit) -> dict:
    """The unit's parameters as flat arrays of its size (time constants in seconds)."""
    out = {}
    for name, attr in PARAMS.get(unit.kind, {}).items():
        value = getattr(unit.node, attr)
        value = np.zeros(unit.size) if value is None else np.asarray(value, dtype=float)
        out[name] = np.broadcast_to(value.reshape(-1), (unit.size,)).copy()
        if name in TIME_PARAMS and not np.all(out[name] > 0):
            raise ValueError(f"from_nir: node {unit.name!r} ({unit.kind}) has {attr} "
                             f"{out[name]}; time constants must be positive (seconds)")
    return out


def _declare(params: dict) -> list[str]:
    return [f"{p} : {'second' if p in TIME_PARAMS else '1'} (constant)" for p in params]


def _set(group, params: dict) -> None:
    for p, value in params.items():
        setattr(group, p, value * units.second if p in TIME_PARAMS else value)


def _input_lines(n_inputs: int) -> list[str]:
    xs = [f"x{k}" for k in range(n_inputs)]
    return [f"{x} : 1" for x in xs] + ["b : 1 (constant)", f"I = {' + '.join(xs + ['b'])} : 1"]


# -- the 'pulse' reading ----------------------------------------------------------------------
def _pulse_unit(unit: Unit, base: int, method: str, signals: dict, dt: float,
                groups: dict) -> list:
    kind, params = unit.kind, _params(unit)
    if kind == "Input":
        return [_pulse_input(unit, base, signals[unit.name], dt, groups)]
    if kind in ("CubaLIF", "CubaLI"):
        return _pulse_cuba(unit, base, method, params, groups)
    lines = _input_lines(len(unit.inputs)) + _declare(params)
    code = None
    if kind in MEMBRANE:
        lines.insert(0, MEMBRANE[kind])
        code = SPIKE_CODE if kind in SPIKING else None
    elif kind == "Threshold":
        code = "s = int(I > v_threshold)"
    elif kind == "Delay":
        steps = _delay_steps(unit, dt)
        lines += [f"h{j} : 1" for j in range(1, steps.max() + 1)] + ["d : 1 (constant)"]
        code = _delay_code(int(steps.max()))
        params["d"] = steps.astype(float)
    if kind in SPIKING:
        lines.append("s : 1")
    if kind == "Delay":
        lines.append("y : 1")
    group = _group(unit, lines, method, base, params, spikes=kind in SPIKING)
    if code:
        group.run_regularly(code, when="groups", order=base + 1)
    groups[unit.name] = group
    return [group]


def _group(unit: Unit, lines: list[str], method: str, base: int, params: dict,
           spikes: bool) -> NeuronGroup:
    has_ode = any(line.startswith("d") and "/dt" in line.split(":")[0] for line in lines)
    group = NeuronGroup(unit.size, "\n".join(lines), method=method if has_ode else None,
                        threshold="s > 0.5" if spikes else None, order=base)
    _set(group, params)
    group.b = unit.bias
    if "v_leak" in params:
        group.v = params["v_leak"]
    return group


def _pulse_input(unit: Unit, base: int, signal: np.ndarray, dt: float, groups: dict):
    stim = TimedArray(signal, dt=dt * units.second)
    group = NeuronGroup(unit.size, "y : 1", namespace={"_nir_stim": stim}, order=base)
    group.run_regularly("y = _nir_stim(t, i)", when="groups", order=base)
    groups[unit.name] = group
    return group


def _pulse_cuba(unit: Unit, base: int, method: str, params: dict, groups: dict) -> list:
    current = {k: params.pop(k) for k in ("tau_syn", "w_in")}
    lines = (["dc/dt = (w_in*I - c)/tau_syn : 1"] + _input_lines(len(unit.inputs))
             + _declare(current))
    syn = _group(unit, lines, method, base, current, spikes=False)
    spiking = unit.kind == "CubaLIF"
    membrane = Unit(unit.name, "LIF" if spiking else "LI", unit.node, unit.size,
                    [(unit.name + ":syn", np.eye(unit.size), np.zeros(unit.size))])
    lines = [MEMBRANE["LIF"]] + _input_lines(1) + _declare(params) + (["s : 1"] if spiking
                                                                       else [])
    group = _group(membrane, lines, method, base + 4, params, spikes=spiking)
    if spiking:
        group.run_regularly(SPIKE_CODE, when="groups", order=base + 5)
    link = Synapses(syn, group, "x0_post = c_pre : 1 (summed)")
    link.connect(j="i")
    groups[unit.name + ":syn"], groups[unit.name] = syn, group
    return [syn, group, link]


def _delay_steps(unit: Unit, dt: float) -> np.ndarray:
    delay = np.broadcast_to(np.asarray(unit.node.delay, float).reshape(-1), (unit.size,))
    steps = np.round(delay / dt)
    if np.any(np.abs(steps * dt - delay) > 1e-9 * np.maximum(delay, dt)) or np.any(delay < 0):
        raise ValueError(f"from_nir: Delay node {unit.name!r} has delays {delay} s; each must "
                         f"be a non-negative multiple of dt = {dt} s")
    return steps.astype(np.int64)


def _delay_code(n: int) -> str:
    terms = ["(d == 0)*I"] + [f"(d == {j})*h{j}" for j in range(1, n + 1)]
    shift = [f"h{j} = h{j - 1}" for j in range(n, 1, -1)] + (["h1 = I"] if n else [])
    return "\n".join([f"y = {' + '.join(terms)}"] + shift)


# -- the 'dirac' reading ----------------------------------------------------------------------
def _dirac_unit(unit: Unit, method: str, signals: dict, dt: float, groups: dict) -> list:
    if unit.kind == "Input":
        steps, index = np.nonzero(signals[unit.name])
        group = SpikeGeneratorGroup(unit.size, index, steps * dt * units.second)
        groups[unit.name] = group
        return [group]
    if unit.kind == "Output":
        return []
    params = _params(unit)
    eqs = {"LIF": "dv/dt = (v_leak - v + r*b)/tau : 1",
           "IF": "dv/dt = r*b/second : 1",
           "CubaLIF": "dv/dt = (v_leak - v + r*c)/tau : 1\ndc/dt = (w_in*b - c)/tau_syn : 1"}
    lines = [eqs[unit.kind], "b : 1 (constant)"] + _declare(params)
    group = NeuronGroup(unit.size, "\n".join(lines), method=method,
                        threshold="v > v_threshold", reset="v = v_reset")
    _set(group, params)
    group.b = unit.bias
    if "v_leak" in params:
        group.v = params["v_leak"]
    groups[unit.name] = group
    return [group]


def _jump_var(unit: Unit) -> str:
    return "c" if unit.kind == "CubaLIF" else "v"


def _jump_factor(unit: Unit) -> np.ndarray:
    """The jump of the target variable per unit weight of an impulse."""
    p = _params(unit)
    if unit.kind == "LIF":
        return p["r"] / p["tau"]
    if unit.kind == "IF":
        return p["r"]
    return p["w_in"] / p["tau_syn"]

