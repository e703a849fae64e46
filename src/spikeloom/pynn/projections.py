"""Projection of the PyNN backend: one spikeloom ``Synapses`` per pair of populations.

PyNN's connectors call :meth:`Projection._convergent_connect` once per target cell; the
connections are collected and created at the end of the projection's construction,
one ``Synapses`` object per (presynaptic population, postsynaptic population) pair (more
than one when ``pre`` or ``post`` is an ``Assembly``). Connection ``k`` of the projection
is the ``k``-th connection the connector made; weights are kept in PyNN's units (nA, uS,
mV), delays in the ``Synapses``' delay variables.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from pyNN import common, errors
from pyNN.space import Space

from ..core import Synapses
from . import simulator
from .populations import root_of
from .simulator import get_si
from .synapses import StaticSynapse, _SpikeloomSynapse

#: Native synaptic parameters kept in SI by spikeloom, with the factor from PyNN's unit.
_SI_SCALE = {"tau_plus": 1e-3, "tau_minus": 1e-3}
_SPACE = Space()  # PyNN's default (a module-level instance, as PyNN's own signature has)
_NOT_SYNAPSE_VARIABLES = ("delay", "dendritic_delay_fraction")


class Connection(common.Connection):
    """One connection of a projection (PyNN's ``Connection``).

    Parameters
    ----------
    projection : Projection
        The projection it belongs to.
    index : int
        Its number in the projection.
    """

    def __init__(self, projection, index):
        self.projection = projection
        self.index = index
        self.presynaptic_index = int(projection._pre_index[index])
        self.postsynaptic_index = int(projection._post_index[index])

    def _get_weight(self):
        return float(self.projection._read("weight")[self.index])

    def _set_weight(self, value):
        self.projection._write("weight", np.array([self.index]), value)

    def _get_delay(self):
        return float(self.projection._read("delay")[self.index])

    def _set_delay(self, value):
        self.projection._write("delay", np.array([self.index]), value)

    weight = property(_get_weight, _set_weight)
    delay = property(_get_delay, _set_delay)

    def as_tuple(self, *attribute_names):
        """The values of the given attributes, as a tuple.

        Parameters
        ----------
        *attribute_names : str
            ``presynaptic_index``, ``postsynaptic_index``, ``weight``, ``delay`` or a
            parameter of the synapse type.

        Returns
        -------
        tuple
        """
        return tuple(self.projection._values(name)[self.index] for name in attribute_names)


def _check_delays(delays) -> None:
    state = simulator.state
    low, high = state.delay_floor, state.max_delay
    bad = delays[(delays < low - 1e-9) | (delays > high + 1e-9)]
    if len(bad):
        raise errors.ConnectionError(
            f"Projection: delay={float(bad[0])!r} ms is outside the allowed range [min_delay, "
            f"max_delay] = [{low}, {high}] ms (set by setup(timestep, min_delay, max_delay))")


def _sites(population) -> tuple:
    """For each cell of ``population``: (number of its root population, index there)."""
    if isinstance(population, common.Assembly):
        roots, sites, indices = [], [], []
        for member in population.populations:
            root, index = root_of(member)
            if root not in roots:
                roots.append(root)
            sites.append(np.full(len(index), roots.index(root)))
            indices.append(index)
        return roots, np.concatenate(sites), np.concatenate(indices)
    root, index = root_of(population)
    return [root], np.zeros(len(index), int), index


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector,
                 synapse_type=None, source=None, receptor_type=None, space=_SPACE,
                 label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population,
                                   connector, synapse_type, source, receptor_type, space,
                                   label)
        self._check_supported(source)
        self._pending = defaultdict(list)
        self._groups = []  # (Synapses, indices of its connections in the projection)
        connector.connect(self)
        self._create()
        simulator.state.projections.append(self)

    # -- checks ------------------------------------------------------------------------------
    def _check_supported(self, source) -> None:
        if source not in (None, "spike"):
            raise NotImplementedError(
                f"Projection: source={source!r} is not supported by pyNN.spikeloom; "
                "connections start from the presynaptic cells' spikes (source=None)")
        if not isinstance(self.synapse_type, _SpikeloomSynapse):
            raise NotImplementedError(
                f"Projection: synapse type {type(self.synapse_type).__name__} is not "
                "supported by pyNN.spikeloom; the supported ones are StaticSynapse and "
                "STDPMechanism(SpikePairRule, Additive/MultiplicativeWeightDependence)")
        if self.receptor_type not in ("excitatory", "inhibitory"):
            raise NotImplementedError(
                f"Projection: receptor_type={self.receptor_type!r} is not supported by "
                "pyNN.spikeloom; use 'excitatory' or 'inhibitory'")
        for population in self._post_roots():
            if not population._group.__class__.__name__ == "NeuronGroup" or \
                    not population.celltype.targets:
                raise errors.ConnectionError(
                    f"Projection: the postsynaptic population {population.label!r} "
                    f"({type(population.celltype).__name__}) has no synapses to connect to")

    def _post_roots(self):
        return _sites(self.post)[0]

    # -- building ----------------------------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            location_selector=None, **connection_parameters):
        if location_selector is not None:
            raise NotImplementedError(
                f"Projection: location_selector={location_selector!r} is not supported by "
                "pyNN.spikeloom (point neurons only); leave it None")
        presynaptic_indices = np.atleast_1d(np.asarray(presynaptic_indices, dtype=int))
        n = len(presynaptic_indices)
        self._pending["pre"].append(presynaptic_indices)
        self._pending["post"].append(np.full(n, int(postsynaptic_index)))
        connection_parameters.pop("dendritic_delay_fraction", None)
        for name, value in connection_parameters.items():
            value = np.asarray(value, dtype=float)
            self._pending[name].append(np.broadcast_to(value, (n,)).copy())

    def _create(self) -> None:
        pending = {name: np.concatenate(parts) if parts else np.zeros(0)
                   for name, parts in self._pending.items()}
        self._pre_index = pending.pop("pre", np.zeros(0)).astype(int)
        self._post_index = pending.pop("post", np.zeros(0)).astype(int)
        del self._pending
        if len(self._pre_index) == 0:
            return
        pre_roots, pre_site, pre_local = _sites(self.pre)
        post_roots, post_site, post_local = _sites(self.post)
        pre_site, post_site = pre_site[self._pre_index], post_site[self._post_index]
        for a, source in enumerate(pre_roots):
            for b, target in enumerate(post_roots):
                members = np.flatnonzero((pre_site == a) & (post_site == b))
                if len(members):
                    synapses = self._new_synapses(source, target)
                    synapses.connect(i=pre_local[self._pre_index[members]],
                                     j=post_local[self._post_index[members]])
                    self._groups.append((synapses, members))
                    simulator.state.add(synapses)
        for name, values in pending.items():
            self._write(name, np.arange(len(self)), values)
        for name, value in self._model["initial"].items():
            self._write(name, np.arange(len(self)), value)

    def _new_synapses(self, source, target):
        variable, unit = target.celltype.targets[self.receptor_type]
        self._model = self.synapse_type.spikeloom_model(variable, unit)
        model = self._model
        return Synapses(source._group, target._group, model["model"], on_pre=model["on_pre"],
                        on_post=model["on_post"], dt=simulator.state.clock_dt,
                        namespace={})

    # -- reading and writing connection variables -------------------------------------------
    def __len__(self):
        return len(self._pre_index)

    @property
    def connections(self):
        """The connections of this projection, as :class:`Connection` objects."""
        return (Connection(self, k) for k in range(len(self)))

    def __getitem__(self, i):
        return Connection(self, int(np.arange(len(self))[i]))

    def _read(self, name: str) -> np.ndarray:
        """All connections' values of a native variable, in PyNN's units."""
        out = np.empty(len(self))
        for synapses, members in self._groups:
            if name == "delay":
                values = np.round(self._delay_view(synapses) / 1e-3, 9)
            else:
                values = get_si(synapses, name) / _SI_SCALE.get(name, 1.0)
            out[members] = np.asarray(values, dtype=float)
        return out

    def _write(self, name: str, index: np.ndarray, values) -> None:
        """Write a native variable (PyNN's units) of the connections ``index``."""
        values = np.broadcast_to(np.asarray(values, dtype=float), (len(index),))
        if name == "delay":
            _check_delays(values)
        full = self._read(name) if len(index) != len(self) else np.empty(len(self))
        full[index] = values
        for synapses, members in self._groups:
            if name == "delay":
                self._write_delays(synapses, full[members])
            elif name in _NOT_SYNAPSE_VARIABLES:
                continue
            else:
                synapses.set_states({name: full[members] * _SI_SCALE.get(name, 1.0)},
                                    units=False)

    def _delay_view(self, synapses):
        """The delays (s) of ``synapses``: those of the pathway that waits the whole delay."""
        holder = next(p for p, f in self._model["delays"].items() if f == 1.0)
        return np.array(getattr(synapses, holder).delay[:], dtype=float)

    def _write_delays(self, synapses, delays_ms) -> None:
        from ..units import second

        seconds = np.asarray(delays_ms, dtype=float) * 1e-3
        for pathway, fraction in self._model["delays"].items():
            getattr(synapses, pathway).delay = seconds * fraction * second

    def _smallest_delay(self) -> float:
        return float(self._read("delay").min())

    def _values(self, name: str) -> np.ndarray:
        if name == "presynaptic_index":
            return self._pre_index
        if name == "postsynaptic_index":
            return self._post_index
        return self._read(name)

    def _get_attributes_as_list(self, names):
        columns = [self._values(name) for name in names]
        return [tuple(row) for row in zip(*columns)]

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        operation = {"sum": np.add.at, "min": np.minimum.at, "max": np.maximum.at}
        out = []
        for name in names:
            values = self._read(name)
            array = np.full(self.shape, np.nan)
            if multiple_synapses in ("first", "last"):
                order = slice(None, None, -1) if multiple_synapses == "first" else slice(None)
                array[self._pre_index[order], self._post_index[order]] = values[order]
            else:
                start = {"sum": 0.0, "min": np.inf, "max": -np.inf}[multiple_synapses]
                array[self._pre_index, self._post_index] = start
                operation[multiple_synapses](array, (self._pre_index, self._post_index),
                                             values)
            out.append(array)
        return out

    def _set_attributes(self, parameter_space):
        parameter_space.evaluate()
        for name, value in parameter_space.items():
            value = np.asarray(value, dtype=float)
            if value.ndim == 2:
                value = value[self._pre_index, self._post_index]
            self._write(name, np.arange(len(self)), value)

    def _set_initial_value_array(self, variable, initial_value):
        allowed = list(self._model["initial"]) if len(self) else []
        if variable not in allowed:
            raise NotImplementedError(
                f"Projection.initialize: {variable!r} is not a state variable of "
                f"{type(self.synapse_type).__name__} in pyNN.spikeloom; allowed: {allowed}")
        self._write(variable, np.arange(len(self)), initial_value.evaluate(simplify=False))

    # -- reset -------------------------------------------------------------------------------
    def _native_snapshot(self) -> dict:
        if not len(self):
            return {}
        names = [n for n in self.synapse_type.get_native_names()
                 if n not in ("weight", "dendritic_delay_fraction")]
        return {name: self._read(name) for name in names}

    def _native_restore(self, snapshot: dict) -> None:
        for name, values in snapshot.items():
            self._write(name, np.arange(len(self)), values)
