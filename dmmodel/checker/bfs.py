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
from dmmodel.checker.limits import POLL_EVERY, LimitReached, Limits, Stop
from dmmodel.checker.memory import peak_rss_bytes
from dmmodel.checker.model import Model
from dmmodel.checker.outcome import Outcome
from dmmodel.checker.predicates import first_notable, vectorised
from dmmodel.checker.product import explore as explore_product
from dmmodel.checker.properties import Predicate, Property
from dmmodel.checker.result import CheckResult, Progress

PROGRESS_EVERY = 1024  # expansions between clock reads when a progress callback or limit is set
OUT_OF_MEMORY = Stop("memory", "an allocation failed")  # a MemoryError, not a --max-memory


def check(
    model: Model,
    properties: Sequence[Property] | None = None,
    max_states: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    coverage: bool = False,
    max_seconds: float | None = None,
    max_memory: int | None = None,
) -> CheckResult:
    """Explore ``model`` breadth-first and decide ``properties`` (default: the model's own).

    A model that reduces (``Model.representative``) is searched over representatives: the
    states stored, counted and judged are the representatives of the initial states and of
    every successor, and each counterexample also comes as the model's own path
    (``Counterexample.concrete``).

    With ``max_states`` the search stops once that many states are stored and the result is
    partial (``complete=False``). ``progress`` is called about once a second with a snapshot.
    With ``coverage`` every transition explored (new state or not) counts once under each of
    ``model.coverage_keys(action)``, giving ``CheckResult.coverage``.

    ``max_seconds`` (of search) and ``max_memory`` (bytes resident in the process) are looked
    at about once a second, and the model may raise ``LimitReached`` when its encoding is full:
    either way the search stops cleanly with a partial result whose ``stopped`` says what ran
    out. Deciding the properties afterwards is not limited.
    """
    props = tuple(model.properties() if properties is None else properties)
    for p in props:
        if not isinstance(p, Property):
            raise TypeError(f"not a checker Property: {p!r}")
    edges = EdgeStore(c for p in props for c in p.edge_classes)
    rss_before = peak_rss_bytes()
    started = perf_counter()
    limits = Limits(started, max_seconds, max_memory)
    # The search makes millions of objects and frees almost none: cyclic garbage collection
    # would walk them all again and again (a quarter of the search time) and find nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        outcome = None
        try:
            product = model.components()
            if product is not None and model.reduces() and product.representatives is None:
                product = None  # a reduction the product engine cannot apply in bulk
            if product is not None and (max_states is None or max_states >= 1):
                limit = float("inf") if max_states is None else max_states
                outcome = explore_product(model, product, props, edges, limit, progress, started,
                                          coverage, limits)
        except (LimitReached, MemoryError) as error:  # before a state was stored: none kept
            stop = error.stop if isinstance(error, LimitReached) else OUT_OF_MEMORY
            empty = Explored(model, [], array("I"), array("H"))
            outcome = Outcome(props, empty, 0, False, {}, None, edges, None, stopped=stop)
        if outcome is None:
            outcome = _explore(model, props, edges, max_states, progress, started, coverage,
                               limits)
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
        stopped=outcome.stopped,
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
    limits: Limits | None = None,
) -> Outcome:
    """The hot loop: expand states in index order (the list doubles as the BFS queue).

    A ``LimitReached`` (from the model, or ``limits`` polled about once a second) or a
    ``MemoryError`` ends the search with the states stored so far, as a partial outcome."""
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
    stopped: Stop | None = None
    uses: dict = {}  # action -> transitions taken with it, turned into coverage keys at the end
    unhashable: dict[str, int] = {}  # coverage counted directly for unhashable actions
    first_stuck = None
    transitions = 0
    n = 0
    pos = -1  # the position of the last successor followed from the state being expanded
    # a model that reduces is searched over representatives (``Model.representative``)
    rep = model.representative if model.reduces() else None
    try:
        for s in model.init_states():
            if rep is not None:
                s = rep(s)
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
        timed = progress is not None or bool(limits)
        next_report = started + 1.0
        next_poll = started if limits else next_report  # a limit is looked at from the start
        i = 0
        while i < n and complete:
            if timed and not i % PROGRESS_EVERY and perf_counter() >= next_poll:
                now = perf_counter()
                if progress is not None and now >= next_report:
                    progress(Progress(n, transitions, explored.depth_of(i), now - started))
                    next_report = now + 1.0
                if limits:
                    limits.poll(now)
                next_poll = now + POLL_EVERY
            s = states[i]
            for pos, (a, t) in enumerate(successors(s)):
                if rep is not None:
                    t = rep(t)
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
            pos = -1
            i += 1
    except LimitReached as error:  # the state being expanded keeps the successors it got
        complete, stopped = False, error.stop
        transitions += pos + 1
    except MemoryError:
        complete, stopped = False, OUT_OF_MEMORY
        transitions += pos + 1
        _truncate(explored, found, edges)
    counts = _coverage(model, uses, unhashable) if cover else None
    outcome = Outcome(props, explored, transitions, complete, found, first_stuck, edges, counts,
                      stopped=stopped)
    for k in deferred:
        first = first_notable(props[k].watch, props[k].notable, states, outcome.packed_states)
        if first is not None:
            found[k] = first
    return outcome


def _truncate(explored: Explored, found: dict[int, int], edges: EdgeStore) -> None:
    """After a ``MemoryError`` the state, its parent and its position may not all have been
    stored: keep the states stored with all three, and what refers to them alone."""
    n = min(len(explored.states), len(explored.parent), len(explored.position))
    del explored.states[n:], explored.parent[n:], explored.position[n:]
    for k in [k for k, first in found.items() if first >= n]:
        del found[k]
    m = min(len(edges.src), len(edges.dst), len(edges.cls))  # an edge follows its target
    del edges.src[m:], edges.dst[m:], edges.cls[m:]


def _coverage(model: Model, uses: dict, unhashable: dict[str, int]) -> dict[str, int]:
    """Transitions per coverage key, from the count of each action; sorted by key."""
    counts = dict(unhashable)
    for action, n in uses.items():
        for key in model.coverage_keys(action):
            counts[key] = counts.get(key, 0) + n
    return dict(sorted(counts.items()))
