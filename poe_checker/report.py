"""Renderings of a verdict for people: plain text for the terminal, one self-contained HTML page.

Front ends (CLI, service) only choose a rendering; the wording lives here once.
"""

from __future__ import annotations

import html

from .model import CheckResult, Evidence
from .verdict import Verdict

TITLES = {
    "customer_acknowledgement": "Customer acknowledgement",
    "party_names": "Partner and customer names",
    "activity_detail": "Activities described in detail",
    "workload_match": "Claimed workloads evidenced",
    "recency": "Dates (12-month window)",
    "invoice": "Invoice",
    "public_sector_disclosure": "Public sector fee disclosure",
    "document_type": "Acceptable kind of document",
}
MARKS = {"pass": "✓", "fail": "✗", "warn": "?", "not_applicable": "–"}
WORDS = {"pass": "pass", "fail": "FAIL", "warn": "CHECK", "not_applicable": "n/a"}
HEADLINES = {
    "pass": "ready to submit",
    "review": "a person must check the points marked ?",
    "fail": "fix the points marked ✗ before you submit",
}


def where(ev: Evidence) -> str:
    page = f", page {ev.page}" if ev.page else ""
    return f"{ev.document}{page}"


def to_text(verdict: Verdict) -> str:
    lines = [f"POE check for claim {verdict.claim_id}: {verdict.verdict.upper()} (score {verdict.score}/100) — "
             f"{HEADLINES[verdict.verdict]}", ""]
    ordered = sorted(verdict.checks, key=lambda c: ("fail", "warn", "pass", "not_applicable").index(c.status))
    for check in ordered:
        lines.extend(_text_check(check))
    lines.append("Documents:")
    for doc in verdict.package.documents:
        pages = f", {doc.page_count} page(s)" if doc.page_count else ""
        state = f"NOT READ: {doc.error}" if doc.error else f"{doc.doc_type.replace('_', ' ')}{pages}"
        lines.append(f"  {doc.name}: {state}")
        lines.extend(f"    note: {note}" for note in doc.notes)
    return "\n".join(lines) + "\n"


def _text_check(check: CheckResult) -> list[str]:
    out = [f"{MARKS[check.status]} {TITLES[check.rule]} [{check.rule}]: {WORDS[check.status]}",
           f"    {check.message}"]
    if check.fix:
        out.append(f"    What to do: {check.fix}")
    for ev in check.evidence[: 3 if check.status == "pass" else 6]:
        out.append(f"    - {where(ev)}: \"{' '.join(ev.text.split())[:160]}\"")
    out.append("")
    return out


def to_html(verdict: Verdict) -> str:
    esc = html.escape
    rows = []
    for check in verdict.checks:
        evidence = "".join(
            f"<li><span class=where>{esc(where(ev))}</span> <q>{esc(' '.join(ev.text.split())[:300])}</q></li>"
            for ev in check.evidence)
        fix = f"<p class=fix><b>What to do:</b> {esc(check.fix)}</p>" if check.fix else ""
        rows.append(
            f"<section class='check {check.status}'><h2><span class=mark>{MARKS[check.status]}</span> "
            f"{esc(TITLES[check.rule])} <small>{esc(check.rule)} · {WORDS[check.status]}</small></h2>"
            f"<p>{esc(check.message)}</p>{fix}{f'<ul>{evidence}</ul>' if evidence else ''}</section>")
    docs = "".join(
        f"<tr><td>{esc(d.name)}</td><td>{esc(d.doc_type.replace('_', ' '))}</td><td>{d.page_count or ''}</td>"
        f"<td>{esc(d.error or '')}</td></tr>" for d in verdict.package.documents)
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><title>POE check {esc(verdict.claim_id)}</title>
<style>
body{{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}}
.verdict{{padding:1rem;border-radius:6px;font-size:1.2rem}} .verdict.pass{{background:#e3f4e3}}
.verdict.review{{background:#fff4d6}} .verdict.fail{{background:#fde3e3}}
.check{{border-left:5px solid #bbb;padding:.2rem 1rem;margin:1rem 0}} .check.pass{{border-color:#2e7d32}}
.check.fail{{border-color:#c62828}} .check.warn{{border-color:#ef8f00}} .check h2{{font-size:1.05rem}}
.fix{{background:#f5f5f5;padding:.5rem}} small{{color:#666;font-weight:normal}} .where{{color:#555}}
table{{border-collapse:collapse}} td,th{{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}}
</style></head><body>
<h1>POE check — claim {esc(verdict.claim_id)}</h1>
<p class='verdict {verdict.verdict}'><b>{verdict.verdict.upper()}</b> · score {verdict.score}/100 ·
{esc(HEADLINES[verdict.verdict])}</p>
{''.join(rows)}
<h2>Documents</h2><table><tr><th>File</th><th>Kind</th><th>Pages</th><th>Problem</th></tr>{docs}</table>
</body></html>
"""
