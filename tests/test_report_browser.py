"""The report in a real browser: at 800 px the page does not overflow sideways and logs no errors.

Headless Chromium loads ``report.html`` with a small script appended that writes the page's
scroll width, the window width and any error into the DOM; ``--dump-dom`` prints that DOM.
Skipped, saying why, when no Chromium is installed (Debian: ``apt-get install chromium``).
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dmmodel.cli import main

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
BROWSER = next((found for name in BROWSERS if (found := shutil.which(name))), None)
WIDTH = 800

# Runs after the page has loaded; errors thrown by the page or logged to the console are kept.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message)));
const logError = console.error;
console.error = (...args) => { window.__errors.push(args.join(' ')); logError(...args); };
window.addEventListener('load', () => {
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    svgs: document.querySelectorAll('svg').length,
    errors: window.__errors,
  });
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (apt-get install chromium)")
def test_report_fits_800_px_and_logs_no_errors(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    # one cheap attacker configuration puts the Security section on the page in seconds
    result = CliRunner().invoke(main, ["report", "--out", str(out), "--attack", "attack-edit"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "name='viewport'" in page
    # The probe goes first in <head> so it sees every error the page raises while loading.
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={WIDTH},1000", "--virtual-time-budget=5000", "--dump-dom",
         probed.as_uri()],
        capture_output=True, text=True, timeout=60, check=False,
    )
    match = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert match, f"the probe did not run: {done.stderr[-2000:]}"
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["innerWidth"] == WIDTH
    assert probe["errors"] == []
    assert probe["svgs"] > 0
    assert probe["scrollWidth"] <= probe["innerWidth"], (
        f"the page is {probe['scrollWidth']} px wide in an {WIDTH} px window")
