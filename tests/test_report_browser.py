"""The readiness page in a real browser: Debian's Chromium, headless, with no network.

Checks that the page renders (a screenshot that is not blank and shows the heat-map colours), that
the headline is in the DOM, that the browser logs no console message (the page runs no script and
its Content-Security-Policy would log any blocked load), and that very long words wrap instead of
widening the page. `.ci/run` installs chromium; without it these tests skip.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Run, ready_items

CHROMIUM = os.environ.get("READYLINT_CHROMIUM") or next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not found (apt-get install chromium, as .ci/run does, or set READYLINT_CHROMIUM)",
)

# As root and on a closed network: no sandbox, no GPU, and nothing that phones home.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium(page: Path, tmp_path: Path, *args: str, width: int = 1200) -> tuple[str, list[str]]:
    """Run headless Chromium on a file; return stdout and the console messages it logged."""
    assert CHROMIUM is not None
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},900", *args,
         page.resolve().as_uri()],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB or RGBA PNG (what Chromium writes) into rows of raw pixel bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6), f"unexpected PNG format {depth}/{color}"
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, bpp, rows


def colours(path: Path) -> set[tuple[int, int, int]]:
    width, bpp, rows = png_pixels(path)
    found: set[tuple[int, int, int]] = set()
    for row in rows[::3]:
        for x in range(0, width * bpp, bpp * 3):
            found.add((row[x], row[x + 1], row[x + 2]))
    return found


@pytest.fixture
def example_page(run: Callable[..., Run], tmp_path: Path) -> Path:
    history = tmp_path / "h.jsonl"
    history.write_text(
        '{"time": "2026-10-01T09:00:00Z", "items": 10, "ready": 2}\n'
        '{"time": "2026-10-15T09:00:00Z", "items": 11, "ready": 4}\n'
    )
    result = run("report", str(EXAMPLES), "-o", "readiness.html", "--history", str(history))
    assert result.code == 0, result.err
    return tmp_path / "readiness.html"


def test_the_report_renders_in_chromium(example_page: Path, tmp_path: Path) -> None:
    dom, console = chromium(example_page, tmp_path, "--dump-dom")
    assert '<p class="headline" id="headline">5 of 11 items pass the practical test</p>' in dom
    assert "<svg" in dom
    assert console == [], "the page logged console messages:\n" + "\n".join(console)

    shot = tmp_path / "shot.png"
    _, console = chromium(example_page, tmp_path, f"--screenshot={shot}")
    assert console == []
    found = colours(shot)
    assert len(found) > 20, f"the screenshot looks blank ({len(found)} colours)"
    # The heat map's fail and pass backgrounds are on screen, so the table was laid out and styled.
    assert (0xFD, 0xE2, 0xE1) in found
    assert (0xE3, 0xF4, 0xE8) in found


def test_hostile_text_runs_nothing_and_long_words_wrap(
    run: Callable[..., Run], write: Callable[[str, str], Path], tmp_path: Path
) -> None:
    write(
        "b.yaml",
        '  - id: "X-1<script>console.error(1)</script>"\n'
        '    title: "<script>console.error(2)</script> <img src=x onerror=console.error(3)> '
        + "W" * 600
        + '"\n'
        + ready_items("X-2"),
    )
    assert run("report", "b.yaml", "-o", "hostile.html").code == 1 - 1  # fail-on never
    page = tmp_path / "hostile.html"
    dom, console = chromium(page, tmp_path, "--dump-dom", width=900)
    assert console == [], "\n".join(console)
    assert "<script" not in dom.split("</head>", 1)[1]
    assert "&lt;script&gt;console.error(2)&lt;/script&gt;" in dom

    # A copy with a probe script (and without the policy that would block it) measures the
    # layout: the page must not be wider than the window, so the 600-letter word wrapped.
    html = page.read_text(encoding="utf-8")
    head, rest = html.split('<meta http-equiv="Content-Security-Policy"', 1)
    probe = tmp_path / "probe.html"
    probe.write_text(
        head
        + rest.split(">", 1)[1].replace(
            "</body>",
            "<script>console.log('probe'); document.title = 'width=' + "
            "document.documentElement.scrollWidth + '/' + window.innerWidth;</script></body>",
        ),
        encoding="utf-8",
    )
    dom, console = chromium(probe, tmp_path, "--dump-dom", width=900)
    assert len(console) == 1 and '"probe"' in console[0], console  # the detector sees messages
    title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
    scroll, window = (int(n) for n in title.removeprefix("width=").split("/"))
    assert scroll <= window, f"the page is {scroll}px wide in a {window}px window"
