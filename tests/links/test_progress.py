import io

from feedtool.links.progress import ProgressBar, wants_progress


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_on_a_terminal_only(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("FEEDTOOL_NO_PROGRESS", raising=False)
    tty = _Tty()
    bar = ProgressBar(4, stream=tty)
    for _ in range(4):
        bar.advance()
    assert "4/4 checked" in tty.getvalue() and "[" + "#" * 30 + "]" in tty.getvalue()
    bar.close()
    assert tty.getvalue().endswith("\r")
    pipe = io.StringIO()
    quiet = ProgressBar(4, stream=pipe)
    quiet.advance(4)
    quiet.close()
    assert pipe.getvalue() == ""


def test_progress_is_quiet_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert not wants_progress(_Tty())
