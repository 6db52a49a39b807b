"""A self-contained HTML page: no external assets (inline CSS and a few lines of JS),
one table per episode, filters by verdict and platform, "broken since" and the
suggested replacement URL."""

from __future__ import annotations

from html import escape

from feedtool.links.model import Report
from feedtool.links.report.common import LABELS, by_episode, day, label_counts, place_kind
from feedtool.links.report.escaping import is_web_url, link_target, show_controls
from feedtool.links.verdict import Verdict

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d232a;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px}
.meta{color:#57606a;margin-bottom:12px}
.counts span{display:inline-block;margin:0 8px 6px 0;padding:3px 8px;border-radius:10px;background:#eaeef2}
.filters{position:sticky;top:0;background:#fafbfc;padding:8px 0;border-bottom:1px solid #d0d7de}
.filters label{margin-right:14px}
table{border-collapse:collapse;width:100%;margin-bottom:8px;background:#fff}
th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f0f3f6;font-weight:600}
td.url{word-break:break-all;min-width:170px;max-width:320px}
td.since{white-space:nowrap}
.v{font-weight:700;white-space:nowrap}
.BROKEN{color:#b3261e}.SUSPECT{color:#d9730d}.REDIRECTED{color:#8250df}.UNKNOWN{color:#6e7781}
.MISSING{color:#9a6700}.INVALID{color:#b3261e}.OK{color:#1a7f37}.EXCLUDED{color:#8c959f}
.changes li{margin:2px 0}.hidden{display:none}
"""

_JS = """
function applyFilters(){
  var v=document.getElementById('f-verdict').value, p=document.getElementById('f-platform').value;
  document.querySelectorAll('section.episode').forEach(function(sec){
    var shown=0;
    sec.querySelectorAll('tbody tr').forEach(function(tr){
      var ok=(v==='all'||tr.dataset.verdict===v||(v==='problems'&&tr.dataset.problem==='1'))
             &&(p==='all'||tr.dataset.platform===p);
      tr.classList.toggle('hidden',!ok); if(ok){shown++;}
    });
    sec.classList.toggle('hidden',shown===0);
  });
}
document.addEventListener('DOMContentLoaded',function(){
  // a link to the report can preselect filters: report.html#verdict=BROKEN&platform=youtube
  location.hash.replace(/^#/,'').split('&').forEach(function(kv){
    var parts=kv.split('='), el=document.getElementById('f-'+parts[0]);
    if(el&&parts[1]){el.value=decodeURIComponent(parts[1]);}
  });
  document.getElementById('f-verdict').addEventListener('change',applyFilters);
  document.getElementById('f-platform').addEventListener('change',applyFilters);
  applyFilters();
});
"""


def _h(text: str) -> str:
    """Untrusted text in HTML: markup escaped, control and bidi characters shown as escapes."""
    return escape(show_controls(text, keep="\n\t"))


def _a(url: str | None) -> str:
    """A link for an http(s) URL; anything else (``javascript:``, ``data:``) is shown, never linked."""
    if not url:
        return ""
    if not is_web_url(url):
        return f'<span class="not-a-link">{_h(url)}</span>'
    return f'<a href="{escape(link_target(url))}" rel="noopener noreferrer">{_h(url)}</a>'


def render(report: Report, *, full: bool = False) -> str:
    """Every link, whatever ``full`` says."""
    groups = by_episode(report, lambda r: True)
    platforms = sorted({place_kind(p) for _, rows in groups for _, p in rows})
    out = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Link health report</title>",
        f"<style>{_CSS}</style>",
        f"<script>{_JS}</script>",
        "</head><body>",
        "<h1>Link health report</h1>",
        f'<div class="meta">Run started {report.run.started:%Y-%m-%d %H:%M} UTC · {report.run.duration:.1f} s · '
        f"{report.run.requests} requests"
        + (f" · previous run {report.previous_run:%Y-%m-%d %H:%M} UTC" if report.previous_run else "")
        + "</div>",
        '<div class="counts">',
    ]
    out += [
        f'<span class="{label}">{n} {label.lower()}</span>' for label, n in label_counts(report.run.counts)
    ]
    out.append("</div>")
    newly, fixed, still = (
        report.changed("newly-broken"),
        report.changed("fixed"),
        report.changed("still-broken"),
    )
    out.append('<h2>Changes since the previous run</h2><ul class="changes">')
    if not (newly or fixed or still):
        out.append("<li>None.</li>")
    out += [f'<li><b class="BROKEN">Newly broken</b> {_a(r.url)}</li>' for r in newly]
    out += [f'<li><b class="OK">Fixed</b> {_a(r.url)}</li>' for r in fixed]
    out += [f"<li>Still broken since {day(r.broken_since)}: {_a(r.url)}</li>" for r in still]
    out.append("</ul>")
    out.append(
        '<div class="filters"><label>Verdict <select id="f-verdict">'
        '<option value="all">all</option><option value="problems">problems only</option>'
        + "".join(f'<option value="{v}">{v.lower()}</option>' for v in LABELS)
        + '</select></label><label>Platform <select id="f-platform"><option value="all">all</option>'
        + "".join(f'<option value="{_h(p)}">{_h(p)}</option>' for p in platforms)
        + "</select></label></div>"
    )
    for slug, rows in groups:
        title = report.episode_titles.get(slug, "")
        out.append(
            f'<section class="episode"><h2>{_h(slug)}' + (f" — {_h(title)}" if title else "") + "</h2>"
        )
        out.append(
            "<table><thead><tr><th>Verdict</th><th>Where</th><th>URL</th><th>Reason</th>"
            "<th>Broken since</th><th>Suggested replacement</th></tr></thead><tbody>"
        )
        for r, place in rows:
            label = r.status_label
            problem = "0" if r.verdict in (Verdict.OK, Verdict.EXCLUDED) else "1"
            reason = _h(r.reason) + (f"<br><i>warning: {_h(r.warning)}</i>" if r.warning else "")
            out.append(
                f'<tr data-verdict="{label}" data-platform="{_h(place_kind(place))}" data-problem="{problem}">'
                f'<td class="v {label}">{label}</td><td><code>{_h(place.field)}</code></td>'
                f'<td class="url">{_a(r.url) or "—"}</td><td>{reason}</td><td class="since">{day(r.broken_since)}</td>'
                f'<td class="url">{_a(r.suggestion)}</td></tr>'
            )
        out.append("</tbody></table></section>")
    out.append("</body></html>\n")
    return "\n".join(out)
