"""Brian2's logging front (``BrianLogger``, ``get_logger``) on Python's :mod:`logging`.

spikeloom logs through the standard ``logging`` module under the ``"spikeloom"`` logger.
Brian2 scripts set the level with ``BrianLogger.log_level_info()`` and friends or silence
parts of the log with ``BrianLogger.suppress_name(...)``; these calls act on that logger.
"""

from __future__ import annotations

import logging

ROOT = "spikeloom"
#: Brian2's level names → :mod:`logging` levels ('diagnostic' is Brian2's level below debug).
LEVELS = {"diagnostic": 5, "debug": logging.DEBUG, "info": logging.INFO,
          "warn": logging.WARNING, "warning": logging.WARNING, "error": logging.ERROR}


class _NameFilter(logging.Filter):
    """Drops records whose logger name contains ``name`` (Brian2's ``suppress_name``)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.suppressed = name

    def filter(self, record: logging.LogRecord) -> bool:
        return self.suppressed not in record.name


class BrianLogger:
    """Brian2's logging controls, acting on the ``"spikeloom"`` logger.

    Parameters
    ----------
    name : str
        Logger name below ``spikeloom`` (``BrianLogger('mymodule').info(...)``).
    """

    def __init__(self, name: str = ROOT) -> None:
        self._logger = get_logger(name)

    def diagnostic(self, msg: str, *args) -> None:
        self._logger.log(LEVELS["diagnostic"], msg, *args)

    def debug(self, msg: str, *args) -> None:
        self._logger.debug(msg, *args)

    def info(self, msg: str, *args) -> None:
        self._logger.info(msg, *args)

    def warn(self, msg: str, *args) -> None:
        self._logger.warning(msg, *args)

    def error(self, msg: str, *args) -> None:
        self._logger.error(msg, *args)

    @staticmethod
    def log_level(level: str) -> None:
        """Show messages at ``level`` and above on the console."""
        if level not in LEVELS:
            raise ValueError(f"BrianLogger.log_level: level={level!r}; allowed: "
                             f"{', '.join(LEVELS)}")
        logger = logging.getLogger(ROOT)
        logger.setLevel(LEVELS[level])
        if not logger.handlers:  # the console handler Brian2 shows its log on
            logger.addHandler(logging.StreamHandler())

    @staticmethod
    def log_level_diagnostic() -> None:
        BrianLogger.log_level("diagnostic")

    @staticmethod
    def log_level_debug() -> None:
        BrianLogger.log_level("debug")

    @staticmethod
    def log_level_info() -> None:
        BrianLogger.log_level("info")

    @staticmethod
    def log_level_warn() -> None:
        BrianLogger.log_level("warn")

    @staticmethod
    def log_level_error() -> None:
        BrianLogger.log_level("error")

    @staticmethod
    def suppress_name(name: str, filter_log_file: bool = False) -> None:
        """Drop every message from a logger whose name contains ``name``."""
        for handler in logging.getLogger(ROOT).handlers or [logging.lastResort]:
            handler.addFilter(_NameFilter(name))

    @staticmethod
    def suppress_hierarchy(name: str, filter_log_file: bool = False) -> None:
        """Drop every message from ``name`` and the loggers below it."""
        logging.getLogger(name if name.startswith(ROOT) else f"{ROOT}.{name}").disabled = True


def get_logger(module_name: str = ROOT) -> logging.Logger:
    """The logger for ``module_name`` (placed below ``spikeloom``, as Brian2's are below
    ``brian2``).

    Parameters
    ----------
    module_name : str
        A dotted name; names outside ``spikeloom`` are placed below it (default: the
        ``spikeloom`` logger itself).

    Returns
    -------
    logging.Logger
    """
    if module_name == ROOT or module_name.startswith(ROOT + "."):
        return logging.getLogger(module_name)
    return logging.getLogger(f"{ROOT}.{module_name}")
