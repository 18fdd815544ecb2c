"""The protocol executed: ``transitions`` machines with real credentials, traces replayed on them,
and the scenario language. Reads the declaration (``dmmodel.protocol``) only."""
