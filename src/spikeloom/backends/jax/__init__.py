"""The JAX backend: renders a plan into one scanned, jit-compiled step (see ``_render.py``,
``_run.py``). Runs on the CPU (``spikeloom[jax]``) or a GPU (``spikeloom[gpu]``); selected with
``set_device('jax')``.
"""

import jax as _jax

# spikeloom computes in float64 on every backend (the JAX backend is bit-identical to Numba in
# float64); JAX's default is float32, so 64-bit mode is switched on before any array exists.
_jax.config.update("jax_enable_x64", True)
