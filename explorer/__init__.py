"""Concept-map explorer: notes become a map of claims, references, concepts and annotations."""

__version__ = "0.1.0"
