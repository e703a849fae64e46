"""Morphologies (Soma, Cylinder, Section, trees, SWC files) give Brian2's numbers.

Closed forms are written out independently of the implementation (radii, slant heights);
``test_flatten_matches_brian2`` compares whole trees with what Brian2 itself computed
(``morphology_reference/``).
"""

import importlib.util
import json
import math
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import spikeloom
from spikeloom import Cylinder, Morphology, Section, Soma
from spikeloom.core._morphology import FlatMorphology, SubMorphology, flatten
from spikeloom.plot import plot_dendrogram, plot_morphology
from spikeloom.units import DimensionMismatchError, metre, um

pytestmark = pytest.mark.backend_independent

UM = 1e-6
REFERENCE_DIR = os.path.join(os.path.dirname(__file__), "morphology_reference")


def _load_reference_builders():
    path = os.path.join(REFERENCE_DIR, "make_reference.py")
    spec = importlib.util.spec_from_file_location("morphology_make_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _load_reference_builders()


def si(quantity):
    return np.asarray(quantity, dtype=float)


@pytest.fixture
def tree():
    """8 sections: soma / dend (children L, R, third; R has tip) / axon (collateral)."""
    return REFERENCE.schematic_tree(spikeloom)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- closed forms ------------------------------------------------------------------------------

def test_cylinder_compartments_follow_the_closed_forms():
    d, total, n = 2 * UM, 100 * UM, 4
    cylinder = Cylinder(diameter=2 * um, length=100 * um, n=n)
    l = total / n
    assert_allclose(si(cylinder.length), np.full(n, l), rtol=1e-14)
    assert_allclose(si(cylinder.area), np.full(n, math.pi * d * total / n), rtol=1e-14)
    assert_allclose(si(cylinder.volume), np.full(n, math.pi * (d / 2) ** 2 * l), rtol=1e-14)
    # axial conductance factor of half a cylinder: cross-section / half length
    half = math.pi * (d / 2) ** 2 / (l / 2)
    assert_allclose(si(cylinder.r_length_1), np.full(n, half), rtol=1e-14)
    assert_allclose(si(cylinder.r_length_2), np.full(n, half), rtol=1e-14)
    assert_allclose(si(cylinder.distance), (np.arange(n) + 0.5) * l, rtol=1e-14)
    assert float(cylinder.end_distance) == pytest.approx(total, rel=1e-14)
    assert_allclose(si(cylinder.start_diameter), np.full(n, d))
    assert cylinder.x is None and cylinder.coordinates is None


def test_tapering_section_compartments_are_cone_frustums():
    diameters = np.array([6.0, 4.0, 3.0]) * UM
    lengths = np.array([10.0, 5.0]) * UM
    section = Section(diameter=[6, 4, 3] * um, length=[10, 5] * um, n=2)
    r1, r2 = diameters[:-1] / 2, diameters[1:] / 2
    slant = np.sqrt((r1 - r2) ** 2 + lengths ** 2)
    # lateral area of a frustum pi (r1 + r2) s, volume pi h (r1^2 + r1 r2 + r2^2) / 3
    assert_allclose(si(section.area), math.pi * (r1 + r2) * slant, rtol=1e-13)
    assert_allclose(si(section.volume), math.pi * lengths * (r1**2 + r1 * r2 + r2**2) / 3,
                    rtol=1e-13)
    mid = (r1 + r2) / 2
    # Brian2's half-compartment factors: 2 pi r_start r_mid / l and 2 pi r_mid r_end / l
    assert_allclose(si(section.r_length_1), 2 * math.pi * r1 * mid / lengths, rtol=1e-13)
    assert_allclose(si(section.r_length_2), 2 * math.pi * mid * r2 / lengths, rtol=1e-13)
    assert_allclose(si(section.diameter), 2 * mid, rtol=1e-14)
    assert_allclose(si(section.start_diameter), diameters[:-1])
    assert_allclose(si(section.end_diameter), diameters[1:])
    assert_allclose(si(section.distance), [5 * UM, 12.5 * UM], rtol=1e-14)


def test_soma_is_a_sphere_with_negligible_axial_resistance():
    soma = Soma(diameter=20 * um)
    d = 20 * UM
    assert soma.n == 1 and soma.total_compartments == 1 and soma.total_sections == 1
    assert_allclose(si(soma.area), [math.pi * d**2], rtol=1e-14)
    assert_allclose(si(soma.volume), [math.pi * d**3 / 6], rtol=1e-14)
    assert_allclose(si(soma.length), [d])
    assert_array_equal(si(soma.r_length_1), [1.0])
    assert_array_equal(si(soma.r_length_2), [1.0])
    assert_array_equal(si(soma.distance), [0.0])
    assert float(soma.end_distance) == 0.0
    with pytest.raises(TypeError, match="ambiguous"):
        len(soma)


def test_distances_follow_the_tree_from_the_root(tree):
    # the soma adds nothing; each section starts where its parent ends
    assert_allclose(si(tree.dend.distance), (np.arange(5) + 0.5) * 20 * UM, rtol=1e-14)
    assert_allclose(si(tree.dend.L.distance), 100 * UM + (np.arange(3) + 0.5) * 50 / 3 * UM,
                    rtol=1e-14)
    assert float(tree.dend.R.end_distance) == pytest.approx(180 * UM, rel=1e-14)
    assert float(tree.dend.R.tip.end_distance) == pytest.approx(200 * UM, rel=1e-14)
    assert_allclose(si(tree.dend.R.tip.distance), [185 * UM, 195 * UM], rtol=1e-14)
    assert float(tree.axon.collateral.end_distance) == pytest.approx(260 * UM, rel=1e-14)


def test_a_soma_below_a_section_sits_at_its_last_midpoint():
    """Brian2's rule: a soma is a point, at its parent's last midpoint; it adds no length."""
    root = Cylinder(diameter=1 * um, length=10 * um, n=2)
    root.soma = Soma(diameter=10 * um)
    root.soma.dend = Cylinder(diameter=1 * um, length=4 * um, n=1)
    assert_allclose(si(root.soma.distance), [7.5 * UM])
    assert float(root.soma.end_distance) == pytest.approx(10 * UM)
    assert_allclose(si(root.soma.dend.distance), [12 * UM])


def test_coordinates_are_relative_to_the_parent_end_and_midpoints_are_reported():
    soma = Soma(diameter=10 * um, x=100 * um)
    soma.dend = Section(diameter=[2, 2, 2] * um, n=2, x=[5, 8, 8] * um, y=[0, 4, 10] * um)
    assert_allclose(si(soma.dend.start_x), [105 * UM, 108 * UM])
    assert_allclose(si(soma.dend.x), [106.5 * UM, 108 * UM])
    assert_allclose(si(soma.dend.end_y), [4 * UM, 10 * UM])
    assert_allclose(si(soma.dend.length), [5 * UM, 6 * UM])
    assert_allclose(si(soma.dend.coordinates), [[105 * UM, 0, 0], [108 * UM, 4 * UM, 0],
                                                [108 * UM, 10 * UM, 0]])
    assert_array_equal(si(soma.dend.z), [0.0, 0.0])


# -- tree structure, names and numbering ---------------------------------------------------

def test_flatten_numbers_sections_and_compartments_depth_first_as_brian2(tree):
    flat = flatten(tree)
    # soma(1) dend(5) dend.L(3) dend.R(4) dend.R.tip(2) dend.third(7) axon(10) collateral(6)
    assert_array_equal(flat.starts, [0, 1, 6, 9, 13, 15, 22, 32])
    assert_array_equal(flat.ends, [1, 6, 9, 13, 15, 22, 32, 38])
    assert_array_equal(flat.parent, [-1, 0, 1, 1, 3, 1, 0, 6])
    assert (flat.n_compartments, flat.n_sections) == (38, 8)
    assert (tree.total_compartments, tree.total_sections) == (38, 8)
    assert (tree.dend.total_compartments, tree.dend.total_sections) == (21, 5)
    assert_array_equal(tree.dend.R.tip.indices[:], [13, 14])
    assert tree.axon.indices[0] == 22
    assert tree.axon.collateral.indices[-1] == 37
    assert tree.indices[:].tolist() == [0] and tree.indices[0] == 0
    assert flat.x is None and flat.y is None and flat.z is None
    assert_allclose(flat.area[flat.starts[3]:flat.ends[3]], si(tree.dend.R.area), rtol=0)


def test_flat_morphology_is_frozen_plain_si_arrays(tree):
    flat = flatten(tree)
    assert isinstance(flat, FlatMorphology)
    for name in ("length", "distance", "area", "diameter", "volume", "r_length_1",
                 "r_length_2"):
        values = getattr(flat, name)
        assert type(values) is np.ndarray and values.dtype == np.float64
        assert values.shape == (38,)
    assert all(getattr(flat, name).dtype == np.int32 for name in ("starts", "ends", "parent"))
    with pytest.raises(ValueError, match="read-only"):
        flat.area[0] = 1.0
    with pytest.raises(AttributeError):
        flat.n_sections = 3
    with pytest.raises(TypeError, match="needs a Morphology"):
        flatten(tree.dend[1:3])


def test_flattening_a_subtree_keeps_distances_from_the_root(tree):
    flat = flatten(tree.dend.R)
    assert_array_equal(flat.parent, [-1, 0])
    assert_allclose(flat.distance[:4], si(tree.dend.R.distance), rtol=0)
    assert flat.distance[0] == pytest.approx(110 * UM)


def test_children_have_given_and_automatic_names(tree):
    dend, axon = tree.dend, tree.axon
    assert tree["1"] is dend and tree["2"] is axon
    assert tree["dend"] is dend and tree.children["axon"] is axon
    assert dend["3"] is dend.third and dend["1"] is dend.L and dend["2"] is dend.R
    assert tree["1R"] is dend.R  # chained short names
    assert tree["12"] is dend.R
    assert tree.children.name(dend) == "dend"
    assert "dend" in tree.children and dend in tree.children
    assert [child for child in tree.children] == [dend, axon]
    assert dend.parent is tree and tree.parent is None
    assert "2 children" in repr(tree.children)


def test_short_names_build_and_navigate_trees():
    morpho = Soma(diameter=30 * um)
    morpho.L = Cylinder(length=10 * um, diameter=1 * um, n=3)
    morpho.L1 = Cylinder(length=5 * um, diameter=1 * um, n=3)
    morpho.L2 = Cylinder(length=5 * um, diameter=1 * um, n=3)
    morpho.R = Cylinder(length=10 * um, diameter=1 * um, n=3)
    morpho.RL = Cylinder(length=5 * um, diameter=1 * um, n=2)
    assert morpho.L.total_sections == 3
    assert morpho.RL.n == 2 and morpho.R.L is morpho.RL
    assert morpho["L"]["2"] is morpho.L2
    assert str(morpho.topology()) == ("( )  [root]\n"
                                      "   `---|  .L\n"
                                      "        `---|  .L.1\n"
                                      "        `---|  .L.2\n"
                                      "   `---|  .R\n"
                                      "        `--|  .R.L\n")


def test_deleting_a_subtree_removes_it_with_all_its_names(tree):
    axon = tree.axon
    del tree.axon
    assert tree.total_compartments == 22
    assert axon.parent is None
    assert not hasattr(tree, "axon")
    with pytest.raises(AttributeError, match="'2' does not exist"):
        tree["2"]
    del tree["1R"]
    assert tree.dend.total_sections == 3


# -- indexing by compartment and by distance ---------------------------------------------------

@pytest.fixture
def soma_axon():
    morpho = Soma(diameter=30 * um)
    morpho.axon = Cylinder(diameter=1 * um, length=100 * um, n=10)  # 10 um compartments
    return morpho


@pytest.mark.parametrize("position, index", [
    (0, 1), (9.99, 1), (10, 2), (15, 2), (99.9, 10), (100, 10)])
def test_a_distance_selects_the_compartment_it_lands_in(soma_axon, position, index):
    # 10 um is the node between compartments 0 and 1: it belongs to the second (Brian2)
    assert soma_axon.axon.indices[position * um] == index
    view = soma_axon.axon[position * um]
    assert isinstance(view, SubMorphology) and view.n == 1


def test_slices_by_distance_and_by_index(soma_axon):
    axon = soma_axon.axon
    assert_array_equal(axon.indices[10 * um:50 * um], [2, 3, 4, 5])
    assert_array_equal(axon.indices[12 * um:38 * um], [2, 3, 4])
    assert_array_equal(axon.indices[:25 * um], [1, 2, 3])
    assert_array_equal(axon.indices[3:5], [4, 5])
    assert axon.indices[-1] == 10
    segment = axon[10 * um:50 * um]
    assert len(segment) == 4 and segment.n_sections == 1
    assert_allclose(si(segment.distance), [15 * UM, 25 * UM, 35 * UM, 45 * UM])
    assert_allclose(si(axon[2:5].area), si(axon.area)[2:5], rtol=0)
    assert axon[2:5].x is None
    assert_array_equal(axon[2:5].indices[:], [3, 4, 5])


# -- points and SWC files ---------------------------------------------------------------------

SWC_TEXT = """\
# a soma given as 3 points, an axon (type 2) and a dendrite (type 3) that branches
1 1 0 0 0 5 -1
2 1 0 5 0 5 1
3 1 0 -5 0 5 1
4 2 10 0 0 1 1
5 2 20 0 0 1 4
6 3 -10 0 0 2 1
7 3 -20 0 0 1.5 6
8 3 -30 10 0 1 7
9 3 -30 20 0 0.5 8
10 3 -30 -10 0 1 7
11 5 -35 -15 0 0.5 10
"""


@pytest.fixture
def swc_file(tmp_path):
    path = tmp_path / "cell.swc"
    path.write_text(SWC_TEXT)
    return path


def test_swc_file_with_three_point_soma(swc_file):
    morpho = Morphology.from_file(swc_file)
    assert isinstance(morpho, Soma)  # the 3 soma points became one sphere
    assert_allclose(si(morpho.diameter), [10 * UM])
    assert_allclose(si(morpho.coordinates)[0], [0, 0, 0])
    assert morpho.total_sections == 6 and morpho.total_compartments == 1 + 2 + 2 + 2 + 1 + 1
    axon, dend = morpho.axon, morpho.dend
    assert morpho.L is axon and morpho.R is dend  # standard names: one or two children
    # a section leaving the soma starts with its own first diameter, not the soma's
    assert_allclose(si(axon.start_diameter), [2 * UM, 2 * UM])  # SWC gives radii
    assert_allclose(si(dend.end_diameter), [4 * UM, 3 * UM])
    assert_allclose(si(axon.x), [5 * UM, 15 * UM])
    # the dendrite's branches: 'dend' and 'dend2' by type, also L and R
    up, down = dend.dend, dend.dend2
    assert dend.L is up and dend.R is down
    assert up.n == 2 and down.n == 1
    assert_allclose(si(up.start_diameter), [3 * UM, 2 * UM])  # from the branch point's
    assert_allclose(si(up.end_y), [10 * UM, 20 * UM])
    assert_allclose(si(up.distance), 20 * UM + np.array([np.hypot(10, 10) / 2,
                                                         np.hypot(10, 10) + 5]) * UM)
    # an unknown SWC type (5) gives a section without a type name, reachable by number
    tip = down["1"]
    assert tip.type is None and down.L is tip and down.children.name(tip) is None


def test_from_points_names_more_than_two_children_by_number():
    points = [(1, "soma", 0, 0, 0, 10, -1)]
    for k, (x, y) in enumerate([(10, 0), (0, 10), (-10, 0)]):
        points.append((2 + 2 * k, "dend", x, y, 0, 1, 1))
        points.append((3 + 2 * k, "dend", 2 * x, 2 * y, 0, 1, 2 + 2 * k))
    morpho = Morphology.from_points(points)
    assert [morpho[name].n for name in ("1", "2", "3")] == [2, 2, 2]
    assert morpho["3"] is morpho.dend3
    with pytest.raises(AttributeError):
        _ = morpho.L


def test_swc_without_spherical_soma_keeps_the_soma_points():
    points = [(1, "soma", 0, 0, 0, 10, -1), (2, "soma", 0, 10, 0, 10, 1),
              (3, "dend", 0, 20, 0, 2, 2)]
    morpho = Morphology.from_points(points, spherical_soma=False)
    assert isinstance(morpho, Section) and morpho.type == "soma" and morpho.n == 1
    assert morpho.L.type == "dend"


# -- generated coordinates and plots --------------------------------------------------------

def _check_coordinates_match_lengths(section):
    for part in [section, *_descendants(section)]:
        if isinstance(part, Soma):
            continue
        steps = np.diff(si(part.coordinates), axis=0)
        assert_allclose(np.sqrt((steps ** 2).sum(axis=1)), si(part.length), rtol=1e-12)


def _descendants(section):
    for child in section.children:
        yield child
        yield from _descendants(child)


def test_generated_coordinates_are_planar_deterministic_and_keep_the_geometry(tree):
    first = tree.generate_coordinates()
    second = tree.generate_coordinates()
    assert tree.x is None  # the original is unchanged
    flat, original = flatten(first), flatten(tree)
    assert_array_equal(flat.z, np.zeros(38))
    assert_array_equal(flat.x, flatten(second).x)
    assert_array_equal(flat.parent, original.parent)
    assert_allclose(flat.area, original.area, rtol=1e-12)
    assert_allclose(flat.distance, original.distance, rtol=1e-12)
    assert first.dend.R.tip.n == 2 and first["1"] is first.dend  # names are kept
    _check_coordinates_match_lengths(first)
    # sections leaving the soma start on its surface
    assert np.linalg.norm(si(first.dend.coordinates)[0]) == pytest.approx(15 * UM)


def test_random_coordinates_keep_lengths_and_existing_coordinates(tree):
    np.random.seed(3)
    random_tree = tree.generate_coordinates(section_randomness=25, compartment_randomness=15)
    _check_coordinates_match_lengths(random_tree)
    again = random_tree.generate_coordinates(section_randomness=25)
    assert_array_equal(flatten(again).x, flatten(random_tree).x)  # nothing to fill in
    moved = random_tree.generate_coordinates(section_randomness=25, overwrite_existing=True)
    assert not np.allclose(flatten(moved).x[1:], flatten(random_tree).x[1:])


def test_mixed_coordinates_flatten_to_nan():
    morpho = REFERENCE.tapering_tree(spikeloom)
    flat = flatten(morpho)
    with_coordinates = np.zeros(flat.n_compartments, dtype=bool)
    with_coordinates[:1 + 5 + 3] = True  # soma, dend, dend.L
    assert np.all(np.isfinite(flat.x[with_coordinates]))
    assert np.all(np.isnan(flat.x[~with_coordinates]))


def test_plot_morphology_draws_one_segment_per_compartment_and_a_circle_per_soma(tree):
    ax = plot_morphology(tree)
    sections = list(_descendants(tree))
    assert len(ax.collections) == len(sections) == 7
    assert [len(c.get_segments()) for c in ax.collections] == [s.n for s in sections]
    assert len(ax.patches) == 1
    assert ax.patches[0].get_radius() == pytest.approx(15)  # micrometres
    assert tree.x is None  # plotting does not change the morphology


def test_plot_morphology_colours_values_and_checks_their_number(tree):
    values = np.arange(38.0)
    ax = plot_morphology(tree, values=values, cmap="viridis")
    assert len(ax.figure.axes) == 2  # the colour bar
    first = ax.collections[0]
    assert len(first.get_colors()) == tree.dend.n
    assert not np.allclose(first.get_colors()[0], first.get_colors()[-1])
    with pytest.raises(ValueError, match=r"one value per compartment \(38\), got 5"):
        plot_morphology(tree, values=np.ones(5))


def test_plot_morphology_in_3d(tree):
    ax = plot_morphology(tree, plot_3d=True)
    assert ax.name == "3d"
    assert len(ax.collections) == 7 + 1  # 7 sections and the soma's marker


def test_plot_dendrogram_draws_sections_branches_and_soma(tree):
    ax = plot_dendrogram(tree)
    # 7 sections, 4 sections with children (soma, dend, dend.R, axon), 1 soma dot
    assert len(ax.lines) == 7 + 4 + 1
    heights = sorted(max(line.get_ydata()) for line in ax.lines)
    assert heights[-1] == pytest.approx(260)  # the collateral's end, in micrometres


# -- errors name what, the value and what is allowed ------------------------------------------

@pytest.mark.parametrize("make, error, message", [
    (lambda: Cylinder(diameter=1 * um, length=0 * um), ValueError,
     r"Cylinder: length must be finite and > 0, got 0 um"),
    (lambda: Cylinder(diameter=1 * um, length=-5 * um), ValueError, r"got -5 um"),
    (lambda: Cylinder(diameter=1 * um, length=np.nan * um), ValueError, r"got nan um"),
    (lambda: Section(diameter=[1, 1, 1] * um, length=[2, -3] * um, n=2), ValueError,
     r"length must be finite and > 0, got -3 um \(value 1 of 2\)"),
    (lambda: Soma(diameter=-1 * um), ValueError,
     r"Soma: diameter must be finite and > 0, got -1 um"),
    (lambda: Cylinder(diameter=0 * um, length=10 * um), ValueError, r"diameter .* got 0 um"),
    (lambda: Section(diameter=[1, np.nan, 1] * um, length=[1, 1] * um, n=2), ValueError,
     r"diameter must be finite and >= 0, got nan um \(value 1 of 3\)"),
    (lambda: Section(diameter=[1, 0, 0] * um, length=[1, 1] * um, n=2), ValueError,
     r"compartment 1 has diameter 0 um at both ends"),
    (lambda: Section(diameter=[1, 1] * um, x=[0, 0] * um), ValueError,
     r"compartment 0 has length 0 um"),
    (lambda: Cylinder(diameter=1 * um, length=10 * um, n=0), ValueError,
     r"must be at least 1, got 0"),
    (lambda: Cylinder(diameter=1 * um, length=10 * um, n=2.5), TypeError,
     r"must be an integer, got 2.5"),
    (lambda: Cylinder(diameter=1 * um, length=10 * um, n="cell.swc"), TypeError,
     r"not a string"),
    (lambda: Section(diameter=[1, 2, 3] * um, length=[1, 1, 1] * um, n=3), TypeError,
     r"n\+1 = 4 values .* got shape \(3,\)"),
    (lambda: Section(diameter=[1, 2, 3, 4] * um, length=[1, 1] * um, n=3), TypeError,
     r"n = 3 values .* got shape \(2,\)"),
    (lambda: Section(diameter=[1, 2, 3] * um, n=2, x=[0, 1] * um), TypeError,
     r"x must be a 1-D array of 3 values .* got shape \(2,\)"),
    (lambda: Cylinder(diameter=[1, 2] * um, length=10 * um), TypeError,
     r"diameter must be a single value"),
    (lambda: Cylinder(diameter=1 * um, length=10 * um, x=[0, 10] * um), TypeError,
     r"either length or coordinates"),
    (lambda: Soma(diameter=10), DimensionMismatchError, r"diameter must be a length"),
])
def test_bad_geometry_is_refused_naming_the_value(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_missing_child_lists_the_existing_ones(tree):
    expected = r"'nope' does not exist; existing subtrees: '1', '2', 'axon', 'dend'"
    with pytest.raises(AttributeError, match=expected):
        _ = tree.nope
    with pytest.raises(KeyError, match=expected):
        tree["nope"]
    assert not hasattr(tree, "nope") and hasattr(tree, "dend")
    with pytest.raises(AttributeError, match="'R' does not exist; existing subtrees: "
                                             "'1', 'collateral'"):
        _ = tree.axon.R
    with pytest.raises(AttributeError, match="has no subtrees"):
        _ = tree.dend.L.tip


def test_a_name_already_in_use_is_refused(tree):
    with pytest.raises(AttributeError, match=r"name 'dend' is already used"):
        tree.dend = Cylinder(diameter=1 * um, length=10 * um)
    with pytest.raises(ValueError, match="already attached"):
        tree.other = tree.dend.L
    with pytest.raises(TypeError, match="must be a Soma, Cylinder or Section, got int"):
        tree["x"] = 3


def test_positions_and_indices_outside_the_section_are_refused(soma_axon):
    with pytest.raises(IndexError, match=r"Position 150\..*outside the section, which spans "
                                         r"\[0 um, 100 um\]"):
        soma_axon.axon[150 * um]
    with pytest.raises(IndexError, match=r"outside the section"):
        soma_axon.axon[-1 * um:20 * um]
    with pytest.raises(IndexError, match="index 10 is out of range for a section of 10"):
        soma_axon.axon[10]
    with pytest.raises(TypeError, match="either compartment indices .* or positions"):
        soma_axon.axon[3:5 * um]
    with pytest.raises(TypeError, match="takes no step"):
        soma_axon.axon[1 * um:5 * um:1 * um]
    with pytest.raises(TypeError, match="got float 2.5"):
        soma_axon.axon[2.5]


def _swc_error(tmp_path, text, **match):
    path = tmp_path / "broken.swc"
    path.write_text(text)
    with pytest.raises(ValueError) as info:
        Morphology.from_swc_file(path)
    message = str(info.value)
    assert str(path) in message
    for part in match.values():
        assert part in message, message
    return message


def test_malformed_swc_lines_name_the_file_line_and_problem(tmp_path):
    _swc_error(tmp_path, "# header\n1 1 0 0 0 5 -1\n2 3 10 0 0 1\n",
               line="line 3 ('2 3 10 0 0 1')", problem="7 space-separated values",
               count="this one has 6")
    _swc_error(tmp_path, "1 1 0 0 0 5 -1\n2 3 ten 0 0 1 1\n",
               line="line 2", problem="the x must be a finite number, got 'ten'")
    _swc_error(tmp_path, "1 1 0 0 0 5 -1\n2 3 10 0 0 -1 1\n",
               line="line 2", problem="the diameter must be >= 0, got -2.0")
    _swc_error(tmp_path, "1 1 0 0 0 5 -1\n2 3 10 0 0 1 1\n3 3 20 0 0 1 9\n",
               line="line 3 ('3 3 20 0 0 1 9')",
               problem="the parent 9 of point 3 does not exist before it")
    _swc_error(tmp_path, "1 1 0 0 0 5 -1\n1 3 10 0 0 1 1\n",
               line="line 2", problem="index 1 is used twice")


def test_three_point_soma_must_be_consistent(tmp_path):
    lines = SWC_TEXT.splitlines()
    lines[2] = "2 1 0 5 0 4 1"  # another radius
    _swc_error(tmp_path, "\n".join(lines), problem="not all the diameters are identical")
    lines = SWC_TEXT.splitlines()
    lines[3] = "3 1 0 -8 0 5 1"  # not one radius away
    _swc_error(tmp_path, "\n".join(lines), problem="radius is 5.000um")


def test_bad_points_are_refused_naming_the_point():
    with pytest.raises(ValueError, match=r"points\[1\] = \(2, None, 10, 0, 10, 1\): a point needs "
                                         r"7 values .* got 6"):
        Morphology.from_points([(1, None, 0, 0, 0, 10, -1), (2, None, 10, 0, 10, 1)])
    with pytest.raises(ValueError, match="only the first point can be the root"):
        Morphology.from_points([(1, "dend", 0, 0, 0, 1, -1), (2, "dend", 1, 0, 0, 1, 1),
                                (3, "dend", 5, 0, 0, 1, -1)])
    with pytest.raises(ValueError, match="point 2 lists itself as its parent"):
        Morphology.from_points([(1, "dend", 0, 0, 0, 1, -1), (2, "dend", 1, 0, 0, 1, 2)])
    with pytest.raises(ValueError, match=r"section from points\[0\] = .* to points\[1\] = "
                                         r".*compartment 0 has length 0 um"):
        Morphology.from_points([(1, "dend", 0, 0, 0, 1, -1), (2, "dend", 0, 0, 0, 1, 1)])


def test_from_file_only_reads_swc(tmp_path):
    with pytest.raises(NotImplementedError, match=r"cell\.asc.*SWC"):
        Morphology.from_file(tmp_path / "cell.asc")


# -- copies and text --------------------------------------------------------------------------

@pytest.mark.parametrize("section", [
    Soma(diameter=30 * um, x=5 * um, z=-10 * um),
    Cylinder(diameter=2 * um, n=3, length=30 * um, type="axon"),
    Cylinder(diameter=2 * um, n=3, x=[0, 30] * um, y=[0, 3] * um),
    Section(diameter=[3, 2, 1] * um, n=2, length=[10, 20] * um, type="dend"),
    Section(diameter=[3, 2, 1] * um, n=2, x=[0, 1, 2] * um, y=[0, -1, -3] * um),
], ids=repr)
def test_copy_section_and_repr_keep_the_geometry(section):
    copy = section.copy_section()
    assert type(copy) is type(section) and copy is not section
    assert copy.type == section.type and copy.n == section.n
    assert_array_equal(si(copy.area), si(section.area))
    assert (copy.x is None) == (section.x is None)
    if section.x is not None:
        assert_array_equal(si(copy.coordinates), si(section.coordinates))
    rebuilt = eval(repr(section), {"array": np.array, "umetre": um, "metre": metre,
                                   **{cls.__name__: cls for cls in (Soma, Cylinder, Section)}})
    assert_allclose(si(rebuilt.area), si(section.area), rtol=1e-6)
    assert str(section) == repr(section)


# -- Brian2's own numbers ---------------------------------------------------------------------

def _reference():
    with open(REFERENCE.REFERENCE_FILE) as file:
        return json.load(file)


@pytest.mark.parametrize("name", sorted(REFERENCE.MORPHOLOGIES))
def test_flatten_matches_brian2(name):
    """``flatten`` reproduces Brian2's FlatMorphology (written by make_reference.py)."""
    expected = _reference()[name]
    flat = flatten(REFERENCE.MORPHOLOGIES[name](spikeloom))
    assert flat.n_compartments == expected["total_compartments"]
    assert flat.n_sections == expected["total_sections"]
    for field in REFERENCE.COMPARTMENT_FIELDS:
        assert_allclose(getattr(flat, field), expected[field], rtol=1e-12, err_msg=field)
    for field in REFERENCE.COORDINATE_FIELDS:
        if field not in expected:
            assert getattr(flat, field) is None
            continue
        want = np.array([np.nan if v is None else v for v in expected[field]])
        assert_allclose(getattr(flat, field), want, rtol=1e-12, atol=1e-18, err_msg=field)
    for field in REFERENCE.SECTION_FIELDS:
        assert_array_equal(getattr(flat, field), expected[field], err_msg=field)
