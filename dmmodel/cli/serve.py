"""``dmmodel serve``: the model's DM server over HTTP for real devices, judging what they send."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

import click

from dmmodel.cli.errors import InputError, Interrupted, usage_errors
from dmmodel.output import write_text
from dmmodel.wire.accounts import load_accounts, read_state
from dmmodel.wire.charts import session_chart_name, session_mermaid
from dmmodel.wire.dmserver import DMServer
from dmmodel.wire.http import WireHTTPServer, json_line


class _Outputs:
    """Where a running server writes: the JSON-lines log, the state file, the session charts."""

    def __init__(self, log: Path, state: Path, charts: Path) -> None:
        self.log_path, self.state, self.charts = log, state, charts
        self.stream = log.open("a", encoding="utf-8")
        self.findings = 0
        self.exchanges = 0

    def log(self, record: dict[str, Any]) -> None:
        self.stream.write(json_line(record) + "\n")
        self.stream.flush()
        self.exchanges += 1
        self.findings += len(record.get("findings", ()))
        if "error" in record:
            line = f"HTTP {record['http_status']}: {record['error']}"
        else:
            line = (f"{record['account']} session {record['session']} msg {record['msg_id']}: "
                    f"{record['received']} -> {record['server_rule'] or 'no rule'}: {record['sent']}")
            line += "".join(f"\n  finding: {f}" for f in record["findings"])
        click.echo(line, err=True)

    def changed(self, dm: DMServer) -> None:
        write_text(self.state, json.dumps(dm.to_json(), indent=1, sort_keys=True))
        self.charts.mkdir(parents=True, exist_ok=True)
        for account in dm.accounts.values():
            for session in (account.session, *account.closed[-1:]):
                if session is not None and session.trace:
                    name = session_chart_name(account.spec.name, session)
                    write_text(self.charts / f"{name}.mmd", session_mermaid(account, session))


@click.command("serve")
@click.option("--accounts", "accounts_file", required=True, type=click.Path(path_type=Path),
              help="TOML file of the device accounts (keys in the README, 'On the wire').")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port to listen on (0: any free port, printed at start).")
@click.option("--state", "state_file", type=click.Path(path_type=Path), default=None,
              help="JSON file keeping the accounts' state across restarts [default: ACCOUNTS.state.json].")
@click.option("--log", "log_file", type=click.Path(path_type=Path), default=Path("dmmodel-serve.jsonl"),
              show_default=True, help="JSON-lines log, one record per HTTP exchange (appended).")
@click.option("--charts", "charts_dir", type=click.Path(path_type=Path), default=Path("serve-charts"),
              show_default=True, help="Folder for one Mermaid sequence chart per session.")
@click.option("--max-body", default=256 * 1024, show_default=True, type=click.IntRange(1024),
              help="Largest request body accepted, in bytes (larger: HTTP 413).")
@click.option("--test-hooks", is_flag=True,
              help="Accept POST /dmmodel/reset/<account> (re-provision an account; for test kits).")
def serve_command(accounts_file: Path, host: str, port: int, state_file: Path | None, log_file: Path,
                  charts_dir: Path, max_body: int, test_hooks: bool) -> None:
    """Play the model's DM server over HTTP for real devices, and judge what they send.

    Each account's server is the model's server machine of the account's variant; each message
    a device sends is checked against the model's device and the SyncML rules, and every
    divergence is a finding in the log (and on stderr). Point the device's DMAcc AppAddr at the
    printed URL (any path). Stop with Ctrl-C or SIGTERM: the state file is always complete.
    """
    state_file = state_file or accounts_file.with_suffix(".state.json")
    with usage_errors():
        specs = load_accounts(accounts_file)
        outputs = _Outputs(log_file, state_file, charts_dir)
        dm = DMServer(specs, read_state(state_file), on_change=outputs.changed)
        try:
            server = WireHTTPServer((host, port), dm, outputs.log, max_body, test_hooks)
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            raise InputError(f"cannot listen on {host}:{port} ({reason})") from None
    stop = {"signal": None}

    def on_signal(number: int, frame: Any) -> None:
        stop["signal"] = number
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"serving {len(specs)} account(s) at {server.url} "
               f"(log {log_file}, state {state_file}, charts {charts_dir}/)", err=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        outputs.stream.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    click.echo(f"stopped: {outputs.exchanges} exchange(s), {outputs.findings} finding(s)", err=True)
    if stop["signal"] == signal.SIGINT:
        raise Interrupted()
