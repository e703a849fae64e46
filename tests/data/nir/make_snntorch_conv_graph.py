"""Make ``snntorch_conv.nir`` and ``snntorch_conv_spikes.npz``: a convolutional graph
exported by snnTorch.

snnTorch is not a dependency of spikeloom: run this in a virtual environment of its own
(outside the repository's, the one of ``make_snntorch_graph.py``), from the repository root::

    python3 -m venv nirpeer-env
    nirpeer-env/bin/pip install torch==2.13.0 snntorch nir nirtorch
    nirpeer-env/bin/python tests/data/nir/make_snntorch_conv_graph.py

(made with torch 2.13.0+cpu, snntorch 1.0.0, nir 1.0.8, nirtorch 2.6, in ``/tmp/nirpeer``).
The network is ``Conv2d(2, 6, 3, stride=2, padding=1) -> Leaky -> AvgPool2d(2) ->
Flatten -> Linear(24, 4) -> Leaky`` on a 2 x 8 x 8 input (so the first ``Leaky`` holds
6 x 4 x 4 neurons and the pooling gives 6 x 2 x 2), with the choices of
``make_snntorch_graph.py``: ``reset_mechanism='zero'``, per-neuron ``beta`` and
``threshold`` (of the shape of the layer's output), every parameter a float32 number, the
network run in float64 on a fixed random spike input of 100 steps (input flattened in C
order, ``(100, 128)``). The ``.npz`` file keeps the input and snnTorch's spikes of both
layers (the first flattened in C order, ``(100, 96)``).
``tests/nir/test_nir_conv.py`` checks that ``spikeloom.nir.from_nir`` gives the same spikes.

snnTorch's export writes ``torch.nn.Conv2d`` as NIR's ``Conv2d`` (its ``input_shape`` filled
in by ``nir``'s shape inference), ``torch.nn.AvgPool2d`` as ``AvgPool2d`` (with zero
padding whatever the module has: this network has none), ``torch.nn.Flatten`` as
``Flatten`` and the rest as in ``make_snntorch_graph.py``.
"""

from pathlib import Path

import numpy as np
import snntorch as snn
import torch
from snntorch import utils
from snntorch.export_nir import export_to_nir

import nir

HERE = Path(__file__).parent
N_STEPS, C_IN, SIDE, C_OUT, N_OUT = 100, 2, 8, 6, 4
HIDDEN = (C_OUT, SIDE // 2, SIDE // 2)  # the convolution's output (stride 2, padding 1)


def network(dtype) -> torch.nn.Sequential:
    """The snnTorch network with fixed weights, every value a float32 number."""
    torch.manual_seed(11)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(C_IN, C_OUT, 3, stride=2, padding=1),
        snn.Leaky(beta=torch.linspace(0.8, 0.95, int(np.prod(HIDDEN))).reshape(HIDDEN),
                  threshold=torch.full(HIDDEN, 0.8), init_hidden=True,
                  reset_mechanism="zero"),
        torch.nn.AvgPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(C_OUT * (SIDE // 4) ** 2, N_OUT),
        snn.Leaky(beta=torch.full((N_OUT,), 0.85), threshold=torch.full((N_OUT,), 0.6),
                  init_hidden=True, reset_mechanism="zero", output=True),
    ).float()
    with torch.no_grad():
        net[0].weight.mul_(2.0)
        net[0].bias.fill_(0.05)
        net[4].weight.mul_(3.0)
        net[4].bias.fill_(0.1)
    return net.to(dtype)


def run(net, spikes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """snnTorch's spikes of the two layers, shape (N_STEPS, n) each (C order)."""
    utils.reset(net)
    hidden, out = [], []
    with torch.no_grad():
        for x in torch.from_numpy(spikes):
            spk1 = net[1](net[0](x.reshape(1, C_IN, SIDE, SIDE)))
            pooled = net[3](net[2](spk1.double()))  # spikes come back as float32 0/1
            spk2, _ = net[5](net[4](pooled))
            hidden.append(spk1[0].numpy().reshape(-1))
            out.append(spk2[0].numpy())
    return np.array(hidden) > 0.5, np.array(out) > 0.5


def main() -> None:
    rng = np.random.default_rng(2025)
    spikes = (rng.random((N_STEPS, C_IN * SIDE * SIDE)) < 0.3).astype(np.float64)
    hidden, out = run(network(torch.float64), spikes)
    # the export traces the network and needs float32 throughout (snnTorch's spikes are
    # float32): the float32 copy holds the very same numbers
    graph = export_to_nir(network(torch.float32),
                          torch.zeros(1, C_IN, SIDE, SIDE, dtype=torch.float32),
                          ignore_dims=[0])
    nir.write(HERE / "snntorch_conv.nir", graph)
    np.savez_compressed(HERE / "snntorch_conv_spikes.npz", input=spikes, hidden=hidden,
                        output=out)
    print("nodes:", {k: type(v).__name__ for k, v in graph.nodes.items()})
    print("edges:", graph.edges)
    print("spikes per layer:", hidden.sum(), out.sum(), "per output neuron:", out.sum(0))


if __name__ == "__main__":
    main()
