"""A self-contained HTML page: no external scripts, styles or fonts (inline CSS, one
inline script, an inline SVG chart).

What it offers a maintainer: a banner when the network was down or degraded, the
counts (click one to filter), a chart of broken/suspect/OK links over the recorded
runs (from the history database), the changes since the previous run, an index of
the episodes with problems, and one table of every link with a search box, sortable
columns, filters by verdict, platform and episode (OK and excluded rows hidden until
asked for), and each result's evidence (the request chain) on demand. Filters, search
and sorting can be preset from the address: ``links.html#verdict=BROKEN&platform=youtube
&episode=SLUG&q=TEXT&sort=field&dir=desc``.

Every value from an episode file or a server is escaped (``escaping.py``): markup is
shown, never run, and only http(s) URLs become links.
"""

from __future__ import annotations

import json
from html import escape

from feedtool.links.model import Report, Result, RunPoint
from feedtool.links.report.common import (
    LABELS,
    SUSPECT,
    day,
    label_counts,
    natural_key,
    place_kind,
    rows_by_label,
)
from feedtool.links.report.escaping import is_web_url, link_target, show_controls
from feedtool.links.verdict import Verdict

_COLOURS = {"BROKEN": "#b3261e", SUSPECT: "#d9730d", "OK": "#1a7f37"}

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d232a;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px}
.meta{color:#57606a;margin-bottom:12px}
.banner{padding:10px 14px;border-radius:6px;margin:10px 0;font-size:15px}
.banner.down{background:#ffebe9;border:1px solid #b3261e}.banner.degraded{background:#fff8c5;border:1px solid #9a6700}
.counts span{display:inline-block;margin:0 8px 6px 0;padding:3px 8px;border-radius:10px;background:#eaeef2;cursor:pointer}
.counts span.active{outline:2px solid #0969da}
figure.chart{margin:8px 0 4px}figure.chart figcaption{color:#57606a;font-size:12px}
svg.chart text{font:12px system-ui,sans-serif;fill:#57606a}svg.chart .value{font-weight:700}
svg.chart polyline{fill:none;stroke-width:2}
.filters{position:sticky;top:0;z-index:1;background:#fafbfc;padding:8px 0;border-bottom:1px solid #d0d7de}
.filters label{margin-right:14px}.filters input{width:260px;padding:3px 6px}
#f-count{color:#57606a}
details.index{margin:10px 0}details.index ol{columns:2;margin:6px 0}details.index li{margin:1px 0;break-inside:avoid}
details.index .n{font-weight:700;margin-left:4px}
button.ep{border:0;background:none;padding:0;color:#0969da;cursor:pointer;font:inherit;text-decoration:underline}
table{border-collapse:collapse;width:100%;margin:8px 0;background:#fff}
th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f0f3f6;font-weight:600;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.url{word-break:break-all;min-width:170px;max-width:320px}
td.since,td code{white-space:nowrap}
.v{font-weight:700;white-space:nowrap}
.BROKEN{color:#b3261e}.SUSPECT{color:#d9730d}.REDIRECTED{color:#8250df}.UNKNOWN{color:#6e7781}
.MISSING{color:#9a6700}.INVALID{color:#b3261e}.OK{color:#1a7f37}.EXCLUDED{color:#8c959f}
button.ev{margin-left:6px;font-size:11px;padding:0 5px;cursor:pointer}
tr.evidence td{background:#f6f8fa;font-size:12px}tr.evidence ol{margin:2px 0}
.changes li{margin:2px 0}.hidden{display:none}#evidence{display:none}
"""

# One script, no inline handlers: filters, search, sorting, evidence, and the address presets.
_JS = """
(function(){
var rows=[], RANK=%(ranks)s, SETTLED={OK:1,EXCLUDED:1};
var collator=new Intl.Collator(undefined,{numeric:true,sensitivity:'base'});
function $(id){return document.getElementById(id);}
function cellText(tr,i){return tr.cells[i]?tr.cells[i].textContent:'';}
function apply(){
  var v=$('f-verdict').value, p=$('f-platform').value, e=$('f-episode').value;
  var q=$('f-search').value.trim().toLowerCase(), shown=0;
  rows.forEach(function(r){
    var d=r.tr.dataset;
    var ok=(v==='all'||d.verdict===v||(v==='problems'&&!SETTLED[d.verdict]))
      &&(p==='all'||d.platform===p)&&(e==='all'||d.episode===e)&&(!q||r.text.indexOf(q)>=0);
    r.tr.classList.toggle('hidden',!ok);
    if(r.ev){r.ev.classList.toggle('hidden',!ok);}
    if(ok){shown++;}
  });
  $('f-count').textContent='showing '+shown+' of '+rows.length+' rows';
  document.querySelectorAll('.counts span').forEach(function(s){s.classList.toggle('active',s.classList[0]===v);});
}
function sortBy(key,dir){
  var th=document.querySelector('th[data-key="'+key+'"]'); if(!th){return;}
  var col=th.cellIndex, sign=dir==='desc'?-1:1;
  document.querySelectorAll('th[data-key]').forEach(function(h){h.removeAttribute('aria-sort');});
  th.setAttribute('aria-sort',dir==='desc'?'descending':'ascending');
  rows.forEach(function(r,i){r.k=key==='verdict'?RANK[r.tr.dataset.verdict]:cellText(r.tr,col);r.i=i;});
  rows.sort(function(a,b){var c=key==='verdict'?(a.k-b.k):collator.compare(a.k,b.k);return sign*c||a.i-b.i;});
  var body=$('links').tBodies[0];
  rows.forEach(function(r){body.appendChild(r.tr);if(r.ev){body.appendChild(r.ev);}});
}
function toggleEvidence(btn){
  var tr=btn.closest('tr'), r=tr._row;
  if(r.ev){r.ev.remove();r.ev=null;btn.textContent='evidence';return;}
  var src=$('ev-'+tr.dataset.ev), row=document.createElement('tr'), td=document.createElement('td');
  row.className='evidence'; td.colSpan=tr.cells.length; td.appendChild(src.cloneNode(true)); td.firstChild.removeAttribute('id');
  row.appendChild(td); tr.after(row); r.ev=row; btn.textContent='hide evidence';
}
function fromHash(){
  var opts={};
  location.hash.replace(/^#/,'').split('&').forEach(function(kv){
    var i=kv.indexOf('='); if(i>0){opts[kv.slice(0,i)]=decodeURIComponent(kv.slice(i+1).replace(/\\+/g,' '));}
  });
  ['verdict','platform','episode'].forEach(function(k){
    var el=$('f-'+k); if(opts[k]&&el.querySelector('option[value="'+CSS.escape(opts[k])+'"]')){el.value=opts[k];}
  });
  if(opts.q!==undefined){$('f-search').value=opts.q;}
  if(opts.sort){sortBy(opts.sort,opts.dir||'asc');}
  apply();
}
document.addEventListener('DOMContentLoaded',function(){
  var table=$('links'); if(!table){return;}
  Array.prototype.forEach.call(table.tBodies[0].rows,function(tr){
    var r={tr:tr,text:tr.textContent.toLowerCase(),ev:null}; tr._row=r; rows.push(r);
  });
  ['f-verdict','f-platform','f-episode'].forEach(function(id){$(id).addEventListener('change',apply);});
  $('f-search').addEventListener('input',apply);
  document.querySelectorAll('th[data-key]').forEach(function(th){
    th.addEventListener('click',function(){
      sortBy(th.dataset.key,th.getAttribute('aria-sort')==='ascending'?'desc':'asc');
    });
  });
  document.querySelectorAll('.counts span').forEach(function(s){
    s.addEventListener('click',function(){$('f-verdict').value=s.classList[0];apply();});
  });
  table.addEventListener('click',function(ev){
    var btn=ev.target.closest('button.ev'); if(btn){toggleEvidence(btn);}
  });
  document.querySelectorAll('button.ep').forEach(function(b){
    b.addEventListener('click',function(){
      $('f-episode').value=b.dataset.episode; $('f-verdict').value='all'; apply(); table.scrollIntoView();
    });
  });
  window.addEventListener('hashchange',fromHash);
  fromHash();
});
})();
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
    # no rel: a link without a target opens no window to hold an opener, and the page's
    # referrer policy (no-referrer) covers every link: 60 bytes a row saved on 5,000 rows
    return f'<a href="{escape(link_target(url))}">{_h(url)}</a>'


def _banner(report: Report) -> str:
    network = report.run.network
    if network.is_down:
        return (
            '<div class="banner down" role="alert"><b>Network down: nothing was checked</b> '
            f"({_h(network.reason)}). Every link not checked is UNKNOWN, none is called broken, and "
            "the run exits 5 (inconclusive).</div>"
        )
    if network.state == "degraded":
        return (
            f'<div class="banner degraded" role="alert"><b>Network degraded</b>: {_h(network.reason)}.</div>'
        )
    return ""


def chart(points: tuple[RunPoint, ...]) -> str:
    """Inline SVG: broken, suspect and OK links per recorded run, one line each on its own
    scale (a handful of broken links would vanish on the scale of thousands of OK ones).
    Nothing for fewer than two runs: one point is not a trend."""
    if len(points) < 2:
        return ""
    width, left, right, row, top = 640, 130, 16, 48, 8
    series = (("BROKEN", "broken", "broken"), (SUSPECT, "suspect", "suspect"), ("OK", "ok", "OK"))
    span = width - left - right
    step = span / (len(points) - 1)
    height = top + row * len(series) + 22
    out = [
        f'<figure class="chart"><svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="broken, suspect and OK links over the last {len(points)} runs">'
    ]
    for n, (label, attr, word) in enumerate(series):
        values = [getattr(p, attr) for p in points]
        peak = max(max(values), 1)
        base = top + row * (n + 1) - 8
        colour = _COLOURS[label]
        xy = [(left + i * step, base - (value / peak) * (row - 16)) for i, value in enumerate(values)]
        out.append(f'<g class="series {label}" data-label="{label}">')
        out.append(
            f'<text x="0" y="{base - 4:.0f}">{escape(word)}</text>'
            f'<text class="value" x="{left - 12}" y="{base - 4:.0f}" text-anchor="end" '
            f'fill="{colour}">{values[-1]}</text>'
        )
        out.append(
            f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#d0d7de"/>'
            f'<polyline stroke="{colour}" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>'
        )
        for (x, y), point, value in zip(xy, points, values, strict=True):
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{point.started:%Y-%m-%d %H:%M} UTC: {value} {escape(word)}</title></circle>"
            )
        out.append("</g>")
    first, last = points[0].started, points[-1].started
    out.append(
        f'<text x="{left}" y="{height - 4}">{first:%Y-%m-%d %H:%M}</text>'
        f'<text x="{width - right}" y="{height - 4}" text-anchor="end">{last:%Y-%m-%d %H:%M} UTC</text></svg>'
        f"<figcaption>Broken (confirmed), suspect and OK links over the last {len(points)} recorded runs, "
        "each on its own scale; the number is the latest run's.</figcaption></figure>"
    )
    return "".join(out)


def _evidence(result: Result) -> str:
    """The request chain of one result, as an ordered list the page shows on demand."""
    ev = result.evidence
    assert ev is not None and ev.chain
    hops = "".join(  # the link itself is in its row: named, not repeated (a fifth of the page)
        f"<li>{escape(hop.method)} {hop.status if hop.status is not None else 'no answer'} "
        f"{'the link' if hop.url == result.url else _h(hop.url)}</li>"
        for hop in ev.chain
    )
    attempts = f", {ev.attempts} attempts" if ev.attempts > 1 else ""
    return f"<ol>{hops}<li>probe {_h(ev.probe)}, {ev.elapsed:.3f} s{attempts}: {_h(ev.reason)}</li></ol>"


def render(report: Report, *, full: bool = False) -> str:
    """Every link, whatever ``full`` says (OK rows are hidden by the page until asked for)."""
    sections = rows_by_label(report)
    rows = [row for label in LABELS for row in sections[label]]
    episodes = sorted({place.episode for _, place in rows}, key=natural_key)
    platforms = sorted({place_kind(place) for _, place in rows})
    problems: dict[str, dict[str, int]] = {}
    for result, place in rows:
        if result.verdict not in (Verdict.OK, Verdict.EXCLUDED):
            tally = problems.setdefault(place.episode, {})
            tally[result.status_label] = tally.get(result.status_label, 0) + 1
    run = report.run
    out = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        "<title>Link health report</title>",
        f"<style>{_CSS}</style>",
        f"<script>{_JS % {'ranks': json.dumps({label: rank for rank, label in enumerate(LABELS)})}}</script>",
        "</head><body>",
        "<h1>Link health report</h1>",
        _banner(report),
        f'<div class="meta">Run started {run.started:%Y-%m-%d %H:%M} UTC · {run.duration:.1f} s · '
        f"{run.requests} requests ({run.answered} answered)"
        + (f" · previous run {report.previous_run:%Y-%m-%d %H:%M} UTC" if report.previous_run else "")
        + "</div>",
        '<div class="counts">',
    ]
    out += [f'<span class="{label}">{n} {label.lower()}</span>' for label, n in label_counts(run.counts)]
    out.append("</div>")
    out.append(chart(report.history))
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
    if problems:
        out.append(
            f'<details class="index" open><summary>Episodes with problems ({len(problems)})</summary><ol>'
        )
        for slug in sorted(problems, key=natural_key):
            title = report.episode_titles.get(slug, "")
            badges = "".join(
                f'<span class="n {label}">{problems[slug][label]} {label.lower()}</span>'
                for label in LABELS
                if label in problems[slug]
            )
            out.append(
                f'<li><button class="ep" type="button" data-episode="{_h(slug)}">{_h(slug)}</button>'
                + (f" — {_h(title)}" if title else "")
                + f" {badges}</li>"
            )
        out.append("</ol></details>")
    out.append(
        '<div class="filters"><label>Search <input type="search" id="f-search" '
        'placeholder="URL, episode, field or reason" autocomplete="off"></label>'
        '<label>Verdict <select id="f-verdict">'
        '<option value="problems">problems (no OK)</option><option value="all">all</option>'
        + "".join(f'<option value="{v}">{v.lower()}</option>' for v in LABELS)
        + '</select></label><label>Platform <select id="f-platform"><option value="all">all</option>'
        + "".join(f'<option value="{_h(p)}">{_h(p)}</option>' for p in platforms)
        + '</select></label><label>Episode <select id="f-episode"><option value="all">all</option>'
        + "".join(f'<option value="{_h(slug)}">{_h(slug)}</option>' for slug in episodes)
        + '</select></label><span id="f-count"></span></div>'
    )
    out.append(
        '<table id="links"><thead><tr><th data-key="verdict">Verdict</th><th data-key="episode">Episode</th>'
        '<th data-key="field">Field</th><th data-key="url">URL</th><th data-key="reason">Reason</th>'
        '<th data-key="since">Broken since</th><th data-key="suggestion">Use instead</th></tr></thead><tbody>'
    )
    evidence_ids: dict[int, int] = {}
    for result, place in rows:
        label = result.status_label
        reason = _h(result.reason) + (f"<br><i>warning: {_h(result.warning)}</i>" if result.warning else "")
        ev = ""
        if result.evidence is not None and result.evidence.chain:
            number = evidence_ids.setdefault(id(result), len(evidence_ids))
            ev = f' data-ev="{number}"'
            reason += '<button class="ev" type="button">evidence</button>'
        out.append(
            f'<tr data-verdict="{label}" data-platform="{_h(place_kind(place))}" '
            f'data-episode="{_h(place.episode)}"{ev}>'
            f'<td class="v {label}">{label}</td><td>{_h(place.episode)}</td><td><code>{_h(place.field)}</code></td>'
            f'<td class="url">{_a(result.url) or "—"}</td><td>{reason}</td>'
            f'<td class="since">{day(result.broken_since)}</td><td class="url">{_a(result.suggestion)}</td></tr>'
        )
    out.append("</tbody></table>")
    by_id = {id(r): r for r, _ in rows}
    out.append('<div id="evidence">')
    out += [f'<div id="ev-{number}">{_evidence(by_id[key])}</div>' for key, number in evidence_ids.items()]
    out.append("</div>")
    out.append(
        '<p class="meta">Every link is in this page; OK and excluded ones show with the verdict filter '
        "set to all or to their verdict. The JSON report (<code>feedtool links --format json</code>) has "
        "the same data for tools.</p>"
    )
    out.append("</body></html>\n")
    return "\n".join(part for part in out if part)
