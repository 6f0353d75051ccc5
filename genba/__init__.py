"""The ``genba`` command line: one entry point over every part of the system."""

from shared import __version__

__all__ = ["__version__"]
