"""Strongly connected components of a small graph: Tarjan's algorithm, iterative.

Iterative so that a long chain of states cannot exhaust Python's recursion limit; used for the
trap summaries, so that checking needs no graph library (importing networkx took most of a
small check's wall time).
"""

from __future__ import annotations

from collections.abc import Sequence


def strong_components(successors: Sequence[Sequence[int]]) -> list[int]:
    """The component number of every node of a graph on nodes ``0..n-1``, given as successor
    lists; components are numbered in the order Tarjan's algorithm completes them (a component
    is completed before any component that can reach it, so bottom ones come first)."""
    n = len(successors)
    index = [-1] * n  # discovery number, -1 while unvisited
    low = [0] * n
    on_stack = [False] * n
    component = [-1] * n
    stack: list[int] = []
    counter = components = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]  # (node, position of the next successor to look at)
        while work:
            v, i = work[-1]
            if i < len(successors[v]):
                work[-1] = (v, i + 1)
                w = successors[v][i]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work and low[v] < low[work[-1][0]]:
                low[work[-1][0]] = low[v]
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component[w] = components
                    if w == v:
                        break
                components += 1
    return component
