"""``dmmodel probe URL``: the model's device against a DM server, the server's answers judged."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click

from dmmodel.cli.errors import InputError, usage_errors
from dmmodel.protocol.messages import describe
from dmmodel.wire.accounts import AccountsError, load_accounts
from dmmodel.wire.client import ProbeError, SessionLog, WireDevice
from dmmodel.wire.codec import Format

PLAN = ("bootstrap", "session", "session", "re-bootstrap", "session", "session")


def _show(log: SessionLog, node: str) -> None:
    for exchange in log.exchanges:
        click.echo(f"  device {exchange.rule}: {describe(exchange.sent, node)}")
        answer = describe(exchange.received, node) if exchange.received is not None else "acknowledgement"
        click.echo(f"    server: {answer}")
        for finding in exchange.findings:
            click.echo(f"    finding: {finding}")
    click.echo(f"  end: {log.end}")


def _server_url(ctx: click.Context, param: click.Parameter, url: str) -> str:
    """``url`` if it names an HTTP(S) server, checked before anything is sent."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises ValueError here
    except ValueError as error:
        raise click.BadParameter(f"{url!r}: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{url!r}: expected http://HOST[:PORT]/PATH or https://...")
    return url


@click.command("probe")
@click.argument("url", callback=_server_url)
@click.option("--accounts", "accounts_file", required=True, type=click.Path(path_type=Path),
              help="TOML file with the device account to use (the format of 'dmmodel serve').")
@click.option("--account", "account_name", default=None,
              help="Which account of the file [default: the first].")
@click.option("--format", "fmt", type=click.Choice([f.value for f in Format]), default="xml",
              show_default=True, help="Send SyncML as XML or WBXML.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds to wait for each HTTP reply.")
def probe_command(url: str, accounts_file: Path, account_name: str | None, fmt: str, timeout: float) -> None:
    """Run the model's device against the DM server at URL: bootstrap, two sessions (the server
    may rotate the secrets), a re-bootstrap from the smart card, two more sessions.

    Each answer of the server is judged against the model's server of the account's variant;
    a divergence is printed as a finding. Exit status 0 when there is none, 1 when there are
    findings, 2 for bad input or a server that cannot be reached (one line).
    """
    with usage_errors():
        specs = load_accounts(accounts_file)
        spec = next((s for s in specs if account_name in (None, s.name)), None)
        if spec is None:
            raise AccountsError(f"account: no {account_name!r} in {accounts_file}")
    device = WireDevice(spec, url, Format(fmt), timeout)
    findings = 0
    click.echo(f"probing {url} as {spec.name} (variant {spec.variant}, {fmt})")
    try:
        for number, step in enumerate(PLAN, 1):
            click.echo(f"{number}. {step}")
            if step in ("bootstrap", "re-bootstrap"):
                device.bootstrap(spec.bootstrap, again=step == "re-bootstrap")
                continue
            log = device.session()
            _show(log, spec.dm_node)
            findings += len(log.findings)
    except ProbeError as error:
        raise InputError(str(error)) from None
    click.echo(f"{findings} finding(s)")
    if findings:
        raise SystemExit(1)
