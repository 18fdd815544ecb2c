"""Sequence charts of attacks: the attacker's own lifeline, and where each injected package came from.

Traces are played step by step on the executable machines (no model checking), choosing each
step by its action label, so the tests are fast and each names the attack it draws.
"""

from collections.abc import Sequence

from dmmodel.protocol.config import make_config
from dmmodel.render import Message, Note, SequenceChart, sequence_to_dot, sequence_to_mermaid
from dmmodel.runtime.machines import ExecutableSystem
from dmmodel.runtime.scenarios import load_scenario, run_scenario
from dmmodel.runtime.trace import TraceEntry, take
from dmmodel.views.sequences import ATTACKER, trace_chart

# Issue 9's replay on the change request: Package 1 of a genuine bootstrap session is recorded,
# the server rotates the secrets, and the recording sent again makes it recognise a bootstrap.
REPLAY = ("bootstrap (smartcard)", "connect", "record to server", "accept_rotating", "take_session",
          "close", "close", "replay recording 1 to server", "recognise_bootstrap")


def played(config_name: str, labels: Sequence[str]) -> list[TraceEntry]:
    """The trace of the steps labelled ``labels`` (each must be enabled when its turn comes)."""
    system = ExecutableSystem(make_config(config_name, "cr"))
    trace = []
    for number, label in enumerate(labels, start=1):
        enabled = {action.label(): action for _, action in system.actions()}
        assert label in enabled, f"step {number} {label!r} not enabled; enabled: {sorted(enabled)}"
        trace.append(take(system, 0, enabled[label], number))
    return trace


def messages(chart: SequenceChart) -> list[Message]:
    return [e for e in chart.events if isinstance(e, Message)]


def test_replay_is_drawn_on_the_attackers_lifeline_between_device_and_server() -> None:
    chart = trace_chart("replay", "replay", played("attack-replay", REPLAY))
    assert chart.participants == ("environment", "device1", ATTACKER, "server")
    notes = [e for e in chart.events if isinstance(e, Note) and e.over == (ATTACKER,)]
    assert [n.text for n in notes] == ["3. records Pkg1 to server"]
    injected = [m for m in messages(chart) if m.sender == ATTACKER]
    assert len(injected) == 1
    replayed = injected[0]
    assert replayed.receiver == "server" and not replayed.fate
    first, *rest = replayed.label.split("\n")
    assert first == "8. replays Pkg1 recorded at step 3"
    assert rest[0] == "Pkg1: Alert 1201, Cred md5 (secret g0)"  # the recorded bootstrap credential
    # the server answers the replay: its 212 goes to the device, whose run it is not
    answer = messages(chart)[-1]
    assert answer.label.startswith("9. Pkg2: Status 212") and answer.sender == "server"
    # every renderer draws the attacker as a participant of its own
    assert "participant p2 as attacker" in sequence_to_mermaid(chart)
    assert "p2->>p3: 8. replays Pkg1 recorded at step 3" in sequence_to_mermaid(chart)
    assert "attacker" in sequence_to_dot(chart)


def test_an_edited_package_replaces_the_original_on_its_way() -> None:
    trace = played("attack-edit", ("bootstrap (smartcard)", "connect", "edit to server: strip report",
                                   "accept"))
    chart = trace_chart("edit", "edit", trace)
    original, edited, answer = messages(chart)[1:]
    assert original.sender == "device1" and original.fate == "edited by the attacker, step 3"
    assert edited.sender == ATTACKER and edited.receiver == "server" and not edited.fate
    assert edited.label.split("\n") == ["3. edits Pkg1: strip report",
                                        "Pkg1: Alert 1201, Cred md5 (secret g0)"]
    assert answer.label.startswith("4. Pkg2: Status 212")


def test_a_held_package_is_released_from_the_attackers_lifeline() -> None:
    trace = played("attack-delay", ("bootstrap (smartcard)", "connect", "hold to server",
                                    "release to server", "accept"))
    chart = trace_chart("delay", "delay", trace)
    assert [e.text for e in chart.events if isinstance(e, Note)] == ["3. holds back Pkg1 to server"]
    original, released = messages(chart)[1:3]
    assert original.fate == "held back by the attacker, step 3"
    assert released.sender == ATTACKER and released.receiver == "server"
    assert released.label.startswith("4. releases Pkg1 held back at step 3\nPkg1: Alert 1201")


def test_a_dropped_package_never_arrives() -> None:
    chart = trace_chart("drop", "drop", played("attack-delay", ("bootstrap (smartcard)", "connect",
                                                                 "drop to server")))
    assert messages(chart)[-1].fate == "dropped by the attacker, step 3"
    assert [e.text for e in chart.events if isinstance(e, Note)] == ["3. drops Pkg1 to server"]


def test_a_trace_without_attack_steps_has_no_attacker_lifeline() -> None:
    run = run_scenario(load_scenario("cr-normal-flow"))
    chart = trace_chart("normal", "normal", run.trace)
    assert chart.participants == ("environment", "device1", "server")
    assert ATTACKER not in sequence_to_mermaid(chart)


def test_a_forgery_with_the_card_secret_comes_from_the_attacker() -> None:
    trace = played("attack-card-leak", ("bootstrap (smartcard)",
                                        "forge to server: Pkg1 + report, g0 over the bootstrap nonce",
                                        "accept"))
    forged, answer = messages(trace_chart("forge", "forge", trace))[1:]
    assert forged.sender == ATTACKER and forged.receiver == "server"
    assert forged.label.split("\n")[:2] == ["2. forges Pkg1 + report, g0 over the bootstrap nonce",
                                            "Pkg1: Alert 1201, Cred md5 (secret g0)"]
    assert answer.sender == "server" and answer.label.startswith("3. Pkg2: Status 212")
