"""A small model shared by the checker's tests, whose state counts follow from a formula."""

from dmmodel.checker import Model


class Counters(Model):
    """Two counters a, b in 0..n; each step increments one that is below n.

    States: (n+1)^2. Transitions: incrementing a is enabled in n*(n+1) states (a < n, any b),
    likewise b, so 2*n*(n+1). The deepest state (n, n) is 2n steps from (0, 0), and the BFS
    distance of (a, b) is a + b. (n, n) has no successor; ``terminal`` declares it terminal.
    """

    def __init__(self, n, terminal=False):
        self.n = n
        self.terminal = terminal

    def init_states(self):
        return [(0, 0)]

    def successors(self, state):
        a, b = state
        out = []
        if a < self.n:
            out.append(("a", (a + 1, b)))
        if b < self.n:
            out.append(("b", (a, b + 1)))
        return out

    def is_terminal(self, state):
        return self.terminal and state == (self.n, self.n)
