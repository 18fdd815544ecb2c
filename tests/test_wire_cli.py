"""``dmmodel serve`` and ``dmmodel probe`` as a careless user meets them: help for every option,
one-line errors with exit status 2, a clean stop on SIGTERM or Ctrl-C with the state written,
and a probe of a served server that finds nothing to report."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from dmmodel.cli import main
from dmmodel.wire.accounts import AccountSpec

CLI = [sys.executable, "-c", "from dmmodel.cli import main; main()"]
ACCOUNTS = """
[defaults]
variant = "cr"

[[account]]
name = "device1"
model = true

[[account]]
name = "alice"
secret = "card-secret"
server_secret = "server-card-secret"
client_auth = "basic"
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command, options", [
    ("serve", ["--accounts", "--host", "--port", "--state", "--log", "--charts", "--max-body",
               "--test-hooks"]),
    ("probe", ["--accounts", "--account", "--format", "--timeout"]),
])
def test_help_describes_every_option(command, options):
    result = run(command, "--help")
    assert result.exit_code == 0
    for option in options:
        assert re.search(rf"{option}\b.*\S", result.output), option


def test_every_account_key_is_documented_in_the_readme():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Pointing `dmmodel serve` at your own client")[1].split("\n### ")[0]
    rows = {key.strip() for line in section.splitlines() if line.startswith("| ")
            for key in line.split("|")[1].split(",")}
    assert {f.name for f in fields(AccountSpec)} == rows - {"key", "---"}


@pytest.mark.parametrize("content, says", [
    (None, "no such file"),
    ("[[account]]\nname = 'x'\n", "secret is required"),
    ("[[account]]\nname = 'x'\nsecret = 's'\nserver_secret = 't'\ncolour = 'red'\n", "colour: unknown key"),
    ("[[account]]\nname = 'x'\nsecret = 's'\nserver_secret = 't'\nvariant = 'dm13'\n", "variant: unknown"),
    ("[[account]]\nname = 'x'\nsecret = 's'\nserver_secret = 't'\nrotations = '1'\n", "expected int"),
    ("[[account]]\nname = 'x'\nsecret = 's'\nserver_secret = 't'\nnonces = 16\n", "nonces: nonces are fresh"),
    ("[[account]]\nname = 'x'\nsecret = 's'\nserver_secret = 't'\nvariant = 'cr-hmac'\n",
     "'cr-hmac' is not served on the wire"),
    ("[defaults]\nvariant = 'cr-fresh-hmac'\n[[account]]\nname = 'device1'\nmodel = true\n",
     "'cr-fresh-hmac' is not served on the wire"),
    ("[[account]]\nname = 'device²'\nmodel = true\n", "a model account is named deviceN"),
    ("[[account]]\nname = 'device 1'\nmodel = true\n", "a model account is named deviceN"),
    ("account = 3\n", "at least one [[account]]"),
    ("[[account\n", "not valid TOML"),
])
@pytest.mark.parametrize("command", ["serve", "probe"])
def test_a_bad_accounts_file_is_one_line_and_status_2(tmp_path, command, content, says):
    path = tmp_path / "accounts.toml"
    if content is not None:
        path.write_text(content)
    args = ["serve", "--accounts", str(path), "--port", "0"] if command == "serve" else \
        ["probe", "http://127.0.0.1:9/dm", "--accounts", str(path)]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1 and says in result.stderr


def test_probe_of_nothing_listening_is_one_line(tmp_path):
    (tmp_path / "a.toml").write_text(ACCOUNTS)
    result = run("probe", "http://127.0.0.1:9/dm", "--accounts", str(tmp_path / "a.toml"), "--timeout", "2")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "127.0.0.1:9" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(("url", "says"), [
    ("notaurl", "expected http://HOST"), ("http://[::1", "Invalid IPv6 URL"),
    ("ftp://host/dm", "expected http"), ("http://", "expected http"),
    ("http://host:port/dm", "Port could not be cast"),
])
def test_probe_refuses_a_url_that_names_no_http_server_before_sending(tmp_path, url, says):
    (tmp_path / "a.toml").write_text(ACCOUNTS)
    result = run("probe", url, "--accounts", str(tmp_path / "a.toml"))
    assert result.exit_code == 2 and result.stdout == ""  # nothing probed
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: Invalid value for 'URL'") and says in last


def start_serve(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    (tmp_path / "accounts.toml").write_text(ACCOUNTS)
    serve = subprocess.Popen(
        [*CLI, "serve", "--accounts", "accounts.toml", "--port", "0", "--log", "serve.jsonl",
         "--charts", "charts"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    line = serve.stderr.readline()
    found = re.search(r"http://\S+", line)
    assert found, line
    return serve, found.group(0)


@pytest.mark.parametrize("stop, status, last", [(signal.SIGTERM, 0, "stopped"),
                                               (signal.SIGINT, 130, "interrupted")])
def test_serve_and_probe_end_to_end_then_stop_cleanly(tmp_path, stop, status, last):
    serve, url = start_serve(tmp_path)
    try:
        for account, fmt in (("device1", "xml"), ("alice", "wbxml")):
            probe = subprocess.run([*CLI, "probe", url, "--accounts", "accounts.toml", "--account",
                                    account, "--format", fmt],
                                   cwd=tmp_path, capture_output=True, text=True, timeout=60)
            assert probe.returncode == 0, probe.stdout + probe.stderr
            assert probe.stdout.strip().endswith("0 finding(s)")
            assert "Status 200 on Alert 1226 (report acknowledged)" in probe.stdout
    finally:
        time.sleep(0.2)
        serve.send_signal(stop)
        _, err = serve.communicate(timeout=20)
    assert serve.returncode == status
    assert err.strip().splitlines()[-1].startswith(last)
    records = [json.loads(line) for line in (tmp_path / "serve.jsonl").read_text().splitlines()]
    assert len(records) == 16 and all(r["findings"] == [] for r in records)
    state = json.loads((tmp_path / "accounts.state.json").read_text())
    assert state["alice"]["account"]["issued"] == 1 and state["device1"]["server_state"] == "idle"
    charts = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert "alice-session-3.mmd" in charts and "device1-session-4.mmd" in charts
    assert "sequenceDiagram" in (tmp_path / "charts" / "alice-session-3.mmd").read_text()


def test_serve_refuses_a_port_in_use_in_one_line(tmp_path):
    serve, url = start_serve(tmp_path)
    try:
        port = url.rsplit(":", 1)[1].split("/")[0]
        result = run("serve", "--accounts", str(tmp_path / "accounts.toml"), "--port", port,
                     "--log", str(tmp_path / "b.jsonl"), "--charts", str(tmp_path / "c"))
        assert result.exit_code == 2 and "cannot listen" in result.stderr
    finally:
        serve.terminate()
        serve.communicate(timeout=20)
