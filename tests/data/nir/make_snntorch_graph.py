"""Make ``snntorch_leaky.nir`` and ``snntorch_leaky_spikes.npz``: a graph exported by snnTorch.

snnTorch is not a dependency of spikeloom: run this in a virtual environment of its own
(outside the repository's), from the repository root::

    python3 -m venv nirpeer-env
    nirpeer-env/bin/pip install torch==2.13.0 snntorch nir nirtorch
    nirpeer-env/bin/python tests/data/nir/make_snntorch_graph.py

(made with torch 2.13.0+cpu, snntorch 1.0.0, nir 1.0.8, nirtorch 2.6). The network is
``Linear(5, 8) -> Leaky -> Linear(8, 3) -> Leaky``, with ``reset_mechanism='zero'``
(snnTorch's default, reset by subtraction, has no NIR node: its export writes a reset to
zero whatever the module does) and per-neuron ``beta`` and ``threshold`` (the export needs
them). It is run in float64, all its parameters being float32 numbers so that the float32
graph holds the same values, on a fixed random spike input of 200 steps; the ``.npz`` file
keeps the input and snnTorch's spikes of both layers.
``tests/nir/test_nir_peer.py`` checks that ``spikeloom.nir.from_nir`` gives the same spikes.

snnTorch's export writes each ``Leaky(beta)`` as NIR's ``LIF`` with ``dt = 1e-4`` s,
``tau = dt/(1 - beta)``, ``r = tau/dt``, ``v_leak = 0``, ``v_reset = 0``, and each
``torch.nn.Linear`` as ``Affine``: forward Euler over one step of ``dt`` with the input held
gives back ``mem = beta*mem + W x + b``.
"""

from pathlib import Path

import numpy as np
import snntorch as snn
import torch
from snntorch import utils
from snntorch.export_nir import export_to_nir

import nir

HERE = Path(__file__).parent
N_STEPS, N_IN, N_HIDDEN, N_OUT = 200, 5, 8, 3


def network(dtype) -> torch.nn.Sequential:
    """The snnTorch network with fixed weights, every value a float32 number."""
    torch.manual_seed(7)
    net = torch.nn.Sequential(
        torch.nn.Linear(N_IN, N_HIDDEN),
        snn.Leaky(beta=torch.linspace(0.8, 0.95, N_HIDDEN), threshold=torch.ones(N_HIDDEN),
                  init_hidden=True, reset_mechanism="zero"),
        torch.nn.Linear(N_HIDDEN, N_OUT),
        snn.Leaky(beta=torch.full((N_OUT,), 0.85), threshold=torch.full((N_OUT,), 0.9),
                  init_hidden=True, reset_mechanism="zero", output=True),
    ).float()
    with torch.no_grad():
        net[0].weight.mul_(2.0)
        net[0].bias.fill_(0.05)
        net[2].weight.mul_(1.5)
        net[2].bias.fill_(0.1)
    return net.to(dtype)


def run(net, spikes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """snnTorch's spikes of the two layers, shape (N_STEPS, n) each."""
    utils.reset(net)
    hidden, out = [], []
    with torch.no_grad():
        for x in torch.from_numpy(spikes):
            cur = net[0](x[None])
            spk1 = net[1](cur)
            spk2, _ = net[3](net[2](spk1.double()))  # spikes come back as float32 0/1
            hidden.append(spk1[0].numpy())
            out.append(spk2[0].numpy())
    return np.array(hidden) > 0.5, np.array(out) > 0.5


def main() -> None:
    rng = np.random.default_rng(2024)
    spikes = (rng.random((N_STEPS, N_IN)) < 0.3).astype(np.float64)
    hidden, out = run(network(torch.float64), spikes)
    # the export traces the network and needs float32 throughout (snnTorch's spikes are
    # float32): the float32 copy holds the very same numbers
    graph = export_to_nir(network(torch.float32), torch.zeros(1, N_IN, dtype=torch.float32),
                          ignore_dims=[0])
    nir.write(HERE / "snntorch_leaky.nir", graph)
    np.savez_compressed(HERE / "snntorch_leaky_spikes.npz", input=spikes, hidden=hidden,
                        output=out)
    print("nodes:", {k: type(v).__name__ for k, v in graph.nodes.items()})
    print("edges:", graph.edges)
    print("spikes per layer:", hidden.sum(), out.sum())


if __name__ == "__main__":
    main()
