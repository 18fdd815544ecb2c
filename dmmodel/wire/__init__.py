"""SyncML DM 1.2 on the wire: codecs (XML, WBXML), the Package mapping, HTTP server and client.

This part may import ``dmmodel.protocol`` (the model it speaks for); nothing in the protocol
model imports it. ``tree`` is the neutral element tree both codecs read and write, ``message``
the SyncML commands, ``mapping`` the one table between a model ``Package`` and a message.
"""
