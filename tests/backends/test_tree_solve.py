"""The plan's tree solver (``ir.TreeSolve``, the implicit cable step of SpatialNeuron) on each
backend, against a dense solve by LAPACK (``numpy.linalg.solve``) of the same system."""

import numpy as np
import pytest

from spikeloom import ir
from spikeloom.backends import get_backend

N_ELEMENTS = 40


def _random_tree(rng, n_vertices: int, n_elements: int):
    """A tree with parents before children (some vertices branch nodes without an element),
    positive couplings, and a diagonally dominant diagonal as implicit diffusion has."""
    parent = np.array([-1] + [int(rng.integers(0, j)) for j in range(1, n_vertices)], np.int32)
    coupling = np.where(parent >= 0, rng.uniform(0.1, 5.0, n_vertices), 0.0)
    diagonal = coupling.copy()
    np.add.at(diagonal, parent[parent >= 0], coupling[parent >= 0])
    element = np.full(n_vertices, -1, np.int32)
    # every element on one vertex, in shuffled order; the rest are nodes
    element[rng.permutation(n_vertices)[:n_elements]] = rng.permutation(n_elements)
    return parent, coupling, diagonal, element


def _dense(parent, coupling, diagonal, element, element_diagonal, element_rhs):
    n = len(parent)
    a = np.diag(diagonal + np.where(element >= 0, element_diagonal[element], 0.0))
    for j in range(n):
        if parent[j] >= 0:
            a[j, parent[j]] = a[parent[j], j] = -coupling[j]
    b = np.where(element >= 0, element_rhs[element], 0.0)
    x = np.linalg.solve(a, b)
    out = np.full(len(element_rhs), np.nan)
    out[element[element >= 0]] = x[element >= 0]
    return out


def _solve(device: str, parent, coupling, diagonal, element, element_diagonal, element_rhs):
    arrays = {"parent": parent, "coupling": coupling, "diagonal": diagonal,
              "element": element, "ediag": element_diagonal.copy(),
              "erhs": element_rhs.copy(), "x": np.zeros(N_ELEMENTS),
              "wd": np.zeros(len(parent)), "wr": np.zeros(len(parent))}
    dtypes = {np.dtype(np.int32): "int32", np.dtype(np.float64): "float64"}
    block = ir.TreeSolve("solve", 1, "dt", size=len(parent), parent="parent",
                         coupling="coupling", diagonal="diagonal", element="element",
                         element_diagonal="ediag", element_rhs="erhs", solution="x",
                         work_diagonal="wd", work_rhs="wr")
    plan = ir.Plan(tuple(ir.ArrayDecl(k, dtypes[v.dtype]) for k, v in arrays.items()),
                   (("dt", "float64"),), (block,))
    backend = get_backend(device)
    returned, status, _ = backend.execute(plan, arrays, {"dt": 1e-4}, 0, 1, 1,
                                          options=backend.make_options())
    assert status[0] == 0
    return returned.get("x", arrays["x"])


@pytest.mark.parametrize("seed", [1, 2])
def test_numba_solves_a_random_tree_as_lapack_does(seed):
    rng = np.random.default_rng(seed)
    tree = _random_tree(rng, 70, N_ELEMENTS)
    terms = rng.uniform(0.01, 2.0, N_ELEMENTS), rng.normal(size=N_ELEMENTS)
    np.testing.assert_allclose(_solve("numba", *tree, *terms), _dense(*tree, *terms),
                               rtol=1e-11, atol=1e-13)


def test_jax_solves_the_same_tree_bit_for_bit_as_numba():
    pytest.importorskip("jax")
    rng = np.random.default_rng(3)
    tree = _random_tree(rng, 70, N_ELEMENTS)
    terms = rng.uniform(0.01, 2.0, N_ELEMENTS), rng.normal(size=N_ELEMENTS)
    np.testing.assert_array_equal(_solve("jax", *tree, *terms), _solve("numba", *tree, *terms))
