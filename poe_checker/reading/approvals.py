"""Approvals in written sentences: who does what to which object, and how firmly.

A customer writes "Fabrikam Ltd accepts the statement of work", "OK to proceed.", "Please go
ahead with the programme as described" or "We cannot approve this yet". Each sentence is read
into a :class:`Finding`: the act (approve, accept, authorise, confirm, agree, acknowledge, sign
off, go ahead, complete), its agent (the writer, an organisation named in the third person, the
person addressed, or someone else), its object (the work, a reference to it, something only the
thread names, or something else: licences, an invoice, a relationship), its polarity and its
modality (asserted, conditional, future, question, request, hedged), with a reason code.

Words are compared as lemmas (spaCy's English lookup table from ``spacy-lookups-data``, offline),
so "approves", "approved" and "approving" need no pattern of their own; the vocabulary lives in
``knowledge/approvals.toml``. This module knows nothing of the claim: whether the organisation
that accepts is the customer is the rules' call.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Literal

from .. import knowledge, nlp

Act = Literal["approve", "accept", "authorise", "confirm", "agree", "acknowledge", "sign_off", "go_ahead",
              "complete"]
Agent = Literal["writer", "organisation", "addressee", "other", "none"]
ObjectKind = Literal["work", "reference", "thread", "licensing", "not_work", "relationship", "disclosure", "none"]
Modality = Literal["asserted", "conditional", "future", "question", "request", "hedged"]

REASONS: dict[str, str] = {
    "approves": "approves the work",
    "no_act": "says nothing that approves, accepts or confirms anything",
    "negated": "the approval is negated",
    "conditional": "the approval depends on a condition",
    "future": "the approval is only announced or intended, not given",
    "question": "it asks a question rather than approving",
    "request": "it asks for an approval rather than giving one",
    "hedged": "the approval is hedged",
    "other_agent": "someone other than the writer approves",
    "no_object": "it does not say what is approved",
    "licensing": "it is about licences or an order, not the described work",
    "not_work": "it approves something other than the described work",
    "relationship": "it accepts a relationship, not the described work",
    "disclosure": "it acknowledges the partner's fee disclosure",
    "auto_reply": "it is an automatic reply",
}
"""Reason code -> plain words, for messages."""


@dataclass(frozen=True, slots=True)
class Finding:
    """What one sentence does, as far as approval goes."""

    text: str
    span: tuple[int, int]
    """The sentence's character span in the text it was read from."""
    act: Act | None
    agent: Agent
    agent_text: str
    """The organisation as written when ``agent == "organisation"`` ("Fabrikam Ltd"), else ""."""
    object: ObjectKind
    object_text: str
    polarity: Literal["positive", "negative"]
    modality: Modality
    reason: str
    """A key of :data:`REASONS`."""
    trigger: str = ""

    @property
    def approves(self) -> bool:
        return self.reason == "approves"

    @property
    def acknowledges_disclosure(self) -> bool:
        return self.reason == "disclosure"

    @property
    def explains(self) -> str:
        return REASONS[self.reason]


# ---- vocabulary -----------------------------------------------------------------------------

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class _Vocab:
    verbs: dict[Phrase, str]
    nouns: dict[Phrase, str]
    short: frozenset[Phrase]
    negation: frozenset[Phrase]
    not_negation: frozenset[Phrase]
    revocation: frozenset[Phrase]
    pending: frozenset[Phrase]
    current_referent: frozenset[Phrase]
    performative: frozenset[str]
    conditional: frozenset[Phrase]
    future: frozenset[Phrase]
    request: frozenset[Phrase]
    affirmative: frozenset[str]
    hedge: frozenset[Phrase]
    writer: frozenset[Phrase]
    addressee: frozenset[str]
    others: frozenset[str]
    writer_possessive: frozenset[str]
    objects: dict[Phrase, str]
    """Every object phrase (in noun form, see :func:`_noun`) -> its kind: work, reference, licensing,
    not_work, relationship or disclosure. One table, so the longest phrase wins ("seating plan" is
    not the work word "plan")."""
    pronoun: frozenset[Phrase]
    change_nouns: frozenset[Phrase]
    generic_heads: frozenset[Phrase]
    other_work: frozenset[Phrase]
    time_words: frozenset[str]
    roles: frozenset[str]
    satisfied: frozenset[Phrase]
    satisfaction: frozenset[str]
    given: frozenset[Phrase]
    positive: frozenset[Phrase]
    receipt: frozenset[Phrase]
    put_up: frozenset[Phrase]
    auto_subject: tuple[str, ...]
    auto_body: tuple[str, ...]
    longest: int


_SECTIONS: dict[str, frozenset[str]] = {
    "acts": frozenset({"approve", "accept", "authorise", "confirm", "agree", "acknowledge", "sign_off", "go_ahead",
                       "complete"}),
    "nouns": frozenset({"approve", "accept", "authorise", "confirm", "sign_off", "go_ahead"}),
    "short": frozenset({"approve"}),
    "modality": frozenset({"negation", "not_negation", "revocation", "pending", "current_referent", "performative", "conditional", "future",
                           "request", "affirmative_infinitive", "hedge"}),
    "agents": frozenset({"writer", "addressee", "others", "writer_possessive"}),
    "objects": frozenset({"work", "reference", "pronoun", "licensing", "not_work", "relationship", "disclosure",
                          "change_nouns", "relationship_roles", "generic_heads", "other_work", "time_words"}),
    "completion": frozenset({"satisfied", "satisfaction_adjectives"}),
    "noun_subject": frozenset({"given"}),
    "complement": frozenset({"positive", "receipt"}),
    "thread": frozenset({"put_up"}),
    "auto_reply": frozenset({"subject", "body"}),
    "lemmas": frozenset(),
}

_OBJECT_KINDS = ("work", "reference", "licensing", "not_work", "disclosure", "relationship")
"""Object sections in the order they fill the table: a phrase listed twice keeps the later kind."""


def _check_keys(cfg: dict) -> None:
    """Unknown or missing keys in approvals.toml are an error, named, not a silent default."""
    for section, value in cfg.items():
        if section not in _SECTIONS:
            raise ValueError(f"knowledge/approvals.toml: unknown section [{section}]")
        if section == "lemmas":
            continue
        for key in value:
            if key not in _SECTIONS[section]:
                raise ValueError(f"knowledge/approvals.toml: unknown key '{key}' in [{section}]")
        missing = _SECTIONS[section] - set(value)
        if missing:
            raise ValueError(f"knowledge/approvals.toml: [{section}] lacks {', '.join(sorted(missing))}")
    for section in _SECTIONS:
        if section != "lemmas" and section not in cfg:
            raise ValueError(f"knowledge/approvals.toml: missing section [{section}]")


@functools.cache
def _lemma_table():
    """spaCy's English lemma lookup table (keys are hashed: ask it with ``get(word, default)``)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


def lemma(word: str) -> str:
    low = word.lower()
    overrides = _overrides()
    if low in overrides:
        return overrides[low]
    return _lemma_table().get(low, low) or low


@functools.cache
def _overrides() -> dict[str, str]:
    return {k.lower(): v.lower() for k, v in knowledge.load("approvals").get("lemmas", {}).items()}


def _noun(low: str, lem: str) -> str:
    """The word's form for object matching: its lemma when that only drops a plural ("deliverables",
    "licences"), else the word as written, so that the verb forms "reviewed", "working", "planned"
    or "built" are not read as the work nouns review, work, plan and build."""
    if lem == low or (low.endswith("s") and not low.endswith("ss")):
        return lem
    return low


def _phrase(text: str) -> Phrase:
    return tuple(t.lemma for t in _tokens(text) if not t.dash)


def _noun_phrase(text: str) -> Phrase:
    return tuple(t.noun for t in _tokens(text) if not t.dash)


@functools.cache
def _vocab() -> _Vocab:
    cfg = knowledge.load("approvals")
    _check_keys(cfg)

    def phrases(values) -> frozenset[Phrase]:
        return frozenset(p for p in (_phrase(v) for v in values) if p)

    def noun_phrases(values) -> frozenset[Phrase]:
        return frozenset(p for p in (_noun_phrase(v) for v in values) if p)

    def acts(section: str) -> dict[Phrase, str]:
        out: dict[Phrase, str] = {}
        for act, values in cfg[section].items():
            for v in values:
                p = _phrase(v)
                if p:
                    out[p] = act
        return out

    mod, agents, objects = cfg["modality"], cfg["agents"], cfg["objects"]
    table: dict[Phrase, str] = {}
    for kind in _OBJECT_KINDS:
        table.update((p, kind) for p in noun_phrases(objects[kind]))
    v = _Vocab(
        verbs=acts("acts"), nouns=acts("nouns"), short=phrases(cfg["short"]["approve"]),
        negation=phrases(mod["negation"]), not_negation=phrases(mod["not_negation"]),
        revocation=phrases(mod["revocation"]), pending=phrases(mod["pending"]),
        current_referent=phrases(mod["current_referent"]), performative=frozenset(lemma(w) for w in mod["performative"]),
        conditional=phrases(mod["conditional"]), future=phrases(mod["future"]),
        request=phrases(mod["request"]), affirmative=frozenset(lemma(w) for w in mod["affirmative_infinitive"]),
        hedge=phrases(mod["hedge"]), writer=phrases(agents["writer"]),
        addressee=frozenset(lemma(w) for w in agents["addressee"]),
        others=frozenset(lemma(w) for w in agents["others"]),
        writer_possessive=frozenset(w.lower() for w in agents["writer_possessive"]),
        objects=table, pronoun=noun_phrases(objects["pronoun"]), change_nouns=noun_phrases(objects["change_nouns"]),
        generic_heads=noun_phrases(objects["generic_heads"]), other_work=phrases(objects["other_work"]),
        time_words=frozenset(w.lower() for w in objects["time_words"]),
        roles=frozenset(lemma(w) for w in objects["relationship_roles"]),
        satisfied=phrases(cfg["completion"]["satisfied"]),
        satisfaction=frozenset(lemma(w) for w in cfg["completion"]["satisfaction_adjectives"]),
        given=phrases(cfg["noun_subject"]["given"]), positive=phrases(cfg["complement"]["positive"]),
        receipt=phrases(cfg["complement"]["receipt"]),
        put_up=phrases(cfg["thread"]["put_up"]),
        auto_subject=tuple(s.lower() for s in cfg["auto_reply"]["subject"]),
        auto_body=tuple(s.lower() for s in cfg["auto_reply"]["body"]),
        longest=1,
    )
    groups = (v.negation, v.not_negation, v.revocation, v.pending, v.current_referent, v.other_work, v.conditional, v.future, v.request, v.hedge, v.writer,
              v.objects, v.pronoun, v.satisfied, v.given, v.positive, v.receipt, v.put_up, v.short, v.verbs, v.nouns)
    longest = max(len(p) for g in groups for p in g)
    return _Vocab(**{**v.__dict__, "longest": longest})


# ---- tokens ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    low: str
    lemma: str
    noun: str
    """The form objects are matched on (:func:`_noun`)."""
    start: int
    end: int
    space_before: bool
    dash: bool
    """A hyphen or dash token."""


_DASHES = {"-", "–", "—", "‒", "−"}
_BE = {"be", "is", "are", "was", "were", "been", "being", "'s", "'re", "am", "'m"}
_HAVE = {"have", "has", "had", "'ve", "'d"}
_MODALS = {"will", "would", "can", "could", "shall", "should", "may", "might", "must", "'ll", "'d", "wo", "ca"}
_BOUNDARY = {";", ":", "(", ")", "!", "?", "•", "|"}
_CONJ = {"but", "however", "although", "though", "whereas", "while", "except", "otherwise", "meanwhile"}
_ADVERBS = {"hereby", "fully", "formally", "also", "now", "officially", "gladly", "happily", "herewith", "thereby",
            "therefore", "hence", "thus", "duly", "kindly", "just", "already", "all", "both", "jointly",
            "today", "herein", "again", "finally", "please", "so", "then", "ok", "okay", "alright", "right",
            "great", "thanks", "thank", "yes", "yep", "sure", "good", "fine", "perfect", "excellent", "brilliant"}
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "our", "your", "their", "its", "his", "her",
                "my", "any", "each", "every", "newly", "recently"}
_PREPOSITIONS = {"of", "for", "to", "in", "on", "with", "by", "as", "from", "at", "across", "under", "over", "into",
                 "through", "per", "including", "within", "between", "via", "after", "before", "during", "until",
                 "against", "about", "without", "except", "like", "than", "once", "when", "if"}
_NP_BREAK = _PREPOSITIONS | _BE | _HAVE | _MODALS | {"and", "or", "but", "nor", "which", "that", "who", "whom",
                                                     "whose", "where", "while", "so", "because", "not", "n't"}
"""Words that end a noun phrase: the head of "the invoice for the migration" is the invoice."""
_FUNCTION_WORDS = _PREPOSITIONS | _DETERMINERS | {"and", "or", "but", "we", "i", "you", "it", "please", "there",
                                                  "here", "this", "since", "following", "further"}
_NAME_PARTICLES = {"van", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la", "von", "zu", "ten", "ter",
                   "y", "e", "dos", "das"}
_PARTICIPLE_END = ("ed", "en")
_IRREGULAR_PARTICIPLES = {"done", "begun", "undertaken", "signed", "given", "underway", "written", "set", "laid",
                          "shown", "sent", "drawn", "built", "taken", "seen", "carried", "read"}


def _tokens(text: str) -> list[_Tok]:
    with nlp.LOCK:
        doc = nlp.nlp().tokenizer(text)
        out = []
        prev_ws = True
        for t in doc:
            low = t.text.lower()
            lem = lemma(t.text) if t.text.strip() else low
            out.append(_Tok(t.text, low, lem, _noun(low, lem), t.idx, t.idx + len(t.text), prev_ws, low in _DASHES))
            prev_ws = bool(t.whitespace_)
    return [_month(out, i) for i in range(len(out))]


def _month(toks: list[_Tok], i: int) -> _Tok:
    """"The proposal dated 12 May": a capitalised "May" inside a sentence, or one beside a number, is
    the month, not the modal verb of a future or a permission."""
    t = toks[i]
    if t.low != "may":
        return t
    beside_number = any(0 <= j < len(toks) and toks[j].text[:1].isdigit() for j in (i - 1, i + 1))
    if beside_number or (t.text == "May" and i > 0 and toks[i - 1].text not in ".!?:;\"'("):
        return _Tok(t.text, "<month>", "<month>", "<month>", t.start, t.end, t.space_before, False)
    return t


_FIRST_WORDS: dict[int, tuple[object, frozenset[str]]] = {}


def _first_words(phrases) -> frozenset[str]:
    """The words phrases of a vocabulary set can start with (built once per set), so a token that
    starts none is passed over without trying every window length."""
    hit = _FIRST_WORDS.get(id(phrases))
    if hit is None or hit[0] is not phrases:
        hit = (phrases, frozenset(p[0] for p in phrases if p))
        _FIRST_WORDS[id(phrases)] = hit
    return hit[1]


def _at(toks: list[_Tok], i: int, phrases, longest: int, *, noun: bool = False) -> int:
    """Length (in tokens) of the longest phrase starting at ``toks[i]``, 0 when none. Matches on
    lemma (on the noun form with ``noun``) or on the word as written."""
    t = toks[i]
    firsts = _first_words(phrases)
    if (t.noun if noun else t.lemma) not in firsts and t.low not in firsts:
        return 0
    for n in range(min(longest, len(toks) - i), 0, -1):
        window = toks[i:i + n]
        forms = tuple(t.noun for t in window) if noun else tuple(t.lemma for t in window)
        if forms in phrases or tuple(t.low for t in window) in phrases:
            return n
    return 0


def _find(toks: list[_Tok], phrases, longest: int) -> list[tuple[int, int]]:
    """(start, length) of every phrase occurrence, left to right, not overlapping."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        n = _at(toks, i, phrases, longest)
        if n:
            out.append((i, n))
            i += n
        else:
            i += 1
    return out


def _is_past(low: str) -> bool:
    """"completed", "ran", "took": an inflected form that is neither "-ing" nor "-s"."""
    return lemma(low) != low and not low.endswith(("ing", "s"))


def _is_participle_word(low: str) -> bool:
    """"approved", "signed", "written"; not "proceed" or "often", which only end like one."""
    return (low.endswith(_PARTICIPLE_END) and lemma(low) != low) or low in _IRREGULAR_PARTICIPLES


Hit = tuple[int, int, str]
"""(start, length, object kind) of an object phrase in a token list."""


def _object_hits(toks: list[_Tok], v: _Vocab) -> list[Hit]:
    """Every object phrase, left to right, the longest first. "as" before a participle ("as amended",
    "as delivered") points at the work as a reference, whatever the participle; "without delay" and
    "no objections" name nothing."""
    out: list[Hit] = []
    i = 0
    while i < len(toks):
        skip = _at(toks, i, v.not_negation, v.longest)
        if skip:
            i += skip  # "without delay", "no objections": no thing acted on
            continue
        n = _at(toks, i, v.objects, v.longest, noun=True)
        if n:
            out.append((i, n, v.objects[_key(toks[i:i + n], v.objects, noun=True)]))
            i += n
        elif toks[i].low == "as" and i + 1 < len(toks) and _is_participle_word(toks[i + 1].low):
            out.append((i, 2, "reference"))
            i += 2
        else:
            i += 1
    return out


def _key(window: list[_Tok], table: dict, *, noun: bool = False) -> Phrase:
    forms = tuple(t.noun for t in window) if noun else tuple(t.lemma for t in window)
    return forms if forms in table else tuple(t.low for t in window)


def _clauses(toks: list[_Tok]) -> list[tuple[int, int]]:
    """Token ranges of clauses: split at ; : dashes with spaces, and at contrastive conjunctions."""
    out: list[tuple[int, int]] = []
    start = 0
    for i, t in enumerate(toks):
        cut = t.low in _BOUNDARY or (t.dash and t.space_before) or t.low in _CONJ \
            or (t.low == "," and i + 1 < len(toks) and toks[i + 1].low in _CONJ | {"and", "so", "then", "we", "i",
                                                                                     "please", "you", "our"})
        if cut:
            if i > start:
                out.append((start, i))
            start = i + 1
    if start < len(toks):
        out.append((start, len(toks)))
    return [c for c in out if c[1] > c[0]]


# ---- one sentence ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Trigger:
    act: Act
    i: int
    n: int
    noun: bool
    short: bool = False
    word: str = ""
    """The trigger's first word as written, lower case."""

    @property
    def end(self) -> int:
        return self.i + self.n


@dataclass(frozen=True)
class _Clause:
    """One clause being read, with what the rest of the sentence lends it."""

    toks: list[_Tok]
    earlier: list[_Tok]
    """The sentence's words before this clause (where "it" in "... and approve it" finds its referent)."""
    masked: frozenset[int]
    """Indices inside reference and satisfaction phrases and object names ("as expected", "change
    request"): a modality word there ("expect", "request") marks nothing."""
    hits: list[Hit]
    question: bool
    hedged: bool
    carry: Modality | None
    thread: str


def read_sentence(text: str, *, offset: int = 0, thread: str = "") -> Finding:
    """The finding of one sentence. ``thread`` is what the e-mail thread puts up for approval (a
    subject like "SOW-1042 for sign-off", or the quoted proposal's work words); it supplies the
    object of a short approval such as "Approved." or "OK to proceed"."""
    return _best(read_acts(text, offset=offset, thread=thread), text, (offset, offset + len(text)))


def read_acts(text: str, *, offset: int = 0, thread: str = "") -> list[Finding]:
    """One finding per act of a sentence ("We approve the SOW and acknowledge the fee disclosure"
    has two), in order; empty when it performs none (or one finding for a plain licensing line)."""
    v = _vocab()
    toks = _tokens(text)
    span = (offset, offset + len(text))
    words = [t for t in toks if not t.dash]
    if not words:
        return []
    if any(marker in text.lower() for marker in v.auto_body):
        # "Out of office: back on 3 March. For project approvals please contact ...": an automatic reply
        return [Finding(text, span, None, "none", "", "none", "", "positive", "asserted", "auto_reply")]
    question = text.rstrip().endswith("?")
    hedged = bool(_find(words, v.hedge, v.longest))
    findings: list[Finding] = []
    carry: Modality | None = None
    earlier: list[_Tok] = []
    for c0, c1 in _clauses(toks):
        clause = [t for t in toks[c0:c1] if not t.dash]
        if not clause:
            continue
        if c0 > 0 and toks[c0 - 1].low in _CONJ and (_find(clause, v.revocation, v.longest) or _still_pending(clause, v)):
            findings = [_revoked(f) for f in findings]
        hits = _object_hits(clause, v)
        frames = _frames(clause, v)
        masked = _masked(clause, hits, v) | frames
        ctx = _Clause(clause, list(earlier), masked, hits, question, hedged, carry, thread)
        earlier.extend(clause)
        triggers = _triggers(clause, masked, v, inert=frames)
        if triggers:
            findings.extend(_judge_clause(ctx, triggers, text, span, v))
        # a condition clause colours the next one, whether it has an act of its own or not ("If the
        # budget is confirmed, ...", "After finance approves the budget, we approve ...")
        opens_condition = _at(clause, 0, v.conditional, v.longest) and not _adjunct(clause, 0, len(clause))
        carry = "conditional" if opens_condition else (carry if not triggers else None)
    kinds = {k for _, _, k in _object_hits(words, v)}
    if not findings and "licensing" in kinds and "work" not in kinds:
        # "Please send the quote for 500 E5 licences": no approval, but plainly a licensing matter
        return [Finding(text, span, None, "none", "", "licensing", "", "positive", "asserted", "licensing")]
    return findings


def _masked(clause: list[_Tok], hits: list[Hit], v: _Vocab) -> frozenset[int]:
    spans = [(i, n) for i, n, _ in hits] + _find(clause, v.satisfied, v.longest) \
        + _find(clause, v.not_negation, v.longest)
    return frozenset(j for i, n in spans for j in range(i, i + n))


def _frames(clause: list[_Tok], v: _Vocab) -> frozenset[int]:
    """Token indices of a performative frame, "(please) take this email as", "kindly treat this as",
    "please consider this message": the writer's own act follows, given, not requested."""
    out: set[int] = set()
    for i, t in enumerate(clause):
        if t.lemma in v.performative and _declares_done(clause, i, v):
            out.update(range(i - 1 if i > 0 and clause[i - 1].low in ("please", "kindly") else i, i + 1))
            continue
        if t.lemma not in v.performative or i + 1 >= len(clause) or clause[i + 1].low != "this":
            continue
        n = _at(clause, i + 1, v.writer, v.longest) or 1
        start = i - 1 if i > 0 and clause[i - 1].low in ("please", "kindly") else i
        if start == i and i > 0:
            continue  # "we accept this": an object, not a frame
        if not _introduces_act(clause, i + 1 + n, v):
            continue  # "please take this email as a reminder to approve": a request after all
        out.update(range(start, i + 1 + n))
    return frozenset(out)


def _declares_done(clause: list[_Tok], i: int, v: _Vocab) -> bool:
    """"Please consider the SOW approved", "treat the scope as accepted": the performative verb, a
    noun phrase, then the act as a participle ending the clause: the writer declares it given."""
    if i == 0 and clause[i].low not in ("consider", "treat", "regard", "take"):
        return False
    if i > 0 and clause[i - 1].low not in ("please", "kindly"):
        return False   # "we consider the SOW approved" is read as it stands
    end = len(clause)
    while end > i and not clause[end - 1].text[:1].isalnum():
        end -= 1
    if end - i < 3 or not _is_participle_word(clause[end - 1].low):
        return False
    n = next((k for k in range(1, 3) if end - k > i and _at(clause, end - k, v.verbs, v.longest) == k), 0)
    if not n:
        return False
    middle = clause[i + 1:end - n]
    if middle and middle[-1].low == "as":
        middle = middle[:-1]
    if not middle or any(t.low in _NP_BREAK | _BE or _at(clause, i + 1 + k, v.verbs, v.longest)
                         for k, t in enumerate(middle)):
        return False   # "please consider the SOW and confirm it is approved": a request after all
    return middle[0].low in _DETERMINERS or middle[0].low in ("it", "this", "that", "everything")


def _introduces_act(clause: list[_Tok], p: int, v: _Vocab) -> bool:
    """Whether an act noun follows a frame: "as (our formal) approval", "our acceptance"."""
    if p < len(clause) and clause[p].low == "as":
        p += 1
    while p < len(clause) and clause[p].low in _DETERMINERS | _NOUN_MODIFIERS | v.writer_possessive:
        p += 1
    return p < len(clause) and bool(_at(clause, p, v.nouns, v.longest))


def _still_pending(clause: list[_Tok], v: _Vocab) -> bool:
    """"... but this new one still needs review": the clause says the work at hand is not yet approved,
    so what was approved before it was other work."""
    n = _at(clause, 0, v.current_referent, v.longest)
    return bool(n) and bool(_find(clause[n:], v.pending, v.longest))


_SUBJECTS = {"i", "we", "you", "they", "he", "she", "it", "there"}
_TEMPORAL = {"after", "following"}


def _adjunct(clause: list[_Tok], i: int, stop: int) -> bool:
    """Whether the "after" at ``i`` heads a phrase about what has happened ("After review with our
    team, we approve ...", "after our call") rather than a condition clause with a verb of its own
    ("after finance approves", "after the budget is confirmed", "after we get ...")."""
    if clause[i].low not in _TEMPORAL:
        return False
    for k in range(i + 1, stop):
        t = clause[k]
        if t.low == ",":
            break
        if t.low in _SUBJECTS | _BE | _HAVE | _MODALS or t.low in ("to", "n't", "not"):
            return False
        if t.low != t.lemma and t.low.endswith(("s", "ed", "ing")) and clause[k - 1].low not in _DETERMINERS:
            return False   # an inflected word may be the verb of a condition ("our architects" is a noun)
    return True


def _revoked(f: Finding) -> Finding:
    """An approval undone by a later "but ... cancelled"."""
    if not f.approves:
        return f
    return replace(f, reason="negated", polarity="negative")


def _best(findings: list[Finding], text: str, span: tuple[int, int]) -> Finding:
    if not findings:
        return _none(text, span)
    good = [f for f in findings if f.approves]
    if good:
        # one clause that refuses ("but we cannot approve phase 3") does not undo another that approves,
        # unless the sentence is a question or is hedged, which _judge already applied
        return good[0]
    order = ["auto_reply", "disclosure", "relationship", "licensing", "not_work", "negated", "conditional", "future",
             "request", "question", "hedged", "other_agent", "no_object", "no_act"]
    findings.sort(key=lambda f: order.index(f.reason) if f.reason in order else len(order))
    return findings[0]


def _none(text: str, span: tuple[int, int]) -> Finding:
    return Finding(text, span, None, "none", "", "none", "", "positive", "asserted", "no_act")


def _triggers(clause: list[_Tok], masked: frozenset[int], v: _Vocab, *,
              inert: frozenset[int] = frozenset()) -> list[_Trigger]:
    out: list[_Trigger] = []
    i = 0
    whole = tuple(t.lemma for t in clause if t.text not in ".,!…")
    whole_low = tuple(t.low for t in clause if t.text not in ".,!…")
    if whole in v.short or whole_low in v.short:
        return [_Trigger("approve", 0, len(clause), False, short=True)]
    while i < len(clause):
        n = _at(clause, i, v.verbs, v.longest)
        if n and _at(clause, i, v.nouns, v.longest) == n and _noun_use(clause, i, n):
            n = 0  # "the green light", "Sign-off granted": the noun, not the verb
        if n:
            act = v.verbs[_key(clause[i:i + n], v.verbs)]
            if i not in inert and not _inert(clause, i, masked):
                out.append(_Trigger(act, i, n, False, word=clause[i].low))  # type: ignore[arg-type]
            i += n
            continue
        n = _at(clause, i, v.nouns, v.longest)
        if n:
            act = v.nouns[_key(clause[i:i + n], v.nouns)]
            out.append(_Trigger(act, i, n, True, word=clause[i].low))  # type: ignore[arg-type]
            i += n
            continue
        if clause[i].lemma in v.satisfaction and i + 1 < len(clause) and clause[i + 1].low == "with":
            out.append(_Trigger("accept", i, 2, False, word=clause[i].low))
            i += 2
            continue
        i += 1
    return out


def _noun_use(clause: list[_Tok], i: int, n: int) -> bool:
    """A phrase that is both verb and noun ("sign off", "green light") is the noun after a determiner
    or when written with a hyphen ("sign-off")."""
    hyphenated = n > 1 and not clause[i + 1].space_before
    return hyphenated or (i > 0 and clause[i - 1].low in _DETERMINERS)


def _inert(clause: list[_Tok], i: int, masked: frozenset[int]) -> bool:
    """A verb that performs nothing: inside a reference ("as agreed", "as completed"), or a participle
    used as an adjective after a determiner ("the completed deployment", "the agreed scope")."""
    if i in masked and i > 0 and clause[i - 1].low == "as":
        return True
    return i > 0 and clause[i - 1].low in _DETERMINERS and clause[i].low.endswith("ed")


def _judge_clause(ctx: _Clause, triggers: list[_Trigger], text: str, span: tuple[int, int],
                  v: _Vocab) -> list[Finding]:
    """The findings of a clause's triggers. A confirmation whose clause follows ("We confirm that the
    migration was completed") is judged by what that clause does, so the inner acts are read first."""
    floor = [0] * len(triggers)
    """Where the words that can qualify each trigger begin: inside "I can confirm that ...", the
    performative's own "can" (or "not") is not the inner act's."""
    for n, trig in enumerate(triggers):
        if _has_complement(ctx.toks, triggers, n):
            for k in range(n + 1, len(triggers)):
                floor[k] = trig.end
    judged: list[Finding | None] = [None] * len(triggers)
    for n in reversed(range(len(triggers))):
        inner = [f for f in judged[n + 1:] if f is not None] if _has_complement(ctx.toks, triggers, n) else None
        judged[n] = _judge(ctx, triggers, n, v, text=text, span=span, floor=floor[n], inner=inner)
        if inner is not None and judged[n].reason in _GOVERNING:
            # "We will confirm that the migration was completed": the inner report is no more given
            # than the confirmation that carries it
            governor = judged[n]
            for k in range(n + 1, len(triggers)):
                judged[k] = replace(judged[k], reason=governor.reason, modality=governor.modality,
                                    polarity=governor.polarity)
    return [f for f in judged if f is not None]


_GOVERNING = {"negated", "conditional", "future", "request", "question", "hedged", "other_agent"}
"""Reasons of a confirmation that its inner clause shares."""


_COMPLEMENT_ACTS = {"confirm", "acknowledge", "agree", "accept"}
_RELATIVE = {"as", "which", "who", "what", "where", "when", "if", "once", "until", "because"}


def _has_complement(clause: list[_Tok], triggers: list[_Trigger], n: int) -> bool:
    """Whether a confirm/acknowledge/agree verb takes a clause of its own ("confirm that ...", "confirm
    the plan has been reviewed", "confirm Fabrikam completed the work"), rather than an object ("confirm
    the scope and approve ...")."""
    trig = triggers[n]
    if trig.act not in _COMPLEMENT_ACTS or trig.noun or trig.short:
        return False
    nxt = triggers[n + 1] if n + 1 < len(triggers) else None
    segment = clause[trig.end:nxt.i if nxt else len(clause)]
    if not segment:
        return False
    if segment[0].low in ("that", "whether"):
        return True
    if nxt is not None and not nxt.noun and segment[-1].low in _SUBJECTS - {"it", "there"}:
        return True   # "I can confirm we accept the proposal": the next act is the confirmed clause
    if trig.act == "accept":
        return False  # "accept" takes a clause only with "that": "we accept the work as it stands"
    for t in segment:
        if t.low in _RELATIVE:
            break  # "confirm the plan as it was scoped": the verb belongs to the "as" clause
        if t.low in _BE | _HAVE | _MODALS:
            return True
    # "confirm Fabrikam completed the migration": a subject, then a verb in the past
    return nxt is not None and nxt.word.endswith("ed") and segment[-1].low not in ("and", "to", ",", "or")


@dataclass
class _Qualifiers:
    """What keeps an act from being given now, as read around its trigger."""

    negated: bool
    conditional: bool
    requests: list[tuple[int, int]]
    futures: list[tuple[int, int]]


def _judge(ctx: _Clause, triggers: list[_Trigger], n: int, v: _Vocab, *, text: str, span: tuple[int, int],
           floor: int, inner: list[Finding] | None) -> Finding:
    """The finding of trigger ``n`` of a clause. ``floor``: where its qualifying words may start (after
    the confirmation governing it, if any); ``inner``: the findings of the clause it governs."""
    clause, trig = ctx.toks, triggers[n]
    stop = triggers[n + 1].i if n + 1 < len(triggers) else len(clause)
    link: tuple[int, int] | None = None
    if _borrows(ctx, triggers, n, v):
        # "Go ahead and deploy ...", "authorises the partner to begin the deployment": the object is
        # the next verb's
        link = (trig.end, triggers[n + 1].i)
        stop = triggers[n + 2].i if n + 2 < len(triggers) else len(clause)
    before, after = clause[:trig.i], clause[trig.end:stop]
    trigger_text = " ".join(t.text for t in clause[trig.i:trig.end])

    def finding(reason: str, *, agent: Agent = "none", agent_text: str = "", obj: ObjectKind = "none",
                obj_text: str = "", polarity: str = "positive", modality: Modality = "asserted") -> Finding:
        return Finding(text, span, trig.act, agent, agent_text, obj, obj_text, polarity,  # type: ignore[arg-type]
                       modality, reason, trigger_text)

    if trig.short:
        return _judge_short(ctx, finding, v)
    marks = _marker_finder(ctx, v)
    q = _qualify(ctx, triggers, n, marks, v, floor=floor, link=link, after=after)
    agent, agent_text, passive = _agent_of(clause, triggers, n, v)
    if agent == "addressee" and trig.act == "go_ahead":
        # "You may proceed", "you can start": the writer permits the person addressed
        q.futures = [(i, k) for i, k in q.futures if clause[i].low not in ("may", "can")]
        agent = "writer"
    if trig.noun and _held_by_addressee(before, v):
        agent = "writer"  # "You have the green light": the writer has given it
    if trig.noun:
        q.requests = _noun_requests(before, agent, q.requests, v)
    obj, obj_text = _object(ctx, trig, before, after, passive, v)

    if trig.act == "complete":
        if not _completion_attested(clause, before, trig, passive, confirmed=floor > 0, v=v):
            return finding("no_act", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text)
        if agent in ("other", "addressee", "organisation"):
            agent, agent_text = "writer", ""  # whoever did the work, the writer attests it
    held = _held_back(ctx, q)
    if held:
        reason, modality = held
        return finding(reason, agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text, modality=modality,
                       polarity="negative" if reason == "negated" else "positive")
    if trig.noun and (_noun_is_subject(before) or _owned_subject(before, v)):
        held = _ungiven(clause, trig, stop, marks, v, need_giving=_noun_is_subject(before))
        if held:
            reason, modality = held
            return finding(reason, agent="other" if reason == "other_agent" else "writer", obj=obj, obj_text=obj_text,
                           polarity="negative" if reason == "negated" else "positive", modality=modality)
    if agent in ("other", "addressee"):
        return finding("other_agent", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text)
    if inner is not None:
        verdict = _complement_verdict(ctx, trig, inner, marks, v, obj, obj_text)
        if verdict:
            reason, (obj, obj_text), modality = verdict
            return finding(reason, agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text,  # type: ignore
                           polarity="negative" if reason == "negated" else "positive", modality=modality)
    if obj in ("relationship", "licensing", "not_work", "disclosure"):
        return finding(obj, agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text)
    if obj == "none":
        return finding("no_object", agent=agent, agent_text=agent_text)
    return finding("approves", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text)


def _judge_short(ctx: _Clause, finding, v: _Vocab) -> Finding:
    """A whole sign-off ("Approved.", "OK to proceed"): it approves what the thread puts up, if anything."""
    obj, obj_text = _thread_object(ctx.thread, v)
    if ctx.question:
        return finding("question", agent="writer", obj=obj, obj_text=obj_text, modality="question")
    if obj == "none":
        return finding("no_object", agent="writer")
    return finding("approves", agent="writer", obj=obj, obj_text=obj_text)


def _marker_finder(ctx: _Clause, v: _Vocab):
    """``marks(lo, hi, phrases)``: the modality words in ``clause[lo:hi]`` (clause indices), leaving
    out those inside masked phrases ("change request", "as expected")."""
    def marks(lo: int, hi: int, phrases) -> list[tuple[int, int]]:
        found = _find(ctx.toks[lo:hi], phrases, v.longest)
        return [(lo + i, k) for i, k in found if not all(j in ctx.masked for j in range(lo + i, lo + i + k))]
    return marks


def _qualify(ctx: _Clause, triggers: list[_Trigger], n: int, marks, v: _Vocab, *, floor: int,
             link: tuple[int, int] | None, after: list[_Tok]) -> _Qualifiers:
    """The negations, conditions, requests and futures that qualify trigger ``n``: the words before it
    (from ``floor``), those joining it to a verb it borrows from ("agree not to proceed"), and an
    infinitive promised after "agree" ("we agree to sign next week")."""
    clause, trig = ctx.toks, triggers[n]
    conditions = [(i, k) for i, k in marks(floor, trig.i, v.conditional) if not _adjunct(clause, i, trig.i)]
    q = _Qualifiers(negated=bool(marks(floor, trig.i, v.negation)) or _negated_after(after),
                    conditional=ctx.carry == "conditional" or bool(conditions),
                    requests=marks(floor, trig.i, v.request), futures=marks(floor, trig.i, v.future))
    if link:
        q.negated = q.negated or bool(marks(*link, v.negation))
        q.conditional = q.conditional or bool(marks(*link, v.conditional))
    if trig.act in ("confirm", "acknowledge"):
        q.futures = [(i, k) for i, k in q.futures if clause[i].low != "can"]  # "I can confirm": performative
    if _promised(clause, triggers, n) or (link and _promised(clause, triggers, n + 1)):
        q.futures = q.futures or [(trig.i, trig.n)]
    # "Please proceed", "kindly go ahead": a permission politely given, not a request
    if q.requests and trig.act == "go_ahead" and all(clause[i].low in ("please", "kindly") for i, _ in q.requests):
        q.requests = []
    return q


def _held_back(ctx: _Clause, q: _Qualifiers) -> tuple[str, Modality] | None:
    """The first reason, in order of strength, why a qualified act is not given now."""
    if q.negated:
        return "negated", "asserted"
    if ctx.question:
        return "question", "question"
    if q.requests:
        return "request", "request"
    if q.conditional:
        return "conditional", "conditional"
    if q.futures:
        return "future", "future"
    if ctx.hedged:
        return "hedged", "hedged"
    return None


def _completion_attested(clause: list[_Tok], before: list[_Tok], trig: _Trigger, passive: bool, *,
                         confirmed: bool, v: _Vocab) -> bool:
    """Whether a report of finished work confirms it: reported as done (passive, perfect, or in the
    past inside the writer's own "we confirm that ...") and either to the writer's satisfaction or so
    confirmed. "The partner completed the migration." alone attests nothing."""
    satisfied = bool(_find(clause, v.satisfied, v.longest)) or any(t.lemma in v.satisfaction for t in before)
    past = confirmed and bool(before) and _is_past(trig.word)
    return (passive or _perfect(before) or past) and (satisfied or confirmed)


def _borrows(ctx: _Clause, triggers: list[_Trigger], n: int, v: _Vocab) -> bool:
    """Whether a verb with no object of its own takes the next verb's, joined by "and" or "to" ("go
    ahead and begin the rollout", "authorise the partner to start the pilot")."""
    if n + 1 >= len(triggers) or triggers[n].short:
        return False
    trig, nxt = triggers[n], triggers[n + 1]
    if nxt.noun or nxt.i == 0 or ctx.toks[nxt.i - 1].low not in ("to", "and"):
        return False
    between = ctx.toks[trig.end:nxt.i]
    return not any(trig.end <= i < nxt.i for i, _, _ in ctx.hits) and not _find(between, v.pronoun, v.longest)


_AWAITING = {"for", "pending", "awaiting", "await", "seek", "need", "require", "want", "get"}


def _noun_requests(before: list[_Tok], agent: Agent, requests: list[tuple[int, int]],
                   v: _Vocab) -> list[tuple[int, int]]:
    """Whether an act noun is asked for: "(waiting) for our approval", "your sign-off" are; but
    "please consider this email our acceptance" is the writer's own act, given, whatever the
    "please" in front of it."""
    k = len(before) - 1
    while k >= 0 and (before[k].low in _NOUN_MODIFIERS | v.writer_possessive | _DETERMINERS):
        k -= 1
    if k >= 0 and before[k].low in _AWAITING:
        return requests or [(k, 1)]
    if agent == "addressee":
        return requests or [(0, 1)]
    owned = bool(before) and (before[-1].low in v.writer_possessive
                              or (len(before) > 1 and before[-2].low in v.writer_possessive
                                  and before[-1].low in _NOUN_MODIFIERS))
    if owned and all(before[i].low in ("please", "kindly") for i, _ in requests):
        return []
    return requests


def _promised(clause: list[_Tok], triggers: list[_Trigger], n: int) -> bool:
    """"We agree to sign the SOW next week": an act in the infinitive after "agree" is promised, not
    performed, unless it is the go-ahead itself ("we agree to proceed")."""
    if n < 1 or n >= len(triggers):
        return False
    trig, prev = triggers[n], triggers[n - 1]
    return prev.act == "agree" and not prev.noun and trig.i == prev.end + 1 and clause[prev.end].low == "to" \
        and trig.act != "go_ahead"


def _held_by_addressee(before: list[_Tok], v: _Vocab) -> bool:
    """"You have the green light", "you've got our go-ahead": the person addressed holds the writer's
    act, which is given, not asked for."""
    words = [t for t in before if t.low not in _ADVERBS]
    if len(words) < 2 or words[-1].low not in _DETERMINERS - {"your", "their", "his", "her"}:
        return False
    k = len(words) - 2
    if words[k].low == "got":
        k -= 1
    return k >= 1 and words[k].lemma == "have" and words[k - 1].lemma in v.addressee


_NOUN_MODIFIERS = {"formal", "full", "final", "written", "official", "explicit", "the", "our", "customer", "overall"}


def _noun_is_subject(before: list[_Tok]) -> bool:
    """An act noun with nothing but adjectives before it is its sentence's subject ("Final approval
    rests with ...", "Sign-off granted.")."""
    return all(t.low in _NOUN_MODIFIERS - {"our"} or not t.text[:1].isalnum() for t in before)


def _owned_subject(before: list[_Tok], v: _Vocab) -> bool:
    """"Our approval of the pilot ...", "My formal sign-off ...": the writer's act noun as subject."""
    return bool(before) and before[0].low in v.writer_possessive and all(
        t.low in _NOUN_MODIFIERS for t in before[1:])


def _ungiven(clause: list[_Tok], trig: _Trigger, stop: int, marks, v: _Vocab, *,
             need_giving: bool) -> tuple[str, Modality] | None:
    """Why an act noun in subject position gives nothing: what its predicate says ("Approval ... is
    withheld / expected / awaiting ...", "Our approval ... does not extend to ..."), or, for a noun no
    one owns, that no verb gives it at all ("... sits with our CIO"). None when a verb gives it ("is
    granted", "from us") or, for the writer's own ("Our sign-off is attached"), when nothing holds it."""
    lo = trig.end
    if marks(lo, stop, v.negation):
        return "negated", "asserted"
    if marks(lo, stop, v.conditional):
        return "conditional", "conditional"
    if marks(lo, stop, v.request):
        return "request", "request"
    if marks(lo, stop, v.future):
        return "future", "future"
    if not need_giving or _find(clause[lo:stop], v.given, v.longest):
        return None
    if any(t.lemma in v.others for t in clause[lo:stop]):
        return "other_agent", "asserted"
    return "no_act", "asserted"


def _complement_verdict(ctx: _Clause, trig: _Trigger, inner: list[Finding], marks, v: _Vocab,
                        obj: str, obj_text: str) -> tuple[str, tuple[str, str], Modality] | None:
    """What "we confirm that ..." does, from the clause it confirms: an approval or a completed piece of
    work there approves; a negated, future or conditional one does not; a clause that only reports
    receipt ("... that we received the SOW") confirms the receipt, and one that says nothing good of
    the work ("... the project is delayed") approves nothing. None: judge by the object."""
    good = next((f for f in inner if f.approves), None)
    if good:
        return "approves", (good.object, good.object_text), "asserted"
    if inner:
        f = inner[0]
        return f.reason, (f.object, f.object_text), f.modality
    if obj in ("relationship", "licensing", "not_work", "disclosure"):
        return None  # "We agree that Fabrikam will be our partner": a relationship, whatever its tense
    lo, hi = trig.end, len(ctx.toks)
    for phrases, reason, modality in ((v.negation, "negated", "asserted"),
                                      (v.conditional, "conditional", "conditional"), (v.future, "future", "future")):
        if marks(lo, hi, phrases):
            return reason, ("none", ""), modality  # type: ignore[return-value]
    got = _find(ctx.toks[lo:hi], v.receipt, v.longest)
    if got:
        i, k = got[0]
        return "not_work", ("not_work", " ".join(t.text for t in ctx.toks[lo + i:lo + i + k])), "asserted"
    if obj not in ("work", "reference", "thread") or _find(ctx.toks[lo:hi], v.positive, v.longest):
        return None  # judged by its object: "the details above are correct"
    return "no_act", (obj, obj_text), "asserted"


def _negated_after(after: list[_Tok]) -> bool:
    """"Approved? Not yet." / "approved: no" — a negation right after the trigger."""
    return bool(after) and after[0].low in ("not", "no", "never") and (len(after) < 3 or after[1].low in ("yet", "."))


def _perfect(before: list[_Tok]) -> bool:
    return any(t.low in _HAVE or t.lemma == "have" for t in before[-3:])


# ---- who acts -------------------------------------------------------------------------------

def _agent_of(clause: list[_Tok], triggers: list[_Trigger], n: int, v: _Vocab) -> tuple[Agent, str, bool]:
    """The agent of trigger ``n``. A verb joined to the one before it by "and", with no subject of its
    own ("we confirm they are complete and accept them"), shares that verb's subject."""
    trig = triggers[n]
    before = clause[:trig.i]
    after = clause[trig.end:triggers[n + 1].i if n + 1 < len(triggers) else len(clause)]
    words = [t for t in before if t.low not in _ADVERBS]
    if n > 0 and not trig.noun and words and words[-1].low == "and" and not triggers[n - 1].noun:
        prev_agent, prev_text, _ = _agent_of(clause, triggers, n - 1, v)
        agent, agent_text, passive = _agent(before, after, trig, v)
        if not passive and prev_agent in ("writer", "organisation"):
            return prev_agent, prev_text, False
        return agent, agent_text, passive
    if not trig.noun and words and words[-1].low == "and" and _writer_leads(before[:-1], v):
        # "We have reviewed the ECIF charter and approve it": the names between are the first verb's object
        return "writer", "", False
    return _agent(before, after, trig, v)


def _writer_leads(before: list[_Tok], v: _Vocab) -> bool:
    """Whether the clause opens with the writer as its subject ("We have reviewed ...", "I read
    ..."), before any other possible subject: a name, the addressee or another person."""
    for k, t in enumerate(before):
        if t.low in ("i", "we") or _at(before, k, v.writer, v.longest):
            return True
        if t.lemma in v.addressee or t.lemma in v.others:
            return False
        if _is_adverb(t) or t.low in _FUNCTION_WORDS:
            continue
        if t.text[:1].isupper():
            return False
    return False


def _agent(before: list[_Tok], after: list[_Tok], trig: _Trigger, v: _Vocab) -> tuple[Agent, str, bool]:
    """(agent, organisation text, passive) from the words before the trigger (and "by X" after)."""
    words = [t for t in before if not _is_adverb(t)]
    passive = bool(words) and (words[-1].low in _BE or (len(words) > 1 and words[-2].low in _BE
                                                         and words[-1].low in {"been", "not"}))
    if not trig.noun and not passive and before and _is_participle_word(trig.word) and _bare(after):
        # "Scope approved.", "SOW signed off": a participle after its noun, nothing after it
        last = before[-1]
        passive = last.lemma not in v.addressee and not _find(before, v.writer, v.longest) \
            and last.low not in v.others and last.low not in _HAVE
    if passive:
        for j, t in enumerate(after):
            if t.low == "by" and j + 1 < len(after):
                who = after[j + 1:j + 4]
                if who and who[0].low in v.writer_possessive:
                    return "writer", "", True
                if any(w.lemma in v.others for w in who[:2]):
                    return "other", " ".join(w.text for w in who), True
                org = _proper_run(after[j + 1:])
                if org:
                    return "organisation", org, True
                break
        return "writer", "", True
    if trig.noun:
        # "our approval", "Contoso's approval", "your approval"
        k = len(before) - 1
        while k >= 0 and before[k].low in ("formal", "full", "final", "written", "official", "explicit", "the", "of",
                                           "signed", "complete"):
            k -= 1
        if k >= 0:
            t = before[k]
            if t.low in v.writer_possessive:
                return "writer", "", False
            if t.lemma in v.addressee:
                return "addressee", "", False
            if t.low in ("'s", "’s") and k > 0:
                org = _proper_run(before[:k], from_end=True)
                if org:
                    return "organisation", org, False
            if t.low in ("their", "his", "her"):
                return "other", t.text, False
        # "This email confirms ...'s approval": the owner sits further back, the writer asserts
    # the nearest subject before the trigger
    k = len(before) - 1
    while k >= 0:
        t = before[k]
        n = _at(before, k, v.writer, v.longest)
        if n or t.low in ("i", "we"):
            return "writer", "", False
        if t.lemma in v.addressee:
            return "addressee", "", False
        if t.lemma in v.others and _role_of_writer(before, k):
            k -= 1
            continue  # "I, as CIO, approve ...": the writer's role, not another person
        if t.lemma in v.others and not (k > 0 and before[k - 1].low in v.writer_possessive):
            return "other", t.text, False
        if t.lemma in v.others and k > 0 and before[k - 1].low in v.writer_possessive:
            return "writer", "", False  # "our board approved": the writer's own organisation
        if t.text[:1].isupper() and t.low not in _ADVERBS and k > 0 and t.low not in ("i",):
            org = _proper_run(before[:k + 1], from_end=True)
            if org and not _sentence_start_word(before, org):
                return "organisation", org, False
        k -= 1
    return "writer", "", False  # no subject: an imperative or a bare participle, the writer's own act


def _role_of_writer(before: list[_Tok], k: int) -> bool:
    """"as (the) CIO", "in my role as sponsor": a role the subject speaks in."""
    j = k - 1
    while j >= 0 and before[j].low in _DETERMINERS | {"project", "our", "my"}:
        j -= 1
    return j >= 0 and before[j].low == "as"


def _is_adverb(t: _Tok) -> bool:
    """"hereby", "formally", "successfully": words that sit between an auxiliary and its verb."""
    return t.low in _ADVERBS or (t.low.endswith("ly") and len(t.low) > 4)


def _sentence_start_word(before: list[_Tok], org: str) -> bool:
    """A single capitalised word that is an adverb or a function word ("Kindly", "For") is no name."""
    return len(org.split()) == 1 and org.lower() in _ADVERBS | _FUNCTION_WORDS


def _bare(after: list[_Tok]) -> bool:
    """Nothing but punctuation, "off" or adverbs after the trigger."""
    return all(t.low in _ADVERBS or not t.text[:1].isalnum() or t.low in ("off", "by", "as", "well")
               for t in after[:3]) and len(after) <= 3


_LEGAL_TAIL = {"ltd", "ltd.", "limited", "inc", "inc.", "llc", "gmbh", "ag", "plc", "bv", "b.v.", "nv", "sa", "s.a.",
               "sas", "s.a.s.", "spa", "s.p.a.", "srl", "s.r.l.", "ab", "as", "oy", "pty", "pvt", "llp", "lp", "co",
               "co.", "corp", "corp.", "corporation", "group", "kg", "se", "pte", "pvt.", "ltd.,", "&", "and", "of"}


def _in_name(toks: list[_Tok], j: int, *, from_end: bool, started: bool) -> bool:
    """Whether ``toks[j]`` continues an organisation's name: a capitalised word, a legal form, a
    number after the name has begun, a particle between capitalised words ("Van der Berg"), or a dot
    written inside an abbreviation ("S.p.A." comes as "S.p", ".", "A.")."""
    t = toks[j]
    if t.low in ("i", "this", "the", "our", "we"):
        return False
    if t.text[:1].isupper() or t.low in _LEGAL_TAIL or (t.text[:1].isdigit() and started):
        return True
    if t.low in _NAME_PARTICLES and 0 < j < len(toks) - 1 and toks[j - 1].text[:1].isupper() \
            and toks[j + 1].text[:1].isupper():
        return True
    if t.low == "." and not t.space_before and j + 1 < len(toks) and not toks[j + 1].space_before:
        return True
    return t.low in (".", ",") and started and not from_end


def _proper_run(toks: list[_Tok], *, from_end: bool = False) -> str:
    """The run of capitalised words (with legal forms, "&", "of") at the end (or start) of ``toks``."""
    order = range(len(toks) - 1, -1, -1) if from_end else range(len(toks))
    run: list[_Tok] = []
    for j in order:
        if not _in_name(toks, j, from_end=from_end, started=bool(run)):
            break
        run.append(toks[j])
    if from_end:
        run.reverse()
    while run and run[0].low in {"&", "and", "of", ".", ","} | _NAME_PARTICLES:
        run.pop(0)
    while run and run[-1].low in ("&", "and", "of", ","):
        run.pop()
    if not run or all(t.low in _ADVERBS for t in run):
        return ""
    out = run[0].text
    for t in run[1:]:
        out += (" " if t.space_before else "") + t.text
    return out


# ---- what is acted on -----------------------------------------------------------------------

def _object(ctx: _Clause, trig: _Trigger, before: list[_Tok], after: list[_Tok], passive: bool,
            v: _Vocab) -> tuple[ObjectKind, str]:
    """What the act is about: the head of the noun phrase after the trigger (for a passive or an act
    noun without one, the subject's), a pronoun's referent, or what the thread puts up."""
    start = len(before)
    end = trig.i + trig.n + len(after)
    clause = ctx.toks
    if not any(t.text[:1].isalnum() for t in after):
        after = []  # "... have been received and accepted.": nothing follows but the full stop
    in_after = [h for h in ctx.hits if trig.end <= h[0] < end]
    in_before = [h for h in ctx.hits if h[0] < start]
    scope = clause[:end] if (passive or trig.noun or not after) else clause[trig.end:end]
    for kind in ("relationship", "disclosure"):
        hit = next((h for h in ctx.hits if h[2] == kind and h[0] < end
                    and (passive or trig.noun or not after or h[0] >= trig.end)), None)
        if hit:
            return kind, _text(clause, hit)  # type: ignore[return-value]
    role = _partner_role(scope, v)
    if role:
        return "relationship", role
    if trig.noun and in_after:
        return _head(clause, in_after[0], ctx.hits, v)
    if passive and in_before:
        return _head(clause, _subject_hit(clause, start, in_before), ctx.hits, v)
    if passive and _time_subject(before, v):
        # "Thursday at 2pm is approved for the workshop": a time slot is approved, not the work
        return "not_work", " ".join(t.text for t in before)
    if in_after:
        head = _head(clause, in_after[0], ctx.hits, v)
        if head[0] != "reference" or not _pronoun_first(after, v):
            return head
    if _pronoun_first(after, v):
        referent = _referent(ctx, trig, v)
        if referent:
            return referent
        return _thread_object(ctx.thread, v) if not in_after else _head(clause, in_after[0], ctx.hits, v)
    if (passive or trig.noun or not after or trig.act == "complete") and in_before:
        # "Scope approved.", and work that "took place" or "went live": the subject is what is acted on
        return _head(clause, in_before[-1], ctx.hits, v)
    return _thread_object(ctx.thread, v)


def _time_subject(before: list[_Tok], v: _Vocab) -> bool:
    """Whether a passive's subject is a time: a weekday, "2pm", "10:30", "the slot"."""
    words = [t.low for t in before if t.low not in _BE | _HAVE | _ADVERBS]
    return any(w in v.time_words or re.fullmatch(r"\d{1,2}(?::\d\d|(?::\d\d)?(?:am|pm))", w) for w in words)


def _text(toks: list[_Tok], hit: Hit) -> str:
    return " ".join(t.text for t in toks[hit[0]:hit[0] + hit[1]])


def _head(toks: list[_Tok], hit: Hit, hits: list[Hit], v: _Vocab) -> tuple[ObjectKind, str]:
    """The kind of the noun phrase that ``hit`` starts, or of the first work among the phrases
    joined to it by "and" ("the workshop agenda and scope" approves the scope too)."""
    first, p = _np_head(toks, hit, hits, v)
    kind = first
    while kind[0] != "work" and p + 1 < len(toks) and toks[p].low in ("and", "or", ",", "&"):
        q = p + 1
        while q < len(toks) and toks[q].low in _DETERMINERS:
            q += 1
        nxt = next((h for h in hits if h[0] == q), None)
        if nxt is None:
            break
        kind, p = _np_head(toks, nxt, hits, v)
    return kind if kind[0] == "work" else first


def _np_head(toks: list[_Tok], hit: Hit, hits: list[Hit], v: _Vocab) -> tuple[tuple[ObjectKind, str], int]:
    """The kind of the noun phrase that ``hit`` starts, and where the phrase ends: its last object
    word ("the Teams Rooms deployment" is a deployment, "the vendor onboarding form" a form). A change
    of licensing ("the upgrade from E3 to E5 licensing") is licensing. A reference ("the attached")
    gives way to a thing named beside it."""
    starts = {h[0]: h for h in hits}
    best = hit
    p = hit[0] + hit[1]
    while p < len(toks):
        h = starts.get(p)
        if h and h[2] != "reference":
            best, p = h, p + h[1]
            continue
        t = toks[p]
        if h or t.low in _NP_BREAK or not t.text[:1].isalnum() or (t.low.endswith("ed") and t.low not in ("red",)):
            break
        p += 1
    if best[2] == "reference":
        named = [h for h in hits if h[2] in ("licensing", "not_work")]
        if named and len(named) == len([h for h in hits if h[2] != "reference"]):
            best = min(named, key=lambda h: abs(h[0] - hit[0]))
    if best[2] == "work" and tuple(t.noun for t in toks[best[0]:best[0] + best[1]]) in v.change_nouns:
        changed = _change_complement(toks, best[0] + best[1], hits)
        if changed:
            return ("licensing", _text(toks, best) + " " + _text(toks, changed)), p
    if best[2] == "work":
        phrase = " ".join(t.text for t in toks[hit[0]:best[0] + best[1]])
        if tuple(t.noun for t in toks[best[0]:best[0] + best[1]]) in v.generic_heads:
            # "the invoice payment schedule": a generic head takes the kind of what modifies it
            modifier = next((h for h in hits if hit[0] <= h[0] < best[0] and h[2] in ("licensing", "not_work")), None)
            if modifier is not None:
                return (modifier[2], phrase), p  # type: ignore[return-value]
        if _other_work(toks, hit[0], v):
            return ("not_work", phrase), p
    return (best[2], _text(toks, best)), p  # type: ignore[return-value]


def _other_work(toks: list[_Tok], start: int, v: _Vocab) -> bool:
    """Whether the words right before a noun phrase point at other work ("a similar SOW", "another
    proposal", "last year's plan")."""
    lo = start
    while lo > 0 and start - lo < 4 and toks[lo - 1].text[:1].isalnum() and toks[lo - 1].low not in _NP_BREAK:
        lo -= 1
    return bool(_find(toks[lo:start], v.other_work, v.longest))


def _change_complement(toks: list[_Tok], p: int, hits: list[Hit]) -> Hit | None:
    """The licensing named in the "of ..."/"from ... to ..." phrase right after a change noun."""
    if p >= len(toks) or toks[p].low not in ("of", "from", "to", "into"):
        return None
    q = p
    while q < len(toks) and toks[q].text[:1].isalnum() and toks[q].low not in ("for", "as", "which", "that", "and",
                                                                               "across", "by", "with", "in", "on"):
        q += 1
    return next((h for h in hits if p <= h[0] < q and h[2] == "licensing"), None)


def _subject_hit(toks: list[_Tok], start: int, in_before: list[Hit]) -> Hit:
    """The object word heading a passive's subject: the first named thing of the words before the
    verb "be" ("The invoice for the migration is approved" is about the invoice)."""
    k = start - 1
    while k >= 0 and (toks[k].low in _BE | _HAVE | _ADVERBS | {"not", "been"}):
        k -= 1
    j = k
    while j >= 0 and toks[j].low not in (",", ";", "and", "or", "but", "that", "which", "who") \
            and _at(toks, j, _vocab().verbs, _vocab().longest) == 0:
        j -= 1
    inside = [h for h in in_before if j < h[0] <= k]
    return inside[0] if inside else in_before[-1]


def _partner_role(scope: list[_Tok], v: _Vocab) -> str:
    """"our Dynamics 365 partner", "our go-to Microsoft partner": a relationship, in so many words."""
    for i, t in enumerate(scope):
        if t.low in v.writer_possessive:
            for j in range(i + 1, min(i + 5, len(scope))):
                if scope[j].lemma in v.roles:
                    return " ".join(w.text for w in scope[i:j + 1])
                if not scope[j].text[:1].isalnum() or scope[j].low in _NP_BREAK:
                    break
    return ""


def _pronoun_first(after: list[_Tok], v: _Vocab) -> bool:
    """"approve it", "sign off on this", "accept them as written": the object is a pronoun."""
    words = [t for t in after if t.low not in _ADVERBS and t.low not in ("on", "off", "with", "to")]
    return bool(words) and bool(_at(words, 0, v.pronoun, v.longest, noun=True))


def _referent(ctx: _Clause, trig: _Trigger, v: _Vocab) -> tuple[ObjectKind, str] | None:
    """What a pronoun object points back to: the nearest thing named earlier in the sentence ("We have
    reviewed the plan and approve it")."""
    words = ctx.earlier + ctx.toks[:trig.i]
    hits = [h for h in _object_hits(words, v) if h[2] != "reference"]
    if not hits:
        return None
    kind, text = _head(words, hits[-1], hits, v)
    return kind, text


def _thread_object(thread: str, v: _Vocab) -> tuple[ObjectKind, str]:
    """What a thread's subject puts up: the work when it names some ("Intune rollout - scope for
    sign-off"); nothing for a subject about licences or about something else ("Updated seating
    plan", "Invoice approval")."""
    if not thread.strip():
        return "none", ""
    toks = [t for t in _tokens(thread) if not t.dash]
    kinds = {k for _, _, k in _object_hits(toks, v)}
    if "work" not in kinds and kinds & {"licensing", "not_work"}:
        return "none", ""
    if "work" in kinds or _find(toks, v.put_up, v.longest):
        return "thread", thread.strip()[:120]
    return "none", ""


# ---- a message ------------------------------------------------------------------------------

_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|tr|sv|vs|antw)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def thread_context(subject: str, quoted: str = "") -> str:
    """What the thread puts up for approval: the subject (without RE:/FW:) when it names work or
    asks for approval, else the work words of the quoted message it answers."""
    v = _vocab()
    plain = _SUBJECT_PREFIX.sub("", subject or "").strip()
    if plain and _thread_object(plain, v)[0] == "thread":
        return plain
    if quoted.strip():
        head = quoted[:4000]
        toks = [t for t in _tokens(head) if not t.dash]
        hits = [h for h in _object_hits(toks, v) if h[2] == "work"]
        if len(hits) >= 2:
            return " ".join(_text(toks, h) for h in hits[:4])
    return ""


def is_auto_reply(subject: str, body: str) -> bool:
    v = _vocab()
    s = (subject or "").lower()
    b = (body or "")[:2000].lower()
    return any(c in s for c in v.auto_subject) or any(c in b for c in v.auto_body)


def read_message(body: str, *, subject: str = "", quoted: str = "") -> tuple[Finding, ...]:
    """Findings of the sentences of a message's newly written text, in order; only sentences with
    an act are kept. An automatic reply gives one finding with reason ``auto_reply``."""
    if is_auto_reply(subject, body):
        span = (0, min(len(body), 200))
        return (Finding(body[:200], span, None, "none", "", "none", "", "positive", "asserted", "auto_reply"),)
    thread = thread_context(subject, quoted)
    out: list[Finding] = []
    for s, e in nlp.sentences(body):
        f = read_sentence(body[s:e], offset=s, thread=thread)
        if f.act is not None or f.reason != "no_act":
            out.append(f)
    return tuple(out)


def disclosure_acknowledged(body: str, *, subject: str = "") -> Finding | None:
    """The first sentence of ``body`` in which the writer (or an organisation it names) accepts or
    acknowledges a fee disclosure, or None. Automatic replies acknowledge nothing."""
    if is_auto_reply(subject, body):
        return None
    for s, e in nlp.sentences(body):
        for f in read_acts(body[s:e], offset=s):
            if f.acknowledges_disclosure:
                return f
    return None


__all__ = ["Finding", "REASONS", "disclosure_acknowledged", "is_auto_reply", "lemma", "read_acts", "read_message",
           "read_sentence", "thread_context"]
