"""Opt-in: a real DM 1.2 client (intel/libdmclient's ``testdmclient``) against ``dmmodel serve``.

Set ``DMMODEL_DM_CLIENT`` to the binary. Its test DMAcc sends to http://127.0.0.1:8080/funambol/dm,
so the server listens on port 8080. With the writable, file-backed DMAcc patch (``DMACC_FILE``,
see the README), deleting the file is a re-bootstrap from the card; without it the client
refuses the secret rotation with 425, which is a finding.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from dmmodel.wire.accounts import AccountSpec
from dmmodel.wire.dmserver import DMServer
from dmmodel.wire.http import WireHTTPServer

CLIENT = os.environ.get("DMMODEL_DM_CLIENT")
pytestmark = pytest.mark.skipif(not CLIENT, reason="DMMODEL_DM_CLIENT does not name a DM client binary")
LIBDMCLIENT_ACCOUNT = AccountSpec(name="funambol", secret="funambol", client_auth="basic",
                                  server_id="funambol", server_secret="srvpwd", node="test",
                                  client_appauth="toserver", server_appauth="toclient", variant="dm12")


@pytest.mark.parametrize("wbxml", [False, True], ids=["xml", "wbxml"])
def test_libdmclient_through_rotation_and_rebootstrap(tmp_path: Path, wbxml: bool):
    records: list[dict] = []
    dm = DMServer([LIBDMCLIENT_ACCOUNT])
    server = WireHTTPServer(("127.0.0.1", 8080), dm, records.append)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dmacc = tmp_path / "dmacc.txt"
    env = {**os.environ, "DMACC_FILE": str(dmacc)}

    def session() -> list[dict]:
        before = len(records)
        subprocess.run([CLIENT, *(["-w"] if wbxml else [])], env=env, capture_output=True, timeout=60)
        return records[before:]

    try:
        first = session()
        second = session()
        dmacc.unlink(missing_ok=True)  # re-bootstrap: the DMAcc as the card provisioned it
        after = session()
    finally:
        server.shutdown()
        server.server_close()
    assert first[0]["server_rule"] == "accept_rotating"
    rotated = "Status 200 on Replace" in first[1]["received"]
    findings = [f for r in records for f in r["findings"]]
    assert any("Content-Type" in f for f in findings)  # it sends application/vnd.syncml+xml
    if not rotated:  # the stock, read-only DMAcc
        assert any("replace_status: sent 425" in f for f in findings)
        return
    assert second[0]["server_rule"] == "accept"  # it authenticates with the rotated secret
    # the DM 1.2 deadlock: after the re-bootstrap every credential is refused, retry after retry
    assert len(after) > 3 and {r["server_rule"] for r in after} == {"refuse"}
    gave_up = [f for r in after for f in r["findings"] if "(give_up) sends Pkg1 | Alert 1223" in f]
    assert gave_up, [(r["received"], r["findings"]) for r in after][:4]
