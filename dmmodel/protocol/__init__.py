"""The protocol as a declaration: vocabulary, configuration, messages, state, the machines' rule
tables, the attacker, the ghost monitor, the properties and the composed system's step relation.

It runs nothing by itself and knows nothing of how it is run (``dmmodel.runtime``) or searched
(``dmmodel.search``): both read it, never the other way round.
"""
