"""Write Brian2's flattened morphologies to ``brian2_flat.json``, the reference of
``tests/core/test_morphology.py::test_flatten_matches_brian2``.

Run it from the repository root with Brian2 installed (``.venvs/brian2``)::

    .venvs/brian2/bin/python tests/core/morphology_reference/make_reference.py

The test builds the same morphologies with spikeloom from the functions below (they take the
module that provides ``Soma``, ``Cylinder``, ``Section``, ``Morphology`` and ``um``), so both
sides build them from one piece of code. ``mp_ma_40984_gc2.CNG.swc`` is the SWC file Brian2
bundles (see ``README.md`` here for its source and licence).
"""

from __future__ import annotations

import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SWC_FILE = os.path.join(HERE, "mp_ma_40984_gc2.CNG.swc")
REFERENCE_FILE = os.path.join(HERE, "brian2_flat.json")
#: Per-compartment arrays compared at rtol 1e-12, then the coordinates (absent when no
#: section has any) and the integer section tables.
COMPARTMENT_FIELDS = ("length", "distance", "area", "diameter", "volume", "r_length_1",
                      "r_length_2")
COORDINATE_FIELDS = ("x", "y", "z")
SECTION_FIELDS = ("starts", "ends", "parent")


def schematic_tree(lib):
    """A soma with two dendrites and an axon, 8 sections, no coordinates; the dendrite has
    three children (automatic names '1', '2', '3'), one of which branches again."""
    um = lib.um
    morpho = lib.Soma(diameter=30 * um)
    morpho.dend = lib.Cylinder(diameter=2 * um, length=100 * um, n=5)
    morpho.dend.L = lib.Cylinder(diameter=1 * um, length=50 * um, n=3)
    morpho.dend.R = lib.Cylinder(diameter=1.5 * um, length=80 * um, n=4)
    morpho.dend.R.tip = lib.Cylinder(diameter=0.5 * um, length=20 * um, n=2)
    morpho.dend.third = lib.Cylinder(diameter=0.7 * um, length=33 * um, n=7)
    morpho.axon = lib.Cylinder(diameter=1 * um, length=200 * um, n=10)
    morpho.axon.collateral = lib.Cylinder(diameter=0.3 * um, length=60 * um, n=6)
    return morpho


def tapering_tree(lib):
    """The same tree with the dendrite as a tapering Section of uneven compartments, and
    coordinates on the soma, the dendrite and one of its children only (Brian2 stores NaN
    for the coordinates of the others)."""
    um = lib.um
    morpho = lib.Soma(diameter=30 * um, x=5 * um, y=-3 * um, z=1 * um)
    morpho.dend = lib.Section(diameter=[4, 3.5, 3, 2.2, 2, 1.9] * um, n=5,
                              x=[15, 30, 47, 60, 81, 100] * um,
                              y=[0, 4, 9, 11, 12, 20] * um)
    morpho.dend.L = lib.Cylinder(diameter=1 * um, n=3, x=[0, 30] * um, y=[0, 40] * um,
                                 z=[0, -5] * um)
    morpho.dend.R = lib.Section(diameter=[1.9, 1.5, 1.2, 1, 0] * um, n=4,
                                length=[20, 25, 15, 20] * um)
    morpho.dend.R.tip = lib.Cylinder(diameter=0.5 * um, length=20 * um, n=2)
    morpho.dend.third = lib.Cylinder(diameter=0.7 * um, length=33 * um, n=7)
    morpho.axon = lib.Cylinder(diameter=1 * um, length=200 * um, n=10)
    morpho.axon.collateral = lib.Cylinder(diameter=0.3 * um, length=60 * um, n=6)
    return morpho


def swc_neuron(lib):
    """Brian2's bundled reconstruction (a soma and 28 dendritic sections)."""
    return lib.Morphology.from_file(SWC_FILE)


MORPHOLOGIES = {"schematic_tree": schematic_tree, "tapering_tree": tapering_tree,
                "swc_neuron": swc_neuron}


def _numbers(values) -> list:
    # JSON has no NaN: None stands for the NaN coordinates of sections without any
    return [None if math.isnan(v) else float(v) for v in values]


def brian2_flat(morphology) -> dict:
    """Brian2's FlatMorphology of ``morphology`` as lists (SI units)."""
    from brian2.spatialneuron.spatialneuron import FlatMorphology

    flat = FlatMorphology(morphology)
    record = {name: _numbers(getattr(flat, name)) for name in COMPARTMENT_FIELDS}
    if flat.has_coordinates:
        record.update({name: _numbers(getattr(flat, name)) for name in COORDINATE_FIELDS})
    record["starts"] = [int(v) for v in flat.starts]
    record["ends"] = [int(v) for v in flat.ends]
    # Brian2 counts parents from 1 (0 is a virtual root); spikeloom's root has parent -1
    record["parent"] = [int(v) - 1 for v in flat.morph_parent_i]
    record["total_compartments"] = int(flat.n)
    record["total_sections"] = int(flat.sections)
    return record


def _as_json(reference: dict) -> str:
    """JSON with one line per array (exact: Python writes floats that read back equal)."""
    lines = ["{", f' "brian2_version": {json.dumps(reference["brian2_version"])},']
    morphologies = [name for name in reference if name != "brian2_version"]
    for k, name in enumerate(morphologies):
        fields = [f'  {json.dumps(key)}: {json.dumps(value)}'
                  for key, value in reference[name].items()]
        closing = "}," if k < len(morphologies) - 1 else "}"
        lines += [f" {json.dumps(name)}: {{", ",\n".join(fields), f" {closing}"]
    return "\n".join(lines + ["}", ""])


def main() -> None:
    import brian2

    reference = {"brian2_version": brian2.__version__}
    for name, build in MORPHOLOGIES.items():
        reference[name] = brian2_flat(build(brian2))
    with open(REFERENCE_FILE, "w") as file:
        file.write(_as_json(reference))
    print(f"wrote {REFERENCE_FILE} (Brian2 {brian2.__version__})")


if __name__ == "__main__":
    main()
