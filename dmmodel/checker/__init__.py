"""A generic explicit-state model checker: breadth-first search over a ``Model``.

It knows nothing about any particular protocol. A model implements ``init_states`` and
``successors``; properties are named values (``Always``, ``Sometimes``, ``NoStuckStates``,
``AlwaysReachable``) that decide themselves from one search. Example: a counter that a "fault"
can jam.

>>> from dmmodel.checker import Always, AlwaysReachable, Model, Sometimes, check
>>> class Counter(Model):
...     def init_states(self):
...         return [0]
...     def successors(self, n):
...         if n == 3:
...             return [("reset", 0)]
...         return [("inc", n + 1), ("jam", -1)] if n >= 0 else [("wait", -1)]
...     def action_class(self, action):
...         return "fault" if action == "jam" else "protocol"
>>> result = check(Counter(), [
...     Always("bounded", lambda n: n <= 3),
...     Sometimes("three", lambda n: n == 3),
...     AlwaysReachable("can reset", [(lambda n: True, lambda n: n == 0)]),
... ])
>>> (result.states, result.transitions, result.complete)
(5, 8, True)
>>> [v.holds for v in result.verdicts]
[True, True, False]
>>> [step.label for step in result.verdict("three").example]
['init', 'inc', 'inc', 'inc']
>>> cex = result.verdict("can reset").counterexample
>>> [step.label for step in cex.steps], cex.trap.cycle
(['init', 'jam'], ('wait',))
>>> [result.state(i) for i in result.violating_states("can reset")]
[-1]

Reduction is the checker's: a model with symmetry implements ``Model.representative`` (a
canonical form of its class of equivalent states, like Stateright's ``representative`` or TLC's
``SYMMETRY``), and the checker applies it to every state it meets, stores the representatives
only, and maps each counterexample back to the model's own path (``Counterexample.concrete``,
``concrete_path``: at each step the first real successor with the representative recorded).
Example: two interchangeable tokens, each counting up to 2, stored as 6 states instead of 9.

>>> class Tokens(Model):
...     def init_states(self):
...         return [(0, 0)]
...     def successors(self, state):
...         a, b = state
...         return [(m, t) for m, t in (("a+1", (a + 1, b)), ("b+1", (a, b + 1))) if max(t) <= 2]
...     def representative(self, state):
...         return tuple(sorted(state))
>>> result = check(Tokens(), [Always("never both at 2", lambda s: s != (2, 2))])
>>> result.states, [result.state(i) for i in range(result.states)][-2:]
(6, [(1, 2), (2, 2)])
>>> cex = result.verdicts[0].counterexample
>>> [(step.label, step.state) for step in cex.steps[1:]]
[('a+1', (0, 1)), ('a+1', (1, 1)), ('a+1', (1, 2)), ('a+1', (2, 2))]
>>> [(step.label, step.state) for step in cex.concrete[1:]]
[('a+1', (1, 0)), ('b+1', (1, 1)), ('a+1', (2, 1)), ('b+1', (2, 2))]

Layers, base first; a module imports only from the layers before its own
(``tests/test_layout.py`` holds this):

1. tools that know no checker type: ``memory``, ``index``, ``scc``, ``reach``, ``predicates``
2. ``model`` (the interface), ``limits``, ``edges``
3. ``explored`` (the states met and their paths), then ``reduction`` (representatives)
4. ``result`` (verdicts, counterexamples), ``outcome`` (what one search leaves behind)
5. ``trap``, then ``properties`` (each decides its verdict from an outcome)
6. the engines: ``product``, then ``bfs`` (``check``)
7. ``assertions``, ``benchmark``

Only type hints point up, and only to ``Property`` (a model lists its properties, a verdict and
an outcome name theirs) and to ``product.LocalGraphs`` (kept by an outcome).
"""

from dmmodel.checker.assertions import assert_counterexample, assert_discovery, assert_properties
from dmmodel.checker.bfs import check
from dmmodel.checker.explored import PathStep
from dmmodel.checker.limits import LimitReached, Stop
from dmmodel.checker.model import Model, Product
from dmmodel.checker.outcome import Outcome
from dmmodel.checker.properties import (
    Always,
    AlwaysReachable,
    NoStuckStates,
    Property,
    Sometimes,
)
from dmmodel.checker.reduction import concrete_path, reduced_successors
from dmmodel.checker.result import (
    CheckResult,
    Counterexample,
    Progress,
    ReachabilityVerdict,
    Trap,
    Verdict,
    verdict_text,
)

__all__ = [
    "Always",
    "AlwaysReachable",
    "CheckResult",
    "Counterexample",
    "LimitReached",
    "Model",
    "NoStuckStates",
    "Outcome",
    "Product",
    "Progress",
    "Property",
    "ReachabilityVerdict",
    "Sometimes",
    "PathStep",
    "Stop",
    "Trap",
    "Verdict",
    "assert_counterexample",
    "assert_discovery",
    "assert_properties",
    "check",
    "concrete_path",
    "reduced_successors",
    "verdict_text",
]
