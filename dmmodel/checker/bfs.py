"""Breadth-first explicit-state search: the shortest counterexamples come for free.

States live in a list in discovery order with a dict from state to index (an array for a model
with dense int states, ``index.py``); parent pointers and action positions are kept in typed
arrays so each state costs little beyond itself.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Callable, Sequence
from time import perf_counter

from dmmodel.checker.edges import EdgeStore
from dmmodel.checker.explored import NO_PARENT, Explored
from dmmodel.checker.index import DenseIndex
from dmmodel.checker.memory import peak_rss_bytes
from dmmodel.checker.model import Model
from dmmodel.checker.outcome import Outcome
from dmmodel.checker.predicates import first_notable, vectorised
from dmmodel.checker.product import explore as explore_product
from dmmodel.checker.properties import Predicate, Property
from dmmodel.checker.result import CheckResult, Progress

PROGRESS_EVERY = 1024  # expansions between clock reads when a progress callback is set


def check(
    model: Model,
    properties: Sequence[Property] | None = None,
    max_states: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    coverage: bool = False,
) -> CheckResult:
    """Explore ``model`` breadth-first and decide ``properties`` (default: the model's own).

    With ``max_states`` the search stops once that many states are stored and the result is
    partial (``complete=False``). ``progress`` is called about once a second with a snapshot.
    With ``coverage`` every transition explored (new state or not) counts once under each of
    ``model.coverage_keys(action)``, giving ``CheckResult.coverage``.
    """
    props = tuple(model.properties() if properties is None else properties)
    for p in props:
        if not isinstance(p, Property):
            raise TypeError(f"not a checker Property: {p!r}")
    edges = EdgeStore(c for p in props for c in p.edge_classes)
    rss_before = peak_rss_bytes()
    started = perf_counter()
    # The search makes millions of objects and frees almost none: cyclic garbage collection
    # would walk them all again and again (a quarter of the search time) and find nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        outcome = None
        product = model.components()
        if product is not None and (max_states is None or max_states >= 1):
            limit = float("inf") if max_states is None else max_states
            outcome = explore_product(model, product, props, edges, limit, progress, started,
                                      coverage)
        if outcome is None:
            outcome = _explore(model, props, edges, max_states, progress, started, coverage)
    finally:
        if collecting:
            gc.enable()
    seconds = perf_counter() - started
    rss_after = peak_rss_bytes()
    deciding = perf_counter()
    verdicts = [p.decide(outcome) for p in props]
    liveness = perf_counter() - deciding
    explored = outcome.explored
    n = len(explored)
    return CheckResult(
        states=n,
        transitions=outcome.transitions,
        depth=explored.depth_of(n - 1) if n else 0,
        seconds=seconds,
        liveness_seconds=liveness,
        states_per_second=n / seconds if seconds > 0 else 0.0,
        peak_rss_bytes=rss_after,
        bytes_per_state=(rss_after - rss_before) / n if n else 0.0,
        complete=outcome.complete,
        verdicts=verdicts,
        explored=explored,
        coverage=outcome.coverage,
    )


def _alarm(watch: Predicate, notable: bool) -> Predicate:
    """A predicate that is false exactly where ``watch`` takes its ``notable`` value.

    The search loop then only ever tests ``not alarm(state)``; an invariant's predicate is
    used as is, so the common case pays no extra call.
    """
    if not notable:
        return watch
    return lambda state: not watch(state)


def _explore(
    model: Model,
    props: tuple[Property, ...],
    edges: EdgeStore,
    max_states: int | None,
    progress: Callable[[Progress], None] | None,
    started: float,
    cover: bool,
) -> Outcome:
    """The hot loop: expand states in index order (the list doubles as the BFS queue)."""
    limit = float("inf") if max_states is None else max_states
    dense = model.dense_states()
    states: list = []
    index: dict | DenseIndex = DenseIndex() if dense else {}
    parent = array("I")
    position = array("H")
    explored = Explored(model, states, parent, position)
    found: dict[int, int] = {}  # position of a watching property -> first notable state
    # with int states, a vectorised predicate is evaluated once over all states after the search
    deferred = [k for k, p in enumerate(props) if p.watch is not None and dense and vectorised(p.watch)]
    active = [(k, _alarm(p.watch, p.notable)) for k, p in enumerate(props)
              if p.watch is not None and k not in deferred]
    want_stuck = any(p.needs_stuck for p in props)
    complete = True

    n = 0
    for s in model.init_states():
        if index.setdefault(s, n) != n:
            continue
        if n >= limit:
            del index[s]
            complete = False
            break
        states.append(s)
        parent.append(NO_PARENT)
        position.append(0)
        for k, pred in active:
            if not pred(s):
                found.setdefault(k, n)  # keep the first of equally shallow initial states
        n += 1
    active = [entry for entry in active if entry[0] not in found]
    known = len(found)

    successors = model.successors
    is_terminal = model.is_terminal
    setdefault = index.setdefault
    states_append = states.append
    parent_append = parent.append
    position_append = position.append
    store = bool(edges.class_ids)
    if store:
        src_append, dst_append, cls_append = edges.src.append, edges.dst.append, edges.cls.append
        edge_class, action_class = edges.class_id, model.action_class
        class_cache: dict = {}
    uses: dict = {}  # action -> transitions taken with it, turned into coverage keys at the end
    unhashable: dict[str, int] = {}  # coverage counted directly for unhashable actions
    first_stuck = None
    transitions = 0
    next_report = started + 1.0
    i = 0
    while i < n and complete:
        if progress is not None and not i % PROGRESS_EVERY and perf_counter() >= next_report:
            now = perf_counter()
            progress(Progress(n, transitions, explored.depth_of(i), now - started))
            next_report = now + 1.0
        s = states[i]
        pos = -1
        for pos, (a, t) in enumerate(successors(s)):
            j = setdefault(t, n)
            if j == n:
                if n >= limit:
                    del index[t]
                    complete = False
                    pos -= 1  # this edge was not followed
                    break
                try:
                    position_append(pos)
                except OverflowError:  # more than 65535 successors: widen once
                    position = explored.position = array("I", position)
                    position_append = position.append
                    position_append(pos)
                states_append(t)
                parent_append(i)
                if active:
                    for k, pred in active:
                        if not pred(t):
                            found[k] = n
                    if len(found) != known:
                        active = [entry for entry in active if entry[0] not in found]
                        known = len(found)
                n += 1
            if store:
                try:
                    c = class_cache[a]
                except KeyError:
                    c = class_cache[a] = edge_class(action_class(a))
                except TypeError:  # unhashable action: classify without caching
                    c = edge_class(action_class(a))
                if c >= 0:
                    src_append(i)
                    dst_append(j)
                    cls_append(c)
            if cover:
                try:
                    uses[a] += 1
                except KeyError:
                    uses[a] = 1
                except TypeError:  # unhashable action: count its keys without caching
                    for key in model.coverage_keys(a):
                        unhashable[key] = unhashable.get(key, 0) + 1
        transitions += pos + 1
        if pos < 0 and complete and want_stuck and first_stuck is None and not is_terminal(s):
            first_stuck = i
        i += 1
    counts = _coverage(model, uses, unhashable) if cover else None
    outcome = Outcome(props, explored, transitions, complete, found, first_stuck, edges, counts)
    for k in deferred:
        first = first_notable(props[k].watch, props[k].notable, states, outcome.packed_states)
        if first is not None:
            found[k] = first
    return outcome


def _coverage(model: Model, uses: dict, unhashable: dict[str, int]) -> dict[str, int]:
    """Transitions per coverage key, from the count of each action; sorted by key."""
    counts = dict(unhashable)
    for action, n in uses.items():
        for key in model.coverage_keys(action):
            counts[key] = counts.get(key, 0) + n
    return dict(sorted(counts.items()))
