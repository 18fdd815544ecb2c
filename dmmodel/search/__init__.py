"""The protocol encoded for search: the rule tables compiled into memoised dispatch, slots packed
into integers, and ``DMModel``, the generic checker's ``Model`` for one configuration. Derived from
the declaration (``dmmodel.protocol``); never imports the executable runtime."""
