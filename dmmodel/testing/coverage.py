"""Coverage of a randomized run: which rules of each machine fired and which control states were reached.

Counters accumulate over every example of a run, so a rule that random exploration starves shows
up in :meth:`Coverage.starved` and in :meth:`Coverage.report`; each example also reports them as
Hypothesis events (``--hypothesis-show-statistics`` prints how many examples saw each one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dmmodel.protocol.config import Config
from dmmodel.protocol.system import TABLES


@dataclass
class Coverage:
    """Counts of ``role:rule`` fired and ``role:state`` reached, plus named situations."""

    config: Config
    rules: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    situations: Counter[str] = field(default_factory=Counter)
    examples: int = 0
    steps: int = 0

    def possible_rules(self) -> list[str]:
        """Every ``role:rule`` of the tables the configuration's variant keeps."""
        variant = self.config.variant
        return [f"{role}:{r.name}" for role in TABLES
                for r in TABLES[role].for_variant(variant.for_role(role)).rules]

    def possible_states(self) -> list[str]:
        return [f"{role}:{s}" for role in TABLES for s in TABLES[role].states]

    def starved(self) -> list[str]:
        """Rules that never fired and control states never reached, in table order."""
        return [name for name in self.possible_rules() if not self.rules[name]] + [
            name for name in self.possible_states() if not self.states[name]
        ]

    def report(self) -> str:
        """A readable table: every rule and state with its count (0 marks a starved one)."""
        lines = [f"{self.examples} examples, {self.steps} steps ({self.config.variant.name})"]
        for title, names, counts in (
            ("rules fired", self.possible_rules(), self.rules),
            ("control states reached", self.possible_states(), self.states),
            ("situations", sorted(self.situations), self.situations),
        ):
            lines.append(f"{title}:")
            lines += [f"  {counts[n]:>7}  {n}" for n in names]
        return "\n".join(lines)
