"""Forgetting what no future step can read: the model's live-data reduction.

Two states that differ only in data no step and no property will ever read have the same
futures, so the step relation may drop that data and the search stores one state for both
(a quotient by a bisimulation: the same verdicts, counterexamples of the same length). The rule
is declared here, once, and the step relation applies it after every step
(``system.apply_action``); ``Config.forget = False`` gives the unreduced model it is tested
against. What it forgets, and why nothing reads it (``attacker.options``):

- the attacker's recordings once its budget is spent: only ``record`` and ``replay`` read them,
  and both need budget left;
- the secrets it knows, once it cannot forge any more (budget spent, or no forging at all):
  only forgeries read them;
- whether the server's last answer came on its own connection, under the same condition or
  without TLS: only forgeries under TLS read it.

A package it holds back is kept: releasing it is free.
"""

from __future__ import annotations

from dmmodel.protocol.config import Attacker
from dmmodel.protocol.state import AttackerState


def forget(a: AttackerState, settings: Attacker) -> AttackerState:
    """``a`` without what no future step can read (the same object when nothing goes)."""
    forges = a.left > 0 and settings.can("forge")
    recorded = a.recorded if a.left > 0 else ()
    secrets = a.secrets if forges else ()
    own_answer = a.own_answer and forges and settings.tls
    if recorded is a.recorded and secrets is a.secrets and own_answer is a.own_answer:
        return a
    return a._replace(recorded=recorded, secrets=secrets, own_answer=own_answer)
