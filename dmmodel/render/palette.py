"""Colours shared by all renderers, so DOT and Mermaid output mean the same thing visually."""

HIGHLIGHT = "#c0392b"
"""Stroke and text colour of highlighted elements (what a change adds)."""

HIGHLIGHT_FILL = "#fdecea"
"""Background of highlighted nodes and message blocks."""

HIGHLIGHT_FILL_RGB = (253, 236, 234)
"""``HIGHLIGHT_FILL`` as an RGB triple, for syntaxes that want ``rgb(...)``."""

GROUP_FILL = "#f2f2f2"
"""Background of clusters."""

LOST = "#7f7f7f"
"""Colour of messages that were sent but never arrived."""

LIFELINE = "#b0b0b0"
"""Colour of sequence-chart lifelines."""

WARNING = "#d35400"
"""Border and label colour of a warning region (e.g. a deadlock), distinct from the highlight."""

WARNING_FILL = "#fdebd0"
"""Background of a warning region."""
