"""Promesa: an operations agent for unified commerce that keeps the promises a store makes."""

__version__ = "0.1.0"
