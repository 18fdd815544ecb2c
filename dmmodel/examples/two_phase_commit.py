"""Two-phase commit, after Lamport's TwoPhase.tla (Gray and Lamport, "Consensus on Transaction
Commit", 2004; github.com/tlaplus/Examples, specifications/transaction_commit).

A transaction manager (TM) and resource managers (RMs) that prepare, commit or abort. Messages
are a set that only grows, so receiving one is enabled by its presence, as in the spec.

Known figures, each derived below and checked for several n in tests/test_examples.py:

- TLC on TwoPhase.cfg (three RMs): 288 distinct states, 1146 states generated, depth 11
  (the repository's manifest.json); the module's closing comment: 50816 states for six RMs.
- States for n RMs: 4^n + 2^n + 6^n. While the TM is in "init", each RM is working, aborted
  by choice, or prepared (its Prepared message sent, received by the TM or not): 4 per RM.
  Once committed, every RM had prepared and is prepared or committed: 2 per RM. Once aborted,
  each RM is working, aborted without preparing, or prepared then prepared or aborted, with its
  message received before the abort or not: 1 + 1 + 2 * 2 = 6 per RM. For n = 3: 288; n = 6: 50816.
- Transitions (TLC's states generated minus the initial state): (n + 1) * 4^n + 1 while in
  "init" (abort always, commit once all are received, per RM receive if prepared and prepare or
  abort if working), n * 2^n once committed, n * 6^n + 2n * 6^(n-1) once aborted. For n = 3: 1145.
- Depth 3n + 1 transitions (TLC counts the initial state, so 11 for n = 3): every RM prepares,
  the TM receives each and decides, every RM receives the decision.

The resource managers are interchangeable (TLC's ``SYMMETRY Permutations(RM)``):
:class:`SymmetricTwoPhase` says so through the checker's ``representative`` hook, and the
checker stores one state per orbit, with the same verdicts. An orbit is a multiset of the RMs'
local states counted above, so there are C(n + 3, 3) + (n + 1) + C(n + 5, 5) of them: 80 for
three RMs, 553 for six.
"""

from __future__ import annotations

from typing import NamedTuple

from dmmodel.checker import Always, AlwaysReachable, Model, NoStuckStates, Property, Sometimes

WORKING, PREPARED, COMMITTED, ABORTED = "working", "prepared", "committed", "aborted"
INIT = "init"
COMMIT, ABORT = ("Commit",), ("Abort",)


def prepared_msg(rm: int) -> tuple[str, int]:
    """The Prepared message of resource manager ``rm``."""
    return ("Prepared", rm)


class TPState(NamedTuple):
    """The spec's variables: RM states by index, the TM state, and two sets."""

    rm: tuple[str, ...]
    tm: str
    tm_prepared: frozenset[int]
    msgs: frozenset[tuple]


Action = tuple[str, int | None]  # (the spec's action name, the RM it is about, if any)


class TwoPhase(Model[TPState, Action]):
    """``n`` resource managers; actions in the order of the spec's ``TPNext``."""

    def __init__(self, n: int = 3) -> None:
        self.n = n
        self.rms = frozenset(range(n))
        self.messages = frozenset({COMMIT, ABORT} | {prepared_msg(i) for i in range(n)})

    def init_states(self) -> list[TPState]:
        return [TPState((WORKING,) * self.n, INIT, frozenset(), frozenset())]

    def successors(self, state: TPState) -> list[tuple[Action, TPState]]:
        rm, tm, tm_prepared, msgs = state
        out: list[tuple[Action, TPState]] = []
        if tm == INIT and len(tm_prepared) == self.n:
            out.append((("TMCommit", None), state._replace(tm=COMMITTED, msgs=msgs | {COMMIT})))
        if tm == INIT:
            out.append((("TMAbort", None), state._replace(tm=ABORTED, msgs=msgs | {ABORT})))
        for i in range(self.n):
            if tm == INIT and prepared_msg(i) in msgs:
                out.append((("TMRcvPrepared", i), state._replace(tm_prepared=tm_prepared | {i})))
            if rm[i] == WORKING:
                sent = msgs | {prepared_msg(i)}
                out.append((("RMPrepare", i), state._replace(rm=_set(rm, i, PREPARED), msgs=sent)))
                out.append((("RMChooseToAbort", i), state._replace(rm=_set(rm, i, ABORTED))))
            if COMMIT in msgs:
                out.append((("RMRcvCommitMsg", i), state._replace(rm=_set(rm, i, COMMITTED))))
            if ABORT in msgs:
                out.append((("RMRcvAbortMsg", i), state._replace(rm=_set(rm, i, ABORTED))))
        return out

    def format_action(self, action: Action) -> str:
        name, i = action
        return name if i is None else f"{name}(r{i + 1})"

    def coverage_keys(self, action: Action) -> tuple[str, ...]:
        return (action[0],)  # the spec's action, whichever RM takes it

    def format_state(self, state: TPState) -> str:
        rms = " ".join(f"r{i + 1}={s}" for i, s in enumerate(state.rm))
        received = ",".join(f"r{i + 1}" for i in sorted(state.tm_prepared))
        decided = [m[0] for m in (COMMIT, ABORT) if m in state.msgs]
        return f"{rms} | tm={state.tm} received={{{received}}} {'/'.join(decided)}".rstrip()

    def properties(self) -> list[Property]:
        def decided(s: TPState) -> bool:
            return all(r in (COMMITTED, ABORTED) for r in s.rm)

        return [
            Always("TPTypeOK", self._type_ok),
            Always("TCConsistent", lambda s: not (ABORTED in s.rm and COMMITTED in s.rm)),
            NoStuckStates("always a step"),
            Sometimes("all committed", lambda s: all(r == COMMITTED for r in s.rm)),
            Sometimes("all aborted", lambda s: all(r == ABORTED for r in s.rm)),
            AlwaysReachable("every RM can decide", [(lambda s: True, decided)]),
        ]

    def _type_ok(self, s: TPState) -> bool:
        """The spec's TPTypeOK over this encoding."""
        return (
            len(s.rm) == self.n
            and all(r in (WORKING, PREPARED, COMMITTED, ABORTED) for r in s.rm)
            and s.tm in (INIT, COMMITTED, ABORTED)
            and s.tm_prepared <= self.rms
            and s.msgs <= self.messages
        )


def _set(values: tuple[str, ...], i: int, value: str) -> tuple[str, ...]:
    """``values`` with position ``i`` replaced (the spec's ``EXCEPT ![rm] = value``)."""
    return values[:i] + (value,) + values[i + 1 :]


class SymmetricTwoPhase(TwoPhase):
    """The same model with its resource managers interchangeable: ``representative`` renumbers
    them in the order of what each one is (its state, whether the TM received its Prepared
    message, whether that message was sent), so every permutation of a state has one
    representative, itself a permutation of it."""

    def representative(self, state: TPState) -> TPState:
        rm, tm, tm_prepared, msgs = state
        views = sorted((rm[i], i in tm_prepared, prepared_msg(i) in msgs) for i in range(self.n))
        return TPState(
            tuple(view[0] for view in views),
            tm,
            frozenset(j for j, view in enumerate(views) if view[1]),
            frozenset({m for m in (COMMIT, ABORT) if m in msgs}
                      | {prepared_msg(j) for j, view in enumerate(views) if view[2]}),
        )
