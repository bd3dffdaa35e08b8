"""GroupClinic Desktop: run an NHS group clinic from the clinic laptop."""

__version__ = "0.1.0"
