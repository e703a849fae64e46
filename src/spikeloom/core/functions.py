"""Brian2's ``brian2.core.functions`` module path: ``timestep`` and the function machinery.

``timestep(t, dt)`` works in Python and in model code. User-defined ``Function`` objects
(Python implementations called from compiled code) are not available yet: the message says
what to write instead.
"""

from ..units import timestep


class Function:
    """Brian2's user-defined function: not available in spikeloom's compiled loop yet."""

    def __init__(self, pyfunc=None, *args, **kwargs) -> None:
        raise NotImplementedError(
            "Function: user-defined functions cannot be called from spikeloom's compiled loop "
            "yet; write the expression into the equations (as a subexpression), use a "
            "TimedArray for tabulated values, or NeuronGroup.run_regularly for code that runs "
            "at intervals")


def implementation(target, code=None, **kwargs):
    """Brian2's decorator for target-specific function code (see :class:`Function`)."""
    def decorator(function):
        return Function(function)

    return decorator


__all__ = ["Function", "implementation", "timestep"]
