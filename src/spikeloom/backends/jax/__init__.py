"""The JAX backend: renders a plan into one scanned, jit-compiled step (see ``_render.py``,
``_run.py``). Runs on the CPU (``spikeloom[jax]``) or a GPU (``spikeloom[gpu]``); selected with
``set_device('jax')``.
"""

import jax as _jax

# spikeloom computes in float64 on every backend (the JAX backend is bit-identical to Numba in
# float64); JAX's default is float32, so 64-bit mode is switched on before any array exists.
_jax.config.update("jax_enable_x64", True)


class JaxBackend:
    """The JAX backend (:class:`spikeloom.backends.Backend`): chunks of scanned steps,
    ``jit``-compiled, on a GPU or JAX's CPU device; batches of trials as one program.
    """

    name = "jax"
    batched = True

    def make_options(self, **options):
        """The run options of ``set_device('jax', **options)`` (see ``_run.Options``)."""
        from ._run import Options

        return Options(**options)

    def execute(self, plan, arrays, scalars, step0, n_steps, seed, *, progress=None,
                progress_delay=0.0, options=None, stop=None):
        """:meth:`spikeloom.backends.Backend.execute`."""
        from ._run import execute

        return execute(plan, arrays, scalars, step0, n_steps, seed, progress, progress_delay,
                       options=options, stop=stop)

    def execute_batch(self, plan, arrays, scalars, step0, n_steps, seeds, *, progress=None,
                      progress_delay=0.0, options=None, stop=None):
        """:meth:`spikeloom.backends.Backend.execute_batch`."""
        from ._run import execute_batch

        return execute_batch(plan, arrays, scalars, step0, n_steps, seeds, progress=progress,
                             progress_delay=progress_delay, options=options, stop=stop)


BACKEND = JaxBackend()
