"""The QC page (an mne.Report) as a reader's browser shows it: headless Chromium loads a
copy of the page with a probe script, and the probe reports what rendered: the images
that decoded, the text the reader sees, and any script error.

Needs Debian's chromium-headless-shell (``.ci/run`` installs it with apt); skipped only
when no Chromium binary is on PATH.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from test_quality_report import qc_page

BROWSER = next((shutil.which(name) for name in ("chromium-headless-shell", "chromium", "chromium-browser")
                if shutil.which(name)), None)
if BROWSER is None:
    pytest.skip("no Chromium: apt-get install chromium-headless-shell to run the browser test of the QC page",
                allow_module_level=True)

# Collects script errors from the first moment, then, once everything has loaded, writes
# what rendered into the page itself, where --dump-dom shows it.
ERROR_PROBE = ('<script>window.__errors=[];window.addEventListener("error",'
               'function(e){window.__errors.push(String(e.message||e.type))},true);</script>')
RENDER_PROBE = """<script>window.addEventListener("load", function () {
  var images = [].slice.call(document.images);
  var out = document.createElement("pre");
  out.id = "browser-probe";
  out.textContent = JSON.stringify({
    images: images.map(function (i) { return i.alt; }),
    decoded: images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).map(function (i) { return i.alt; }),
    errors: window.__errors, title: document.title, text: document.body.innerText});
  document.body.appendChild(out);
});</script>"""


def rendered(html: str, tmp_path) -> dict:
    head, body_end = html.index("<head>") + len("<head>"), html.rindex("</body>")
    probed = tmp_path / "probed.html"
    probed.write_text(html[:head] + ERROR_PROBE + html[head:body_end] + RENDER_PROBE + html[body_end:])
    dom = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000",
                          "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=300).stdout
    found = re.search(r'<pre id="browser-probe">(.*?)</pre>', dom, flags=re.S)
    assert found, f"the probe did not run: {dom[:500]!r}"
    return json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def test_the_qc_page_renders_its_figures_and_sections_without_script_errors(seed_files, tmp_path):
    page = rendered(qc_page(tmp_path, seed_files, "clean"), tmp_path)
    assert page["errors"] == []
    assert page["title"] == "Quality report: 1_20131027"
    assert {"Power spectra", "DE features"} <= set(page["decoded"])
    assert page["decoded"] == page["images"], "an image on the page did not decode"
    text = " ".join(page["text"].split())
    for section in ("class balance emotion/train", "Windows per segment", "Other modality (eye_movements)",
                    "0 check(s) flagged"):
        assert section in text, section
