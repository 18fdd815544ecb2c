"""The report in a real browser: at laptop width every matrix column and every chart lane shows,
on a phone the summary shows first, and at no width does the page overflow sideways or log errors.

Headless Chromium loads ``report.html`` with a small script appended that measures the page
(its scroll width, each matrix header cell and each chart against its box) and keeps any error.
The page sits in a frame of the width under test (headless windows are at least 500 px wide),
sends the figures up to the frame's page, which writes them into its DOM; ``--dump-dom`` prints
that DOM. Skipped, saying why, when no Chromium is installed (Debian: ``apt-get install
chromium``).
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
LAPTOP, TABLET, PHONE = 1280, 800, 390

# Runs after the page has loaded; errors thrown by the page or logged to the console are kept.
# A box cuts what lies beyond its visible edges: a header cell is cut off when it reaches past
# the window or past its scrolling box, a chart when it is wider than its box or its box scrolls.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message)));
const logError = console.error;
console.error = (...args) => { window.__errors.push(args.join(' ')); logError(...args); };
window.addEventListener('load', () => {
  const inside = (inner, outer) => inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5;
  const view = {left: 0, right: window.innerWidth};
  const cutHeaders = [...document.querySelectorAll('table.matrix thead th')].filter(th => {
    const box = th.getBoundingClientRect();
    const scroller = th.closest('.scroll');
    return !inside(box, view) || (scroller && !inside(box, scroller.getBoundingClientRect()));
  }).map(th => th.textContent);
  const clippedCharts = [...document.querySelectorAll('.chart svg')].filter(svg => {
    const box = svg.closest('.chart');
    const drawn = svg.getBoundingClientRect();
    return box.scrollWidth > box.clientWidth || !inside(drawn, box.getBoundingClientRect())
      || !inside(drawn, view) || drawn.height < 10;
  }).map(svg => svg.closest('figure').id);
  const summary = document.getElementById('summary').parentElement.querySelector('ul.summary');
  const said = summary.getBoundingClientRect();
  parent.postMessage(JSON.stringify({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
    svgs: document.querySelectorAll('.chart svg').length,
    headers: document.querySelectorAll('table.matrix thead th').length,
    cutHeaders: cutHeaders,
    clippedCharts: clippedCharts,
    summaryTop: document.getElementById('summary').getBoundingClientRect().top,
    summaryFits: inside(said, view) && said.height > 0,
    errors: window.__errors,
  }), '*');
});
</script>"""
# The frame's page: the report at the width under test, and where the probe's figures land.
FRAME = """<!DOCTYPE html><html><body style='margin: 0'>
<iframe src='{src}' style='width: {width}px; height: 900px; border: 0'></iframe>
<script>
window.addEventListener('message', e => {{
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = e.data;
  document.body.appendChild(out);
}});
</script></body></html>"""


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if BROWSER is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    out = tmp_path_factory.mktemp("browser") / "report.html"
    # one cheap attacker configuration puts the Security section (and its matrices) on the page
    result = CliRunner().invoke(main, ["report", "--out", str(out), "--attack", "attack-edit"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "name='viewport'" in text
    # The probe goes first in <head> so it sees every error the page raises while loading.
    probed = out.with_name("probed.html")
    probed.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    return probed


def probe(page: Path, width: int) -> dict:
    """What the probe measured with the page loaded in a ``width`` x 900 px frame."""
    assert BROWSER is not None
    frame = page.with_name(f"frame-{width}.html")
    frame.write_text(FRAME.format(src=page.name, width=width), encoding="utf-8")
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={width + 100},1000", "--virtual-time-budget=5000", "--dump-dom",
         frame.as_uri()],
        capture_output=True, text=True, timeout=90, check=False,
    )
    match = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert match, f"the probe did not run: {done.stderr[-2000:]}"
    found = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert found["innerWidth"] == width
    return found


@pytest.mark.parametrize("width", [LAPTOP, TABLET, PHONE])
def test_report_never_overflows_sideways_and_logs_no_errors(page: Path, width: int) -> None:
    found = probe(page, width)
    assert found["errors"] == []
    assert found["svgs"] > 0
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"the page is {found['scrollWidth']} px wide in a {width} px window")
    assert found["clippedCharts"] == [], "charts wider than their box (lanes cut off)"


def test_at_laptop_width_every_matrix_column_shows(page: Path) -> None:
    found = probe(page, LAPTOP)
    # the verdict matrix and one per attacker configuration, each with its variant and states
    assert found["headers"] > 2 * 2
    assert found["cutHeaders"] == [], "matrix columns cut off or scrolled out of sight"


def test_on_a_phone_the_summary_shows_first(page: Path) -> None:
    found = probe(page, PHONE)
    assert 0 <= found["summaryTop"] < found["innerHeight"], "the summary is not on the first screen"
    assert found["summaryFits"]
