"""The JAX backend: renders a plan into one scanned, jit-compiled step (see ``_render.py``,
``_run.py``). Runs on the CPU (``spikeloom[jax]``) or a GPU (``spikeloom[gpu]``); selected with
``set_device('jax')``.
"""
