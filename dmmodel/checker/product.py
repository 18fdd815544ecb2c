"""Breadth-first search of a product of independent components, level by level with numpy.

A model that declares ``Model.components`` (a ``Product``) is explored in two stages: each
component's own graph once, by calling its local successor function in local BFS order, then
the product over dense ids, one BFS level at a time as a handful of array operations. Every
successor of a level is listed in the order the general search meets it (state by state, then
component by component, then move by move), so the states, their discovery order, the parents,
action positions, transitions, stored edges, notable states and the ``max_states`` cut are
exactly those of ``bfs._explore``, at numpy speed instead of one interpreter round per edge.

The component graphs stay with the outcome (``LocalGraphs``), so that a reachability goal that
depends on one component only is decided on that component's graph rather than the product's;
when every property decides so, the product's edges are not stored at all.

A model that reduces gives its representative in bulk (``Product.representatives``): each level's
successors are replaced by their representatives before they are looked up, exactly as the
general search does one by one, so the two still agree state for state. A goal of a component
that a representative may move (``Product.moved``) is then decided on the stored product edges:
its own graph no longer says what the reduced product can reach.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from math import prod
from time import perf_counter

import numpy as np

from dmmodel.checker.edges import EdgeStore
from dmmodel.checker.explored import NO_PARENT, Explored
from dmmodel.checker.limits import Limits
from dmmodel.checker.model import Model, Product
from dmmodel.checker.outcome import Outcome
from dmmodel.checker.predicates import first_notable
from dmmodel.checker.properties import Property
from dmmodel.checker.reach import reaching, reverse_csr
from dmmodel.checker.result import Progress

# The product is indexed densely (one int32 per combination of component states): above this
# many combinations the general engine is used instead.
MAX_DENSE = 1 << 30
POLL_STATES = 1024  # component states explored between two looks at the limits


class _Component:
    """One component's reachable graph as a CSR over dense ids (local BFS order)."""

    def __init__(self, product: Product, index: int, limits: Limits | None = None) -> None:
        ids = [product.initial[index]]
        dense = {ids[0]: 0}
        starts = [0]
        targets: list[int] = []
        actions: list[int] = []
        for k, local in enumerate(ids):  # the list doubles as the BFS queue
            if limits and not k % POLL_STATES:
                limits.poll()  # a component as large as a whole one-component search is possible
            for action, nxt in product.moves(index, local):
                d = dense.setdefault(nxt, len(ids))
                if d == len(ids):
                    ids.append(nxt)
                targets.append(d)
                actions.append(action)
            starts.append(len(targets))
        self.ids = np.array(ids, dtype=np.uint64)  # the local id of each dense id
        self.starts = np.array(starts, dtype=np.int64)
        self.targets = np.array(targets, dtype=np.int64)
        self.actions = np.array(actions, dtype=np.int64)
        self.size = len(ids)


def explore(
    model: Model,
    product: Product,
    props: tuple[Property, ...],
    edges: EdgeStore,
    limit: float,
    progress: Callable[[Progress], None] | None,
    started: float,
    cover: bool,
    limits: Limits | None = None,
) -> Outcome | None:
    """The outcome of ``bfs._explore`` for a product model, or None when the product is too large
    to index densely (the caller then runs the general search).

    ``limits`` are looked at once per level (a partial outcome that says what ran out) and while
    the components are explored (``LimitReached``, before any product state is stored)."""
    parts = [_Component(product, c, limits) for c in range(len(product.initial))]
    k = len(parts)
    if prod(p.size for p in parts) > MAX_DENSE:
        return None
    # every component's CSR in one: node ``base[c] + d`` is dense id ``d`` of component ``c``
    base = np.cumsum([0] + [p.size for p in parts[:-1]])
    degree = np.concatenate([np.diff(p.starts) for p in parts])
    first_edge = np.concatenate([p.starts[:-1] + e for p, e in
                                 zip(parts, np.cumsum([0] + [len(p.targets) for p in parts[:-1]]),
                                     strict=True)])
    targets = np.concatenate([p.targets for p in parts])
    actions = np.concatenate([p.actions for p in parts])
    owner = np.repeat(np.arange(k), [len(p.targets) for p in parts])  # component of each edge
    strides = np.array([prod(p.size for p in parts[c + 1:]) for c in range(k)], dtype=np.int64)
    shifts = np.array(product.shifts, dtype=np.uint64)
    # what each component edge means globally: its class id for the edge store and its action
    n_actions = int(actions.max()) + 1 if actions.size else 0
    pairs = owner * n_actions + actions
    kinds = np.flatnonzero(np.bincount(pairs))  # not np.unique: it imports numpy.ma (50 ms)
    meaning = {int(p): product.action(int(p) // n_actions, int(p) % n_actions) for p in kinds}
    # goals of one component are decided on its graph (``LocalGraphs``): their edges need no store
    kept = frozenset(range(k)) - product.moved
    store = bool(edges.class_ids) and any(p.product_edge_classes(kept) for p in props)
    representatives = _Representatives(product, parts) if model.reduces() else None
    if store:
        classes = np.full(k * n_actions, -1, dtype=np.int16)
        for p, action in meaning.items():
            classes[p] = edges.class_id(model.action_class(action))
        edge_class = classes[pairs]

    index = np.full(prod(p.size for p in parts), -1, dtype=np.int32)
    used = np.zeros(len(targets), dtype=np.int64) if cover else None
    level = np.zeros(1, dtype=np.int64)  # dense global ids of the states of the current level
    index[0] = 0
    state_parts = [_pack(parts, shifts, level)]
    parent = array("I", [NO_PARENT])
    position_parts = [np.zeros(1, dtype=np.uint32)]
    n, lo, transitions, depth = 1, 0, 0, 0
    complete = limit >= 1  # the caller only gives a product a limit of at least one state
    first_stuck = None
    want_stuck = any(p.needs_stuck for p in props)
    next_report = started + 1.0
    stopped = None
    while level.size and complete:
        if progress is not None and perf_counter() >= next_report:
            now = perf_counter()
            progress(Progress(n, transitions, depth, now - started))
            next_report = now + 1.0
        stopped = limits.exceeded() if limits else None
        if stopped is not None:
            complete = False
            break
        m = level.size
        local = (level[:, None] // strides) % np.array([p.size for p in parts])  # (m, k)
        nodes = (local + base).ravel()  # row-major: state by state, then component by component
        counts = degree[nodes]
        # every successor of the level, in the order the general search meets them
        per_state = counts.reshape(m, k).sum(axis=1)
        t = int(per_state.sum())
        block = np.repeat(np.arange(m * k), counts)
        block_start = np.cumsum(counts) - counts
        offset = np.arange(t) - block_start[block]
        edge = first_edge[nodes][block] + offset
        comp = block % k
        row = block // k
        row_start = np.cumsum(per_state) - per_state
        position = np.arange(t) - row_start[row]
        target = level[row] + (targets[edge] - local.ravel()[block]) * strides[comp]
        del block, offset, comp
        if representatives is not None:
            target = representatives(target)
        # the first occurrence of each unseen target becomes a new state, in order
        seen = index[target]
        fresh = np.flatnonzero(seen < 0)
        marks = -2 - fresh
        index[target[fresh[::-1]]] = marks[::-1]  # the last write, so the first occurrence, wins
        firsts = fresh[index[target[fresh]] == marks]
        cut = t
        if n + firsts.size > limit:  # stop at the first new state beyond the limit
            cut = int(firsts[int(limit) - n])
            firsts = firsts[: int(limit) - n]
            complete = False
        index[target[firsts]] = np.arange(n, n + firsts.size, dtype=np.int32)
        if want_stuck and first_stuck is None:
            expanded = m if complete else int(row[cut])  # the cut state had a successor
            for j in np.flatnonzero(per_state[:expanded] == 0).tolist():
                if not model.is_terminal(_pack(parts, shifts, level[j : j + 1])[0].item()):
                    first_stuck = lo + j
                    break
        rows = row[:cut]
        transitions += cut
        if store:
            keep = np.flatnonzero(edge_class[edge[:cut]] >= 0)
            # straight into the store's arrays, a level at a time: no list of parts to concatenate
            edges.src.frombytes((lo + rows[keep]).astype(np.uint32).tobytes())
            edges.dst.frombytes(index[target[keep]].astype(np.uint32).tobytes())
            edges.cls.frombytes(edge_class[edge[keep]].astype(np.uint8).tobytes())
        if cover:
            used += np.bincount(edge[:cut], minlength=len(targets))
        state_parts.append(_pack(parts, shifts, target[firsts]))
        parent.frombytes((lo + row[firsts]).astype(np.uint32).tobytes())
        position_parts.append(position[firsts].astype(np.uint32))
        lo, n = n, n + firsts.size
        level = target[firsts]
        depth += 1
    del index
    packed = np.concatenate(state_parts)
    del state_parts
    states = packed.tolist()
    positions = np.concatenate(position_parts)
    width = "H" if not positions.size or positions.max() < 1 << 16 else "I"
    explored = Explored(model, states, parent, _array(width, positions))
    found = _notable(props, states, packed)
    counts = None
    if cover:
        counts = _coverage(model, meaning, pairs, used)
    outcome = Outcome(props, explored, transitions, complete, found, first_stuck, edges, counts,
                      stopped=stopped)
    outcome.__dict__["packed_states"] = packed  # the cached_property, already computed
    outcome.local_graphs = LocalGraphs(model, product, parts, kept)
    return outcome


class _Representatives:
    """``Product.representatives`` over dense product ids: each dense id's global state, its
    representative, and that state's dense id."""

    def __init__(self, product: Product, parts: list[_Component]) -> None:
        if product.representatives is None:
            raise ValueError("a model that reduces must give Product.representatives")
        self.bulk = product.representatives
        self.parts = parts
        self.shifts = np.array(product.shifts, dtype=np.uint64)
        self.masks = [np.uint64(m) for m in _masks(product.shifts)]
        self.strides = [prod(p.size for p in parts[c + 1:]) for c in range(len(parts))]
        self.dense = []  # per component: local id -> dense id (-1 where it never goes)
        for part in parts:
            dense = np.full(int(part.ids.max()) + 1, -1, dtype=np.int64)
            dense[part.ids] = np.arange(part.size)
            self.dense.append(dense)

    def __call__(self, target: np.ndarray) -> np.ndarray:
        packed = np.asarray(self.bulk(_pack(self.parts, self.shifts, target)), dtype=np.uint64)
        result = np.zeros(target.size, dtype=np.int64)
        for c, (dense, shift, mask) in enumerate(zip(self.dense, self.shifts, self.masks,
                                                     strict=True)):
            ids = (packed >> shift) & mask
            d = dense[np.minimum(ids, np.uint64(dense.size - 1))]
            if ids.size and (int(ids.max()) >= dense.size or int(d.min()) < 0):
                raise ValueError(f"a representative holds a local id component {c} never reaches")
            result += d * self.strides[c]
        return result


class LocalGraphs:
    """The component graphs of a product search, to decide goals of one component on its own.

    Sound because components are independent: a product path projects onto a path of each
    component (with the same actions), and a component's path lifts to the product with the
    other components left unchanged, so a state can reach a goal of component ``c`` by ``via``
    actions exactly when its local id in ``c`` can, in ``c``'s graph.
    """

    def __init__(self, model: Model, product: Product, parts: list[_Component],
                 local: frozenset[int]) -> None:
        self.model = model
        self.product = product
        self.parts = parts
        self.local = local  # the components whose goals are decided on their own graph
        self._reverse: dict[tuple[int, frozenset[str]], tuple[np.ndarray, np.ndarray]] = {}

    def can_reach(self, component: int, goal: Callable[[np.ndarray], np.ndarray],
                  via: frozenset[str], packed: np.ndarray) -> bytearray:
        """Per explored state (``packed``, the product's states), 1 where a local id of
        ``component`` at which ``goal`` (over an array of local ids) holds is reachable by
        ``via`` actions, as ``reach.reaching`` marks it on the product graph."""
        part = self.parts[component]
        seeds = np.flatnonzero(np.asarray(goal(part.ids), dtype=np.bool_))
        marks = np.frombuffer(reaching(*self._reverse_csr(component, via), seeds), dtype=np.bool_)
        by_local = np.zeros(int(part.ids.max()) + 1, dtype=np.uint8)
        by_local[part.ids] = marks
        return bytearray(by_local[self._locals(component, packed)].tobytes())

    def _reverse_csr(self, component: int, via: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        """The reverse CSR of ``component``'s ``via`` edges over its dense ids, built once."""
        key = (component, via)
        csr = self._reverse.get(key)
        if csr is None:
            part = self.parts[component]
            kinds = range(int(part.actions.max()) + 1 if part.actions.size else 0)
            action = self.product.action
            wanted = np.array([self.model.action_class(action(component, a)) in via for a in kinds],
                              dtype=np.bool_)
            keep = wanted[part.actions] if part.actions.size else part.actions.astype(np.bool_)
            src = np.repeat(np.arange(part.size, dtype=np.int64), np.diff(part.starts))
            csr = self._reverse[key] = reverse_csr(part.size, src[keep], part.targets[keep])
        return csr

    def _locals(self, component: int, packed: np.ndarray) -> np.ndarray:
        """The local ids of ``component`` in the states ``packed`` (its bit field)."""
        mask = np.uint64(_masks(self.product.shifts)[component])
        return (packed >> np.uint64(self.product.shifts[component])) & mask


def _masks(shifts: tuple[int, ...]) -> list[int]:
    """Per component, the mask of its bit field once shifted down (up to the next field)."""
    return [(1 << (min((s for s in shifts if s > shift), default=64) - shift)) - 1
            for shift in shifts]


def _pack(parts: list[_Component], shifts: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """The global states (uint64) of the dense product ids ``dense``."""
    packed = np.zeros(dense.size, dtype=np.uint64)
    rest = dense.copy()
    for c in range(len(parts) - 1, -1, -1):
        rest, d = np.divmod(rest, parts[c].size)
        packed |= parts[c].ids[d] << shifts[c]
    return packed


def _array(code: str, values: np.ndarray) -> array:
    """A typed ``array.array`` (what ``Explored`` keeps) holding ``values``."""
    result = array(code)
    result.frombytes(values.astype(f"u{result.itemsize}").tobytes())
    return result


def _notable(props: tuple[Property, ...], states: list, packed: np.ndarray) -> dict[int, int]:
    """Per watching property, the first state where its predicate takes the notable value."""
    found: dict[int, int] = {}
    for k, p in enumerate(props):
        if p.watch is not None:
            first = first_notable(p.watch, p.notable, states, packed)
            if first is not None:
                found[k] = first
    return found


def _coverage(model: Model, meaning: dict, pairs: np.ndarray, used: np.ndarray) -> dict[str, int]:
    """Transitions per coverage key, as ``bfs._coverage`` counts them."""
    per_pair = np.bincount(pairs, weights=used, minlength=max(meaning) + 1 if meaning else 0)
    counts: dict[str, int] = {}
    for p, action in meaning.items():
        taken = int(per_pair[p])
        if taken:
            for key in model.coverage_keys(action):
                counts[key] = counts.get(key, 0) + taken
    return dict(sorted(counts.items()))
