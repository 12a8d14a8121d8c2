"""workload_match: every claimed workload is evidenced in the POE.

The guide's core requirement 4 ("connection between workloads mentioned in the POE and what is
being claimed"). A workload is evidenced when a readable document names it (any alias of the
catalogue) outside a tick-box label, or when a ticked box's label names it. The labels of an
UNTICKED template row are excluded from the text: Microsoft's template lists eight security
workloads whatever was done, so reading them as mentions would pass every template.

Readings fixed here: a mention of a part (Teams Rooms) evidences the whole (TEAMS), not the
reverse; a mention only through an ambiguous alias ("IRM") is left to a person (warn); a
workload found nowhere while some pages could not be read (scans without text, poor OCR) is
left to a person too, unless the template shows its row unticked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import Checkbox, CheckResult, Claim, Document, Evidence, Exclusion, Package, Page
from ..reading.tickboxes import Zone, page_zones
from ..workloads import Catalogue, Workload, catalogue, claimed, find_mentions, reading_pages
from . import support
from .support import Hit, quote

RULE = "workload_match"

# Documents that name products without proving any work on them (the guide rejects them as POE).
_NOT_WORK = frozenset({"pricing_quote", "purchase_order", "licensing_contract", "invoice"})


Place = Hit | Evidence
"""A hit is quoted (its line and box looked up) only when it is reported."""


@dataclass
class Finding:
    workload: Workload
    claimed_as: list[str]
    text: list[Place] = field(default_factory=list)
    ticked: list[Place] = field(default_factory=list)
    weak: list[Hit] = field(default_factory=list)
    unticked: list[Place] = field(default_factory=list)
    not_work: list[Place] = field(default_factory=list)
    excluded: list[tuple[Hit, Exclusion]] = field(default_factory=list)
    """Mentions where the document sets the work out of its scope ("Out of scope: ...")."""
    instead: list[tuple[Hit, Workload]] = field(default_factory=list)
    """Mentions of a product named in place of this one (Exchange Server for Exchange Online)."""

    @property
    def evidenced(self) -> bool:
        return bool(self.text or self.ticked)


def check(package: Package, claim: Claim) -> CheckResult:
    if not claim.workloads:
        if claim.claim_kind == "partner_activity":
            return support.not_applicable(RULE, "No workloads are claimed on this partner activity claim.")
        return support.result(
            RULE, "fail", "The claim lists no workloads, so the POE cannot be matched to what is claimed.",
            "Select in Partner Center the workloads your POE describes work on (e.g. INTUNE).")
    readable = package.readable
    if not readable:
        return support.result(
            RULE, "fail", "No document of the POE could be read, so no claimed workload can be found in it.",
            "Upload the POE as a readable PDF, Word document or email that names the claimed workloads.",
            [Evidence(d.name, None, f"could not be read: {d.error}") for d in package.documents])

    cat = catalogue()
    findings = _findings(claim.workloads)
    for doc, page in reading_pages(readable):
        if all(f.text for f in findings):
            break  # all named in the text: later pages cannot change the result
        zones = page_zones(doc, page)
        for finding in findings:
            _scan_page(cat, finding, doc, page, zones)
    for doc in readable:
        for box in doc.checkboxes:
            for finding in findings:
                _scan_checkbox(cat, finding, doc, box)
    return _decide(findings, _unread(readable, cat))


def _findings(names: Iterable[str]) -> list[Finding]:
    by_id: dict[str, Finding] = {}
    for name in names:
        if not name.strip():
            continue
        workload = claimed(name)
        by_id.setdefault(workload.id, Finding(workload, [])).claimed_as.append(name.strip())
    return list(by_id.values())


def _scan_page(cat: Catalogue, finding: Finding, doc: Document, page: Page, zones: list[Zone]) -> None:
    spans = cat.names(finding.workload, page.text)
    if not spans and page.ocr and finding.workload.known:
        spans = _ocr_spans(cat, finding.workload, page.text)
    instead = cat.named_instead(finding.workload.id)
    if instead and not finding.instead and doc.doc_type not in _NOT_WORK:
        finding.instead.extend((Hit(doc, page, m.start, m.end), cat.by_id[m.workload])
                               for m in find_mentions(page.text) if m.workload in instead)
    for start, end, weak in spans:
        hit = Hit(doc, page, start, end)
        zone = next((z for z in zones if z.start < end and start < z.end), None)
        excluded = next((e for e in doc.exclusions if e.holds(page.number, start, end)), None)
        if zone is not None and not zone.checked:
            finding.unticked.append(hit)
        elif excluded is not None:
            finding.excluded.append((hit, excluded))
        elif doc.doc_type in _NOT_WORK:
            finding.not_work.append(hit)
        elif zone is not None and not weak:
            finding.ticked.append(hit)
        elif weak:
            finding.weak.append(hit)
        else:
            finding.text.append(hit)


def _scan_checkbox(cat: Catalogue, finding: Finding, doc: Document, box: Checkbox) -> None:
    """A box whose label names the workload, even when its label is not in the page text."""
    label = box.label or box.where.text
    if not label or not any(not weak for _, _, weak in cat.names(finding.workload, label)):
        return
    evidence = Evidence.at(doc, box.where, label)
    if not box.checked:
        finding.unticked.append(evidence)
    else:
        (finding.not_work if doc.doc_type in _NOT_WORK else finding.ticked).append(evidence)


def _ocr_spans(cat: Catalogue, workload: Workload, text: str) -> list[tuple[int, int, bool]]:
    """OCR garbles names ("lntune"): long, case-insensitive aliases are searched fuzzily."""
    min_chars = cat.settings.get("text_fuzzy_min_chars", 8)
    cutoff = cat.settings.get("ocr_fuzzy_min", 85)
    ids = cat.covering(workload.id)
    # text another product's alias already explains ("Defender for Cloud Apps") is not this one
    taken = [(m.start, m.end) for m in find_mentions(text) if m.workload not in ids]
    out: list[tuple[int, int, bool]] = []
    for wid in ids:
        for alias in cat.by_id[wid].text_aliases():
            if not alias.case_sensitive and not alias.weak and len(alias.text) >= min_chars:
                out.extend((s, e, False) for s, e in cat.find_name(alias.text, text, cutoff=cutoff)
                           if not any(ts < e and s < te for ts, te in taken))
    return out


# ---- pages that could not be read ------------------------------------------------------------

def _unread(documents: Iterable[Document], cat: Catalogue) -> list[Evidence]:
    """Pages a person must look at: no text at all (scans, photos), or OCR too poor to trust."""
    low = cat.settings.get("low_ocr_confidence", 60)
    out = []
    for doc in documents:
        if doc.doc_type in _NOT_WORK:
            continue
        if not doc.pages or not any(p.text.strip() for p in doc.pages):
            if doc.email is None:
                out.append(Evidence(doc.name, None, "no readable text (image or scan without a text layer)"))
            continue
        for page in doc.pages:
            if not page.text.strip():
                out.append(Evidence(doc.name, page.number, "no readable text on this page"))
            elif page.ocr and page.mean_confidence is not None and page.mean_confidence < low:
                out.append(Evidence(doc.name, page.number,
                                    f"text read by OCR with low confidence ({page.mean_confidence:.0f}/100)"))
    return out


# ---- verdict --------------------------------------------------------------------------------

def _label(finding: Finding) -> str:
    name = finding.workload.name
    other = [c for c in finding.claimed_as if c.lower() != name.lower()]
    return f"{name} (claimed as “{other[0]}”)" if other else name


def _decide(findings: list[Finding], unread: list[Evidence]) -> CheckResult:
    failed: list[tuple[Finding, str, str]] = []
    unsure: list[tuple[Finding, str, str]] = []
    for f in findings:
        if f.evidenced:
            continue
        name = f.workload.name
        if f.unticked:
            failed.append((f, "its row in the POE template is there but not ticked, and no document describes work on it",
                           f"Tick {name} in the POE template (Section 1 of Microsoft's template) and describe "
                           f"the work done on it, or remove it from the claim."))
        elif f.excluded:
            hit, exclusion = f.excluded[0]
            where = {"section": f"in the section “{quote(exclusion.cue.text, 50)}”",
                     "label": f"after “{quote(exclusion.cue.text, 50)}:”",
                     "clause": f"in a sentence that says “{quote(exclusion.cue.text, 40)}”"}[exclusion.shape]
            other = (f"; the work it describes is on “{f.instead[0][0].text}”, which is {f.instead[0][1].name}, "
                     f"a different product") if f.instead else ""
            failed.append((f, f"it is named only where the POE sets work out of scope ({where}"
                              + (f", p. {hit.page.number}" if hit.page.number else "") + ")" + other,
                           f"If {name} was part of the work, describe it in the scope of work (what was deployed or "
                           f"configured, for how many users or devices); a product listed as out of scope or for a "
                           f"future phase is not evidence. Otherwise remove it from the claim."))
        elif f.instead:
            hit, other = f.instead[0]
            failed.append((f, f"the POE names only “{hit.text}”, which is {other.name}, a different product "
                              f"from {name}",
                           f"If the work was on {name}, describe it by that name in the scope of work (what was "
                           f"deployed or migrated, for how many users); otherwise remove {name} from the claim."))
        elif f.weak:
            alias = f.weak[0].text
            unsure.append((f, f"it is named only as “{alias}”, which can also mean another product",
                           f"Write the full product name ({name}) where the POE describes the work on it."))
        elif f.not_work:
            failed.append((f, "it is named only in a quote, order, licensing document or invoice, which does not show work",
                           f"Describe the work done on {name} in the scope of work (what was deployed or configured, "
                           f"for how many users or devices), or remove it from the claim."))
        elif unread:
            unsure.append((f, "it is not named in the text that could be read, and some pages could not be read",
                           f"Upload a text PDF or a clearer scan of the unreadable pages, or a document that names {name} "
                           f"and describes the work done on it."))
        else:
            failed.append((f, "no document names it",
                           f"Describe the work done on {name} in the scope of work (what was deployed or configured, "
                           f"for how many users or devices), or remove it from the claim."))

    found = [f for f in findings if f.evidenced]
    evidence: list[Evidence] = []
    for f in findings:  # one place per workload first, so the cap of 12 keeps every workload
        first = (f.ticked or f.text)[:1] or f.unticked[:1] or [h for h, _ in f.excluded[:1]] \
            or [h for h, _ in f.instead[:1]] or f.weak[:1] or f.not_work[:1]
        evidence.extend(_quoted(p) for p in first)
    for f in findings:
        if f.ticked and f.text:
            evidence.append(_quoted(f.text[0]))
    found_text = "; ".join(_how_found(f) for f in found)

    if not failed and not unsure:
        return support.result(RULE, "pass", f"Every claimed workload is evidenced in the POE: {found_text}.",
                              evidence=evidence)
    problems = failed + unsure
    message = "Not evidenced in the POE: " + "; ".join(f"{_label(f)}: {why}" for f, why, _ in problems) + "."
    if found:
        message += f" Evidenced: {found_text}."
    fix = " ".join(dict.fromkeys(fix for _, _, fix in problems))
    if failed:
        return support.result(RULE, "fail", message, fix, evidence)
    if any(why.startswith("it is not named in the text") for _, why, _ in unsure):
        evidence.extend(unread)
    return support.result(RULE, "warn", message + " A person must check.", fix, evidence)


def _quoted(place: Place) -> Evidence:
    return place.evidence() if isinstance(place, Hit) else place


def _how_found(f: Finding) -> str:
    where = []
    if f.ticked:
        where.append("ticked in the POE template")
    if f.text:
        first = _quoted(f.text[0])
        where.append(f"named in {first.document}" + (f" p. {first.page}" if first.page else "")
                     + f" (“{quote(first.text, 60)}”)")
    return f"{_label(f)}: " + " and ".join(where)
