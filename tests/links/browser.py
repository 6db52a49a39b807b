"""Headless Debian chromium driven over the DevTools protocol, on a pipe (no port, no
network): open a page, evaluate script, click and type as a user does (real input
events), take screenshots; and a small PNG reader to check their pixels.

``--remote-debugging-pipe`` makes chromium read commands from fd 3 and write answers
to fd 4, each a JSON message ended by a NUL byte.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
]


class BrowserError(RuntimeError):
    pass


class Browser:
    def __init__(self, profile: Path, timeout: float = 30.0):
        assert CHROMIUM is not None
        self.timeout = timeout
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()
        # bash (dash refuses fd numbers above 9) puts the two pipe ends at the fd numbers chromium expects (by way of two numbers
        # above both, so that neither is overwritten before it is copied), then becomes chromium
        a, b = max(commands_read, answers_write) + 1, max(commands_read, answers_write) + 2
        script = f'exec {a}<&{commands_read} {b}>&{answers_write}; exec "$0" "$@" 3<&{a} 4>&{b} {a}<&- {b}>&-'
        log = os.environ.get("FEEDTOOL_CHROMIUM_LOG")  # chromium's own messages, when debugging
        with open(log or os.devnull, "ab") as errors:
            self.proc = subprocess.Popen(
                [
                    "bash",
                    "-c",
                    script,
                    CHROMIUM,
                    *FLAGS,
                    f"--user-data-dir={profile}",
                    "--remote-debugging-pipe",
                ],
                pass_fds=(commands_read, answers_write),
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next_id = 0
        self.session: str | None = None

    # -- protocol ---------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise BrowserError("chromium did not answer in time")
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise BrowserError("chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: bool = True, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    # -- pages ------------------------------------------------------------------
    def open(self, url: str, width: int = 1200, height: int = 900) -> None:
        """A new tab at ``url``, ``width`` x ``height`` CSS pixels, once the page has loaded."""
        target = self.send("Target.createTarget", session=False, url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", session=False, targetId=target, flatten=True)[
            "sessionId"
        ]
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + self.timeout
        while self.eval("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not load")
            time.sleep(0.05)

    def eval(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def centre(self, selector: str) -> tuple[float, float]:
        """Where ``selector``'s element is on the screen (scrolled into view first)."""
        box = self.eval(
            f"(function(){{var e=document.querySelector({json.dumps(selector)});e.scrollIntoView({{block:'center'}});"
            "var r=e.getBoundingClientRect();return [r.x+r.width/2,r.y+r.height/2];})()"
        )
        if box is None:
            raise BrowserError(f"no element {selector}")
        return box[0], box[1]

    def click(self, selector: str) -> None:
        """A real mouse click (press and release) on the element's centre."""
        x, y = self.centre(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def type(self, selector: str, text: str) -> None:
        """Click into a field and type ``text`` (input events, as from a keyboard)."""
        self.click(selector)
        self.send("Input.insertText", text=text)

    def choose(self, selector: str, value: str) -> None:
        """Pick an option of a <select> (what a user's choice fires: a change event)."""
        self.eval(
            f"(function(){{var s=document.querySelector({json.dumps(selector)});s.value={json.dumps(value)};"
            "s.dispatchEvent(new Event('change',{bubbles:true}));})()"
        )

    def screenshot(self, clip: dict | None = None) -> bytes:
        params: dict = {"format": "png"}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        return base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close", session=False)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._commands)
        os.close(self._answers)


# -- PNG ------------------------------------------------------------------------
def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes) for an 8-bit RGB or RGBA, non-interlaced PNG."""
    width, height = png_size(data)
    depth, colour, interlace = data[24], data[25], data[28]
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        previous = line
        if channels == 4:
            rows.append(bytes(v for j in range(0, stride, 4) for v in line[j : j + 3]))
        else:
            rows.append(bytes(line))
    return width, height, rows


def count_colour(data: bytes, rgb: tuple[int, int, int], tolerance: int = 24) -> int:
    """How many pixels of the screenshot are within ``tolerance`` of ``rgb`` on each channel."""
    _, _, rows = png_pixels(data)
    n = 0
    for row in rows:
        for i in range(0, len(row), 3):
            if all(abs(row[i + k] - rgb[k]) <= tolerance for k in range(3)):
                n += 1
    return n


def distinct_rows(data: bytes) -> int:
    """How many different pixel rows the image has: a blank page has 1, a table many."""
    return len(set(png_pixels(data)[2]))
