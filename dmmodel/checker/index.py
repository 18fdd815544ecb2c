"""How the search finds the index of a state it met: a dictionary, or an array for int states.

A model whose states are small non-negative ints, numbered about as densely as it meets them
(``Model.dense_states``), needs no dictionary: an array from state to index costs 4 bytes per
state where a dictionary entry costs about 70.
"""

from __future__ import annotations

from array import array

UNSEEN = 0xFFFFFFFF


class DenseIndex:
    """``state -> index`` for int states, with the two dictionary methods the search uses."""

    __slots__ = ("where",)

    def __init__(self) -> None:
        self.where = array("I")

    def setdefault(self, state: int, index: int) -> int:
        """The index of ``state``, or ``index`` after recording it there if it is new."""
        where = self.where
        if state < 0:
            raise ValueError(f"a dense state must be a non-negative int, not {state}")
        try:
            found = where[state]
        except IndexError:
            where.extend(array("I", [UNSEEN]) * max(state + 1 - len(where), len(where)))
            found = UNSEEN
        if found == UNSEEN:
            where[state] = index
            return index
        return found

    def __delitem__(self, state: int) -> None:
        self.where[state] = UNSEEN
