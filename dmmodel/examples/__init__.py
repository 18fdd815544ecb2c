"""Textbook models with known figures, run through the generic checker to show it is generic."""
