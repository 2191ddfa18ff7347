"""Ratsblick: German council information (OParl) made findable."""

__version__ = "0.1.0"
