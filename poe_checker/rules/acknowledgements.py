"""Customer acknowledgements: every candidate in a package, each judged with a plain reason.

Shared by ``customer_acknowledgement`` (is there a valid one?), ``recency`` (how old is the
newest valid one?) and ``public_sector_disclosure`` (was the disclosure acknowledged?), so the
three rules never disagree about what counts.

A candidate is a signature mark (e-signature record, PDF digital signature, wet ink, typed
name, pasted image) or an email. Each ends up ``valid``, ``rejected`` (with why) or
``undecided`` (a person must look, with why).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from .. import knowledge
from ..reading import approvals
from ..model import Anchor, Claim, Document, Email, Evidence, Package, Signature, trust_words
from ..parties import name_pattern, registrable_domain, same_organisation
from ..workloads import catalogue, claimed
from .support import quote

Outcome = Literal["valid", "rejected", "undecided"]
Side = Literal["customer", "partner", "third_party", "unknown"]


@dataclass(frozen=True)
class Acknowledgement:
    kind: Literal["signature", "email"]
    outcome: Outcome
    reason: str
    """Plain words: why it counts, or why not."""
    document: Document
    where: Anchor
    on: dt.date | None
    who: str
    signature: Signature | None = None

    @property
    def evidence(self) -> Evidence:
        return Evidence.at(self.document, self.where)


@dataclass(frozen=True)
class _Cues:
    customer_labels: re.Pattern[str]
    partner_labels: re.Pattern[str]
    behalf_of: re.Pattern[str]
    named_person: re.Pattern[str]
    not_a_name_line: re.Pattern[str]
    role_line: re.Pattern[str]
    record_not_poe: re.Pattern[str]
    record_poe: re.Pattern[str]


@functools.cache
def _cues() -> _Cues:
    cfg = knowledge.load("acknowledgement")

    return _Cues(
        customer_labels=re.compile(cfg["customer_labels"], re.IGNORECASE),
        partner_labels=re.compile(cfg["partner_labels"], re.IGNORECASE),
        behalf_of=re.compile(cfg["behalf_of"]),
        named_person=re.compile(cfg["named_person"]),
        not_a_name_line=re.compile(cfg["not_a_name_line"]),
        role_line=re.compile(cfg["role_line"]),
        record_not_poe=re.compile(cfg["record_not_poe"], re.IGNORECASE),
        record_poe=re.compile(cfg["record_poe"], re.IGNORECASE),
    )


@functools.lru_cache(maxsize=64)
def acknowledgements(package: Package, claim: Claim) -> tuple[Acknowledgement, ...]:
    """All candidates, newest first within each outcome. Memoised: three rules ask."""
    people = _people(package, claim)
    copies = _copies(package)
    found: list[Acknowledgement] = []
    for doc in package.readable:
        for sig in doc.signatures:
            found.append(_judge_signature(doc, sig, claim, people, copies.get(id(sig), 0), package))
        if doc.email is not None:
            found.append(_judge_email(doc, doc.email, claim))
    order = {"valid": 0, "undecided": 1, "rejected": 2}
    found.sort(key=lambda a: (order[a.outcome], -(a.on.toordinal() if a.on else 0)))
    return tuple(found)


def valid(package: Package, claim: Claim) -> tuple[Acknowledgement, ...]:
    return tuple(a for a in acknowledgements(package, claim) if a.outcome == "valid")


# ---- signatures -----------------------------------------------------------------------------

_COPY_BITS = 4
"""dHash bits two signature rasters may differ by and still be the same picture (rescaling, JPEG)."""


def _copies(package: Package) -> dict[int, int]:
    """For each signature with a fingerprint (by id), how many other signatures of the package,
    in any of its documents, show the same raster: a copied signature."""
    printed = [(sig, int(sig.fingerprint, 16)) for doc in package.readable for sig in doc.signatures
               if sig.fingerprint]
    out: dict[int, int] = {}
    for sig, fp in printed:
        twins = sum(1 for other, ofp in printed if other is not sig and bin(fp ^ ofp).count("1") <= _COPY_BITS)
        if twins:
            out[id(sig)] = twins
    return out


@dataclass(frozen=True)
class _People:
    customer: frozenset[str]
    partner: frozenset[str]


def _people(package: Package, claim: Claim) -> _People:
    """Names of each side's people, from labelled lines and from who sent which email."""
    cues = _cues()
    customer: set[str] = set()
    partner: set[str] = set()
    for doc in package.readable:
        for page in doc.pages:
            for m in cues.named_person.finditer(page.text):
                line_start = page.text.rfind("\n", 0, m.start()) + 1
                line = page.text[line_start:m.start("name")]
                if cues.not_a_name_line.search(line):
                    continue
                side = customer if cues.customer_labels.match(m.group("side")) else partner
                side.add(m.group("name").strip().lower())
        mail = doc.email
        if mail is not None and mail.sender is not None and mail.sender.name:
            if same_organisation(mail.sender.address, claim.customer.domain):
                customer.add(mail.sender.name.strip().lower())
    return _People(frozenset(customer), frozenset(partner - customer))


def _side_of(sig: Signature, claim: Claim, people: _People) -> tuple[Side, str]:
    name = (sig.signer_name or "").lower()
    if sig.signer_email:
        if same_organisation(sig.signer_email, claim.customer.domain):
            return "customer", f"signer's email {sig.signer_email} is on the customer's domain"
        if claim.customer.domain:
            if name and _known(name, people.customer) and not same_organisation(sig.signer_email, claim.partner.domain):
                # the customer's named signatory, signing from an address that is not the customer's
                return "unknown", (f"{sig.signer_name} is named as the customer's signatory but signed as "
                                   f"{sig.signer_email}, not on the customer's domain {claim.customer.domain}")
            return "partner", f"signer's email {sig.signer_email} is not on the customer's domain {claim.customer.domain}"
    if name:
        if _known(name, people.customer):
            return "customer", f"{sig.signer_name} is named as the customer's signatory"
        if _known(name, people.partner):
            return "partner", f"{sig.signer_name} is named as the partner's person"
        if name_pattern(claim.customer.name).search(name):
            return "customer", "signed in the customer's company name"
        if name_pattern(claim.partner.name).search(name):
            return "partner", "signed in the partner's company name"
    org = sig.certificate.organisation if sig.certificate else None
    if org:
        if name_pattern(claim.customer.name).search(org):
            return "customer", f"the signing certificate is issued to the customer's organisation ({org})"
        if name_pattern(claim.partner.name).search(org):
            return "partner", f"the signing certificate is issued to the partner's organisation ({org})"
    if sig.block is not None and sig.block.heading:
        side = _side_from_heading(sig.block.heading, claim)
        if side is not None:
            return side
    return _side_from_labels(sig, claim)


def _side_from_heading(heading: str, claim: Claim) -> tuple[Side, str] | None:
    """The side a signature block's heading names: the company ("For and on behalf of Contoso
    Ltd"), else the role ("Customer", "Client" / "Supplier", "Partner"), else a third party when
    it signs on behalf of an organisation that is neither. None when it names no side, or both
    (then the signer's other marks must tell)."""
    cues = _cues()
    why = f"its block is headed \"{' '.join(heading.split())[:80]}\""
    for customer, partner in ((name_pattern(claim.customer.name), name_pattern(claim.partner.name)),
                              (cues.customer_labels, cues.partner_labels)):
        is_customer, is_partner = bool(customer.search(heading)), bool(partner.search(heading))
        if is_customer != is_partner:
            return ("customer" if is_customer else "partner"), why
        if is_customer and is_partner:
            return None
    if (org := cues.behalf_of.search(" ".join(heading.split()))) is not None:
        return "third_party", _third_party(org.group("org"), claim)
    return None


def _third_party(org: str, claim: Claim) -> str:
    return (f"its block is signed on behalf of {' '.join(org.split())}, which is neither the customer "
            f"({claim.customer.name}) nor the partner")


def _known(name: str, names: frozenset[str]) -> bool:
    return any(fuzz.token_sort_ratio(name, n) >= 90 for n in names)


def _side_from_labels(sig: Signature, claim: Claim) -> tuple[Side, str]:
    """The label nearest before the mark decides: "Customer Acknowledgment", "For Fabrikam:" ...

    Lines that give a person's role or title ("Title: Principal Consultant") are not labels."""
    cues = _cues()
    before = sig.context[: max(0, sig.context.find(sig.where.text))] if sig.where.text in sig.context \
        else sig.context
    before = cues.role_line.sub(lambda m: " " * len(m.group()), before)
    best: tuple[int, Side, str] | None = None
    for side, pattern in (("customer", cues.customer_labels), ("partner", cues.partner_labels),
                          ("customer", name_pattern(claim.customer.name)),
                          ("partner", name_pattern(claim.partner.name))):
        for m in pattern.finditer(before):
            if best is None or m.start() > best[0]:
                best = (m.start(), side, m.group())  # type: ignore[assignment]
    # a line "For Microsoft Corporation" (or "On behalf of ...") nearer the mark than any label: a
    # third party signs
    behalf = [(line.start(), org.group("org")) for line in re.finditer(r"[^\n]+", before)
              if (org := cues.behalf_of.match(line.group().strip())) is not None]
    if behalf and (best is None or behalf[-1][0] > best[0]):
        return "third_party", _third_party(behalf[-1][1], claim)
    if best is None:
        return "unknown", "nothing near the signature says whose it is"
    return best[1], f"it stands under \"{best[2]}\""


def _judge_signature(doc: Document, sig: Signature, claim: Claim, people: _People, copies: int,
                     package: Package) -> Acknowledgement:
    side, why_side = _side_of(sig, claim, people)
    who = sig.signer_name or sig.signer_email or "an unnamed signer"

    def ack(outcome: Outcome, reason: str) -> Acknowledgement:
        return Acknowledgement("signature", outcome, reason, doc, sig.where, sig.signed_on, who, sig)

    if sig.kind == "image":
        copied = f"; the same picture appears {copies + 1} times in the package (likely copy-paste)" if copies else ""
        return ack("rejected", "a signature picture with nothing verifiable behind it; the guide rejects "
                               f"flat or pasted signature images{copied}")
    if sig.kind == "digital" and sig.timestamp_only:
        return ack("rejected", "a document timestamp records when the file existed, not who signed it")
    if sig.kind == "digital" and sig.valid is False:
        return ack("rejected", f"the digital signature of {who} does not hold: {_first_clause(sig.detail)}")
    if sig.valid is False:
        return ack("rejected", f"the {_platform_name(sig) or 'e-signature'} record does not hold: {sig.detail}")
    certified = _certified(doc, sig, package, claim)
    if certified.kind == "other":
        return ack("rejected", f"the {_platform_name(sig) or 'e-signature'} record certifies “{sig.record_of}”, "
                               "a different document from this claim's SOW or POE, so its signatures "
                               "acknowledge nothing of this claim")
    if side == "partner":
        return ack("rejected", f"signed by {who} on the partner's side ({why_side}), not by the customer")
    if side == "third_party":
        return ack("rejected", f"signed by {who}, but {why_side}")
    if sig.kind == "wet" and (doubt := _ocr_doubt(doc, sig)):
        return ack("undecided", doubt)
    if sig.kind == "wet" and copies:
        return ack("undecided", f"ink signed by {who}, but the same signature raster appears {copies + 1} times in "
                                "the package (likely copy-paste): a person should compare the signatures")
    if side == "unknown":
        return ack("undecided", f"signature by {who}, but {why_side}")
    if certified.kind == "unrecognised":
        return ack("undecided", f"the {_platform_name(sig) or 'e-signature'} record signed by {who} certifies "
                                f"“{sig.record_of}”, which is not in the package and whose title does not say it is "
                                "this claim's SOW or POE: a person must check what was signed")
    if sig.kind == "typed":
        return ack("undecided", f"{who}'s name is typed on the customer's signature line; a typed name is not "
                                "a verifiable e-signature")
    if sig.kind == "digital" and sig.valid is None:
        return ack("undecided", f"a digital signature by {who} on the customer's side has not been "
                                f"cryptographically validated ({_first_clause(sig.detail)})")
    how = {"e_signature": f"{_platform_name(sig)} e-signature".strip(), "digital": "valid digital signature",
           "wet": "wet-ink signature"}[sig.kind]
    if sig.kind == "digital":
        # what was verified, and whether the identity is verified or only self-asserted
        return ack("valid", f"{how} by {who} on the customer's side ({why_side}): {_first_clause(sig.detail)}; "
                            f"{trust_words(sig.trusted)}")
    return ack("valid", f"{how} by {who} on the customer's side ({why_side}){certified.words}")


@dataclass(frozen=True)
class _Certified:
    """What a platform record certifies, for the reason given with its signatures."""

    kind: Literal["not_a_record", "itself", "linked", "named_work", "other", "unrecognised"]
    words: str = ""
    """Appended to a valid signature's reason: which document the record was linked to."""


def _certified(doc: Document, sig: Signature, package: Package, claim: Claim) -> _Certified:
    """Link a platform record to the document it certifies: the document it is appended to, a
    package document carrying its envelope id, one whose name or title is the record's title; else
    judge the title itself (a record of an NDA is no acknowledgement of a SOW)."""
    title = sig.record_of
    if title is None:
        return _Certified("not_a_record")
    if doc.doc_type != "signature_certificate":
        return _Certified("itself")
    others = [d for d in package.readable if d is not doc and d.doc_type != "signature_certificate"]
    if sig.envelope_id:
        key = re.sub(r"[^0-9a-z]", "", sig.envelope_id.lower())
        for other in others:
            if any(s.envelope_id and re.sub(r"[^0-9a-z]", "", s.envelope_id.lower()) == key for s in other.signatures) \
                    or key in re.sub(r"[^0-9a-z\n]", "", other.text.lower()):
                return _Certified("linked", f"; the record certifies {other.name} (same envelope id)")
    wanted = _title_key(title)
    numbers = [n for n in re.findall(r"[A-Za-z0-9][A-Za-z0-9/_.-]*[A-Za-z0-9]", title)
               if len(n) >= 5 and any(c.isdigit() for c in n) and not re.fullmatch(r"(?:19|20)\d\d", n)]
    for other in others:
        names = [_title_key(other.name)] + [_title_key(line) for line in other.text.split("\n")[:4] if line.strip()]
        if wanted and any(n and fuzz.token_set_ratio(wanted, n) >= 90 and min(len(wanted), len(n)) >= 8
                          for n in names):
            return _Certified("linked", f"; the record certifies {other.name} (its title “{quote(title, 60)}”)")
        text = other.text
        if (number := next((n for n in numbers if n in text), None)) is not None:
            return _Certified("linked", f"; the record certifies {other.name} (both name {number})")
    cues = _cues()
    if cues.record_not_poe.search(title) and not cues.record_poe.search(title):
        return _Certified("other")
    if cues.record_poe.search(title) or claim.claim_id in title or _names_claimed_work(title, claim):
        return _Certified("named_work", f"; the record certifies “{quote(title, 60)}”, which is not itself in the "
                                        "package")
    return _Certified("unrecognised")


def _title_key(text: str) -> str:
    """A document name or title reduced for comparison: no file extension, case or punctuation."""
    text = re.sub(r"\.(?:pdf|docx?|msg|eml|png|jpe?g|tiff?)$", "", text.strip(), flags=re.IGNORECASE)
    return " ".join(re.findall(r"[0-9a-z]+", text.lower().replace("_", " ")))


def _names_claimed_work(title: str, claim: Claim) -> bool:
    cat = catalogue()
    ids = {claimed(w).id for w in claim.workloads if w.strip()}
    return any(cat.names(cat.by_id[i], title) for i in ids if i in cat.by_id)


def _ocr_doubt(doc: Document, sig: Signature) -> str:
    """Why an OCR'd signature block cannot be decided on (low confidence), or ""."""
    from ..reading.ink import min_confidence

    page = next((p for p in doc.pages if p.number == sig.where.page and p.ocr), None)
    if page is None:
        return ""
    conf = sig.ocr_confidence
    if conf is None and sig.where.span is not None:
        start, end = sig.where.span
        at = page.text.find(sig.signer_name, start, end) if sig.signer_name else -1
        conf = page.confidence_of(at, at + len(sig.signer_name)) if at >= 0 and sig.signer_name \
            else page.mean_confidence
    if conf is None or conf >= min_confidence():
        return ""
    return (f"ink on a scanned signature block, but the scan reads poorly (OCR confidence {conf:.0f}/100), so who "
            "signed cannot be told reliably: a person should read it, or upload a clearer scan")


def _platform_name(sig: Signature) -> str:
    return {"docusign": "DocuSign", "adobe_sign": "Adobe Acrobat Sign", "dropbox_sign": "Dropbox Sign",
            "pandadoc": "PandaDoc", "signnow": "SignNow"}.get(sig.platform or "", "")


def _first_clause(detail: str) -> str:
    return detail.split("; ")[0] if detail else "no detail"


# ---- emails ---------------------------------------------------------------------------------

def _judge_email(doc: Document, mail: Email, claim: Claim) -> Acknowledgement:
    page = doc.pages[0] if doc.pages else None
    sender = str(mail.sender) if mail.sender else "an unknown sender"
    on = mail.sent_at.date() if mail.sent_at else _first_date(doc)

    def ack(outcome: Outcome, reason: str, span: tuple[int, int] | None = None) -> Acknowledgement:
        if page is not None and span is not None:
            where = page.anchor(*span)
        else:
            where = Anchor(None, f"From: {sender} — Subject: {mail.subject}")
        return Acknowledgement("email", outcome, reason, doc, where, on, sender)

    from_customer = mail.sender is not None and same_organisation(mail.sender.address, claim.customer.domain)
    if mail.is_forward:
        return ack("rejected", f"a forwarded email (sent by {sender}); the guide does not accept forwarded "
                               "customer emails")
    if mail.sender is None:
        return ack("rejected", "the email has no sender")
    if claim.customer.domain and not from_customer:
        if _quotes_customer(mail, claim):
            return ack("rejected", f"sent by {sender}, not from the customer's domain "
                                   f"{registrable_domain(claim.customer.domain)}; the customer's own message appears "
                                   "only in the quoted or forwarded history, which the guide does not accept")
        return ack("rejected", f"sent by {sender}, not from the customer's domain "
                               f"{registrable_domain(claim.customer.domain)}")
    verdict, reason, span = _read_body(mail, claim, page)
    if verdict == "explicit" and not claim.customer.domain:
        return ack("undecided", f"{sender} {reason}, but the claim gives no customer domain to check the sender "
                                "against", span)
    if verdict == "explicit":
        return ack("valid", f"{sender} (customer's domain) {reason}", span)
    if verdict == "undecided":
        return ack("undecided", f"email from {sender}: {reason}", span)
    return ack("rejected", f"email from {sender}: {reason}", span)


def _read_body(mail: Email, claim: Claim, page) -> tuple[str, str, tuple[int, int] | None]:
    """What the newly written text does: approves the work (``explicit``), approves it in the name
    of an organisation that may not be the customer (``undecided``), or nothing that counts."""
    findings = approvals.read_message(mail.body_new, subject=mail.subject, quoted=mail.body_quoted)
    if not findings:
        return "none", "it does not accept or approve the described work", _locate(page, mail.body_new, None)
    for f in findings:
        if not f.approves:
            continue
        if f.agent == "organisation":
            if name_pattern(claim.customer.name).search(f.agent_text):
                return "explicit", (f"writes that {f.agent_text} (the customer) {_act_words(f)}: "
                                    f"\"{quote(f.text)}\""), _locate(page, mail.body_new, f)
            if name_pattern(claim.partner.name).search(f.agent_text):
                continue  # "Contoso authorises Fabrikam to proceed": the partner's act is not the customer's
            return "undecided", (f"the approval is given in the name of \"{f.agent_text}\", which is not the "
                                 f"customer's name in the claim ({claim.customer.name}): \"{quote(f.text)}\""), \
                _locate(page, mail.body_new, f)
        via = f" (the thread puts up \"{quote(f.object_text)}\")" if f.object == "thread" else ""
        return "explicit", f"{_act_words(f)}{via}: \"{quote(f.text)}\"", _locate(page, mail.body_new, f)
    order = ["auto_reply", "licensing", "relationship", "disclosure", "not_work", "negated", "conditional", "future", "request",
             "question", "hedged", "other_agent", "no_object", "no_act", "approves"]
    worst = min(findings, key=lambda f: order.index(f.reason) if f.reason in order else len(order))
    where = _locate(page, mail.body_new, worst)
    if worst.reason == "licensing":
        return "licensing", (f"it is about a licensing purchase (\"{quote(worst.text)}\"), which the guide does not "
                             "accept as proof of work"), where
    if worst.reason == "relationship":
        return "ambiguous", (f"the acknowledgement is ambiguous (\"{quote(worst.text)}\"): it accepts a relationship, "
                             "not the described work"), where
    if worst.reason == "approves":  # an approval by the partner's own organisation
        return "none", f"it approves in the partner's name, not the customer's (\"{quote(worst.text)}\")", where
    return "none", f"it does not accept or approve the described work: {worst.explains} (\"{quote(worst.text)}\")", \
        where


_ACT_WORDS = {"approve": "approves the work", "accept": "accepts the work", "authorise": "authorises the work",
              "confirm": "confirms the work", "agree": "agrees to the work", "acknowledge": "acknowledges the work",
              "sign_off": "signs off the work", "go_ahead": "tells the partner to go ahead with the work",
              "complete": "confirms the work was completed"}


def _act_words(f: approvals.Finding) -> str:
    return _ACT_WORDS.get(f.act or "", "approves the work")


def _locate(page, body: str, finding: approvals.Finding | None) -> tuple[int, int] | None:
    """The span on the email's page of a sentence of its new text (the page shows the new text
    first, so offsets are found by searching the sentence)."""
    if page is None:
        return None
    sentence = finding.text.strip() if finding is not None else next((ln.strip() for ln in body.splitlines()
                                                                      if ln.strip()), "")
    if not sentence:
        return None
    start = page.text.find(sentence)
    return (start, start + len(sentence)) if start >= 0 else None


_QUOTED_FROM = re.compile(r"^[ \t>*]*(?:from|von|de|van)\*?[ \t]*:[^\n]*?([\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)",
                          re.IGNORECASE | re.MULTILINE)
_QUOTED_WROTE = re.compile(r"^[ \t>]*on\b[^\n]*?([\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)[^\n]*wrote",
                           re.IGNORECASE | re.MULTILINE)


def _quotes_customer(mail: Email, claim: Claim) -> bool:
    """Whether the quoted history holds a message from the customer's domain (a reply or forward
    by someone else that carries the customer's words)."""
    if not mail.body_quoted or not claim.customer.domain:
        return False
    for pattern in (_QUOTED_FROM, _QUOTED_WROTE):
        for m in pattern.finditer(mail.body_quoted):
            if same_organisation(m.group(1), claim.customer.domain):
                return True
    return False


def _first_date(doc: Document) -> dt.date | None:
    sent = [d.value for d in doc.dates if d.role == "email_sent"]
    return sent[0] if sent else None


__all__ = ["Acknowledgement", "acknowledgements", "valid"]
