"""A served session as a sequence chart, drawn by the project's renderers.

The device's steps are the observer's (the model's device following the real one), the
server's are the model's server; findings are listed in a closing note, by step.
"""

from __future__ import annotations

from dmmodel.render import sequence_to_mermaid
from dmmodel.views.sequences import trace_chart
from dmmodel.wire.dmserver import AccountRuntime, WireSession


def session_chart_name(account: str, session: WireSession) -> str:
    """The chart's file name, without extension."""
    return f"{account}-session-{session.number}"


def session_mermaid(account: AccountRuntime, session: WireSession) -> str:
    """The session as a Mermaid sequence diagram."""
    name = session_chart_name(account.spec.name, session)
    title = (f"{account.spec.name}, session {session.number} (SessionID {session.session_id}), "
             f"variant {account.variant.name}")
    ending = "\n".join(f"finding at step {n}: {text}" for n, text in session.findings)
    return sequence_to_mermaid(trace_chart(name, title, session.trace, ending=ending))
