"""The status codes a backend's run reports in ``status[0]`` (``[code, step, which, element]``).

One table for every backend, so that the core reads a status without knowing which backend
wrote it.
"""

#: the run did every step it was asked for
STATUS_OK = 0
#: the divergence check found a NaN or infinite value (``which``: index into
#: ``plan.check_nan``, ``element``: the element)
STATUS_NAN = 1
#: a buffer the backend could not grow in place overflowed (JAX); the run stopped
STATUS_OVERFLOW = 2
#: Ctrl-C: the run stopped after a whole step (``step``: the last step done)
STATUS_INTERRUPTED = 3
