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
from dataclasses import dataclass
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
    conditional: frozenset[Phrase]
    future: frozenset[Phrase]
    request: frozenset[Phrase]
    affirmative: frozenset[str]
    hedge: frozenset[Phrase]
    writer: frozenset[Phrase]
    addressee: frozenset[str]
    others: frozenset[str]
    writer_possessive: frozenset[str]
    work: frozenset[Phrase]
    reference: frozenset[Phrase]
    pronoun: frozenset[Phrase]
    licensing: frozenset[Phrase]
    not_work: frozenset[Phrase]
    relationship: frozenset[Phrase]
    disclosure: frozenset[Phrase]
    satisfied: frozenset[Phrase]
    satisfaction: frozenset[str]
    put_up: frozenset[Phrase]
    auto_subject: tuple[str, ...]
    auto_body: tuple[str, ...]
    longest: int


_SECTIONS: dict[str, frozenset[str]] = {
    "acts": frozenset({"approve", "accept", "authorise", "confirm", "agree", "acknowledge", "sign_off", "go_ahead",
                       "complete"}),
    "nouns": frozenset({"approve", "accept", "authorise", "confirm", "sign_off", "go_ahead"}),
    "short": frozenset({"approve"}),
    "modality": frozenset({"negation", "conditional", "future", "request", "affirmative_infinitive", "hedge"}),
    "agents": frozenset({"writer", "addressee", "others", "writer_possessive"}),
    "objects": frozenset({"work", "reference", "pronoun", "licensing", "not_work", "relationship", "disclosure"}),
    "completion": frozenset({"satisfied", "satisfaction_adjectives"}),
    "thread": frozenset({"put_up"}),
    "auto_reply": frozenset({"subject", "body"}),
    "lemmas": frozenset(),
}


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


def _phrase(text: str) -> Phrase:
    return tuple(t.lemma for t in _tokens(text) if not t.dash)


@functools.cache
def _vocab() -> _Vocab:
    cfg = knowledge.load("approvals")
    _check_keys(cfg)

    def phrases(values) -> frozenset[Phrase]:
        return frozenset(p for p in (_phrase(v) for v in values) if p)

    def acts(section: str) -> dict[Phrase, str]:
        out: dict[Phrase, str] = {}
        for act, values in cfg[section].items():
            for v in values:
                p = _phrase(v)
                if p:
                    out[p] = act
        return out

    mod, agents, objects = cfg["modality"], cfg["agents"], cfg["objects"]
    verbs, nouns = acts("acts"), acts("nouns")
    all_phrases = [*verbs, *nouns]
    v = _Vocab(
        verbs=verbs, nouns=nouns, short=phrases(cfg["short"]["approve"]),
        negation=phrases(mod["negation"]), conditional=phrases(mod["conditional"]), future=phrases(mod["future"]),
        request=phrases(mod["request"]), affirmative=frozenset(lemma(w) for w in mod["affirmative_infinitive"]),
        hedge=phrases(mod["hedge"]), writer=phrases(agents["writer"]),
        addressee=frozenset(lemma(w) for w in agents["addressee"]),
        others=frozenset(lemma(w) for w in agents["others"]),
        writer_possessive=frozenset(w.lower() for w in agents["writer_possessive"]),
        work=phrases(objects["work"]), reference=phrases(objects["reference"]), pronoun=phrases(objects["pronoun"]),
        licensing=phrases(objects["licensing"]), not_work=phrases(objects["not_work"]),
        relationship=phrases(objects["relationship"]), disclosure=phrases(objects["disclosure"]),
        satisfied=phrases(cfg["completion"]["satisfied"]),
        satisfaction=frozenset(lemma(w) for w in cfg["completion"]["satisfaction_adjectives"]),
        put_up=phrases(cfg["thread"]["put_up"]),
        auto_subject=tuple(s.lower() for s in cfg["auto_reply"]["subject"]),
        auto_body=tuple(s.lower() for s in cfg["auto_reply"]["body"]),
        longest=1,
    )
    groups = (v.negation, v.conditional, v.future, v.request, v.hedge, v.writer, v.work, v.reference, v.licensing,
              v.not_work, v.relationship, v.disclosure, v.satisfied, v.put_up, v.short)
    longest = max([len(p) for p in all_phrases] + [len(p) for g in groups for p in g])
    return _Vocab(**{**v.__dict__, "longest": longest})


# ---- tokens ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    low: str
    lemma: str
    start: int
    end: int
    space_before: bool
    dash: bool
    """A hyphen or dash token."""


_DASHES = {"-", "–", "—", "‒", "−"}
_BE = {"be", "is", "are", "was", "were", "been", "being", "'s", "'re", "am", "'m"}
_HAVE = {"have", "has", "had", "'ve", "'d"}
_BOUNDARY = {";", ":", "(", ")", "!", "?", "•", "|"}
_CONJ = {"but", "however", "although", "though", "whereas", "while", "except", "otherwise", "meanwhile"}
_ADVERBS = {"hereby", "fully", "formally", "also", "now", "officially", "gladly", "happily", "herewith", "thereby",
            "therefore", "hence", "thus", "duly", "kindly", "just", "already", "all", "both", "jointly",
            "today", "herein", "again", "finally", "please", "so", "then", "ok", "okay", "alright", "right",
            "great", "thanks", "thank", "yes", "yep", "sure", "good", "fine", "perfect", "excellent", "brilliant"}
_PARTICIPLE_END = ("ed", "en")


def _tokens(text: str) -> list[_Tok]:
    with nlp.LOCK:
        doc = nlp.nlp().tokenizer(text)
        out = []
        prev_ws = True
        for t in doc:
            low = t.text.lower()
            out.append(_Tok(t.text, low, lemma(t.text) if t.text.strip() else low, t.idx, t.idx + len(t.text),
                            prev_ws, low in _DASHES))
            prev_ws = bool(t.whitespace_)
    return out


def _at(toks: list[_Tok], i: int, phrases: frozenset[Phrase] | dict[Phrase, str], longest: int) -> int:
    """Length (in tokens) of the longest phrase starting at ``toks[i]``, 0 when none. Matches on
    lemma or on the word as written."""
    best = 0
    for n in range(min(longest, len(toks) - i), 0, -1):
        window = toks[i:i + n]
        if tuple(t.lemma for t in window) in phrases or tuple(t.low for t in window) in phrases:
            best = n
            break
    return best


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
        return _none(text, span)
    clauses = _clauses(toks)
    question = text.rstrip().endswith("?")
    hedged = bool(_find(toks, v.hedge, v.longest))
    findings: list[Finding] = []
    carry: Modality | None = None
    for c0, c1 in clauses:
        clause = [t for t in toks[c0:c1] if not t.dash]
        if not clause:
            continue
        triggers = _triggers(clause, v)
        leading = _leading_modality(clause, v)
        if not triggers:
            if leading == "conditional":
                carry = "conditional"  # "If the budget is confirmed, ..." colours the next clause
            continue
        for n, trig in enumerate(triggers):
            stop = triggers[n + 1].i if n + 1 < len(triggers) else len(clause)
            findings.append(_judge(text, span, clause[:stop], trig, v, question=question, hedged=hedged, carry=carry,
                                   thread=thread))
        carry = None
    if not findings and _find(toks, v.licensing, v.longest) and not _find(toks, v.work, v.longest):
        # "Please send the quote for 500 E5 licences": no approval, but plainly a licensing matter
        return [Finding(text, span, None, "none", "", "licensing", "", "positive", "asserted", "licensing")]
    return findings


def _best(findings: list[Finding], text: str, span: tuple[int, int]) -> Finding:
    if not findings:
        return _none(text, span)
    good = [f for f in findings if f.approves]
    if good:
        # one clause that refuses ("but we cannot approve phase 3") does not undo another that approves,
        # unless the sentence is a question or is hedged, which _judge already applied
        return good[0]
    order = ["disclosure", "relationship", "licensing", "not_work", "negated", "conditional", "future", "request", "question",
             "hedged", "other_agent", "no_object", "no_act"]
    findings.sort(key=lambda f: order.index(f.reason) if f.reason in order else len(order))
    return findings[0]


def _none(text: str, span: tuple[int, int]) -> Finding:
    return Finding(text, span, None, "none", "", "none", "", "positive", "asserted", "no_act")


def _triggers(clause: list[_Tok], v: _Vocab) -> list[_Trigger]:
    out: list[_Trigger] = []
    i = 0
    whole = tuple(t.lemma for t in clause if t.text not in ".,!…")
    whole_low = tuple(t.low for t in clause if t.text not in ".,!…")
    if whole in v.short or whole_low in v.short:
        return [_Trigger("approve", 0, len(clause), False, short=True)]
    while i < len(clause):
        n = _at(clause, i, v.verbs, v.longest)
        if n:
            act = v.verbs[tuple(t.lemma for t in clause[i:i + n])] if tuple(t.lemma for t in clause[i:i + n]) \
                in v.verbs else v.verbs[tuple(t.low for t in clause[i:i + n])]
            # "sign" alone approves only as "signed"/"sign off"; "start"/"continue" need an object
            out.append(_Trigger(act, i, n, False, word=clause[i].low))  # type: ignore[arg-type]
            i += n
            continue
        n = _at(clause, i, v.nouns, v.longest)
        if n:
            key = tuple(t.lemma for t in clause[i:i + n])
            act = v.nouns.get(key) or v.nouns[tuple(t.low for t in clause[i:i + n])]
            out.append(_Trigger(act, i, n, True, word=clause[i].low))  # type: ignore[arg-type]
            i += n
            continue
        if clause[i].lemma in v.satisfaction and i + 1 < len(clause) and clause[i + 1].low == "with":
            out.append(_Trigger("accept", i, 2, False, word=clause[i].low))
            i += 2
            continue
        i += 1
    return out


def _leading_modality(clause: list[_Tok], v: _Vocab) -> Modality | None:
    if _at(clause, 0, v.conditional, v.longest):
        return "conditional"
    return None


def _judge(text: str, span: tuple[int, int], clause: list[_Tok], trig: _Trigger, v: _Vocab, *,
           question: bool, hedged: bool, carry: Modality | None, thread: str) -> Finding:
    before = clause[:trig.i]
    after = clause[trig.i + trig.n:]
    trigger_text = " ".join(t.text for t in clause[trig.i:trig.i + trig.n])

    def finding(reason: str, *, agent: Agent = "none", agent_text: str = "", obj: ObjectKind = "none",
                obj_text: str = "", polarity: str = "positive", modality: Modality = "asserted") -> Finding:
        return Finding(text, span, trig.act, agent, agent_text, obj, obj_text, polarity,  # type: ignore[arg-type]
                       modality, reason, trigger_text)

    if trig.short:
        obj, obj_text = _thread_object(thread, v)
        if question:
            return finding("question", agent="writer", obj=obj, obj_text=obj_text, modality="question")
        if obj == "none":
            return finding("no_object", agent="writer")
        return finding("approves", agent="writer", obj=obj, obj_text=obj_text)

    # what stands before the trigger in its clause
    negated = bool(_find(before, v.negation, v.longest)) or _negated_after(after, v)
    conditional = carry == "conditional" or bool(_find(before, v.conditional, v.longest))
    requests = _find(before, v.request, v.longest)
    futures = [(i, n) for i, n in _find(before, v.future, v.longest)]
    agent, agent_text, passive = _agent(before, after, trig, v)
    permissive = trig.act == "go_ahead"
    # "You may proceed", "you can start": the writer permits the person addressed
    if agent == "addressee" and permissive:
        futures = [(i, n) for i, n in futures if before[i].low not in ("may", "can")]
        agent = "writer"
    # "happy to proceed", "pleased to confirm": affirmative, not intention
    if requests and permissive and all(before[i].low in ("please", "kindly") for i, _ in requests):
        requests = []
    if trig.noun and before and before[-1].low in {"for", "pending", "awaiting", "await", "seek", "need"}:
        requests = requests or [(len(before) - 1, 1)]
    if trig.noun and agent == "addressee":
        requests = requests or [(0, 1)]

    obj, obj_text = _object(clause, trig, after, before, passive, v, thread)

    if trig.act == "complete":
        # a report of finished work counts only as a confirmation of it, to the writer's satisfaction
        satisfied = bool(_find(clause, v.satisfied, v.longest)) or any(
            t.lemma in v.satisfaction for t in before)
        if not (passive or _perfect(before)) or not satisfied:
            return finding("no_act", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text)
    if negated:
        return finding("negated", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text,
                       polarity="negative")
    if question:
        return finding("question", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text,
                       modality="question")
    if requests:
        return finding("request", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text, modality="request")
    if conditional:
        return finding("conditional", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text,
                       modality="conditional")
    if futures:
        return finding("future", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text, modality="future")
    if hedged:
        return finding("hedged", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text, modality="hedged")
    if agent in ("other", "addressee"):
        return finding("other_agent", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text)
    if obj in ("relationship", "licensing", "not_work", "disclosure"):
        return finding(obj, agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text)
    if obj == "none":
        return finding("no_object", agent=agent, agent_text=agent_text)
    return finding("approves", agent=agent, agent_text=agent_text, obj=obj, obj_text=obj_text)


def _negated_after(after: list[_Tok], v: _Vocab) -> bool:
    """"Approved? Not yet." / "approved: no" — a negation right after the trigger."""
    return bool(after) and after[0].low in ("not", "no", "never") and (len(after) < 3 or after[1].low in ("yet", "."))


def _perfect(before: list[_Tok]) -> bool:
    return any(t.low in _HAVE or t.lemma == "have" for t in before[-3:])


def _agent(before: list[_Tok], after: list[_Tok], trig: _Trigger, v: _Vocab) -> tuple[Agent, str, bool]:
    """(agent, organisation text, passive) from the words before the trigger (and "by X" after)."""
    passive = bool(before) and (before[-1].low in _BE or (len(before) > 1 and before[-2].low in _BE
                                                           and before[-1].low in _ADVERBS | {"been", "not"}))
    if not trig.noun and not passive and before and _is_participle(trig) and _bare(after):
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
        if t.lemma in v.others and not (k > 0 and before[k - 1].low in v.writer_possessive):
            return "other", t.text, False
        if t.lemma in v.others and k > 0 and before[k - 1].low in v.writer_possessive:
            return "writer", "", False  # "our board approved": the writer's own organisation
        if t.text[:1].isupper() and t.low not in _ADVERBS and k > 0 and t.low not in ("i",):
            org = _proper_run(before[:k + 1], from_end=True)
            if org and len(org.split()) >= 1 and not _sentence_start_word(before, org):
                return "organisation", org, False
        k -= 1
    return "writer", "", False  # no subject: an imperative or a bare participle, the writer's own act


def _sentence_start_word(before: list[_Tok], org: str) -> bool:
    """A single capitalised word that only starts the sentence ("Kindly", "Formally") is no name."""
    return len(org.split()) == 1 and before and before[0].text == org and org.lower() in _ADVERBS


_IRREGULAR_PARTICIPLES = {"done", "begun", "undertaken", "signed", "given", "underway"}


def _is_participle(trig: _Trigger) -> bool:
    return trig.word.endswith(_PARTICIPLE_END) or trig.word in _IRREGULAR_PARTICIPLES


def _bare(after: list[_Tok]) -> bool:
    """Nothing but punctuation, "off" or adverbs after the trigger."""
    return all(t.low in _ADVERBS or not t.text[:1].isalnum() or t.low in ("off", "by", "as", "well")
               for t in after[:3]) and len(after) <= 3

_LEGAL_TAIL = {"ltd", "ltd.", "limited", "inc", "inc.", "llc", "gmbh", "ag", "plc", "bv", "b.v.", "nv", "sa", "s.a.",
               "sas", "s.a.s.", "spa", "s.p.a.", "srl", "s.r.l.", "ab", "as", "oy", "pty", "pvt", "llp", "lp", "co",
               "co.", "corp", "corp.", "corporation", "group", "kg", "se", "pte", "pvt.", "ltd.,", "&", "and", "of"}


def _proper_run(toks: list[_Tok], *, from_end: bool = False) -> str:
    """The run of capitalised words (with legal forms, "&", "of") at the end (or start) of ``toks``."""
    seq = list(reversed(toks)) if from_end else list(toks)
    run: list[_Tok] = []
    for t in seq:
        if t.text[:1].isupper() or t.low in _LEGAL_TAIL or (t.text[:1].isdigit() and run) \
                or (t.low in (".", ",") and run and not from_end):
            if t.low in ("i",) or t.low in ("this", "the", "our", "we"):
                break
            run.append(t)
        else:
            break
    if from_end:
        run.reverse()
    while run and run[0].low in ("&", "and", "of", ".", ","):
        run.pop(0)
    while run and run[-1].low in ("&", "and", "of", ","):
        run.pop()
    words = [t.text for t in run]
    if not words or all(w.lower() in _ADVERBS for w in words):
        return ""
    return " ".join(words)


def _object(clause: list[_Tok], trig: _Trigger, after: list[_Tok], before: list[_Tok], passive: bool,
            v: _Vocab, thread: str) -> tuple[ObjectKind, str]:
    """What the act is about: the words after the trigger (and, in the passive, its subject)."""
    widened = passive or trig.noun or not after
    scope = list(before) + list(after) if widened else list(after)
    for kind, phrases in (("relationship", v.relationship), ("disclosure", v.disclosure)):
        hits_ = _find(scope, phrases, v.longest)
        if hits_:
            i, n = hits_[0]
            return kind, " ".join(t.text for t in scope[i:i + n])  # type: ignore[return-value]
    # the object nearest the trigger decides: "the renewal of our subscription for the rollout" is a
    # renewal; "receipt of the proposal" is a receipt, not the proposal
    hits: list[tuple[int, int, ObjectKind]] = []
    for kind, phrases in (("work", v.work), ("reference", v.reference), ("licensing", v.licensing),
                          ("not_work", v.not_work)):
        hits.extend((i, n, kind) for i, n in _find(scope, phrases, v.longest))  # type: ignore[misc]
    if not hits:
        return _thread_object(thread, v)
    anchor = len(before) if widened else 0
    prefer_after = bool(after) and not passive

    def distance(h: tuple[int, int, ObjectKind]) -> int:
        """Tokens from the trigger; for active verbs with words after them, what follows comes first."""
        i = h[0]
        if i < anchor:
            return anchor - i + (1000 if prefer_after else 0)
        return i - anchor
    i, n, kind = min(hits, key=distance)
    if kind == "reference":
        # "the attached" may name the licence order attached: a nearer thing named beside it decides
        named = [h for h in hits if h[2] != "reference"]
        if named and min(named, key=distance)[2] in ("licensing", "not_work") and len(named) == len(hits) - 1:
            i, n, kind = min(named, key=distance)
    return kind, " ".join(t.text for t in scope[i:i + n])


def _thread_object(thread: str, v: _Vocab) -> tuple[ObjectKind, str]:
    if not thread.strip():
        return "none", ""
    toks = [t for t in _tokens(thread) if not t.dash]
    if _find(toks, v.licensing, v.longest) and not _find(toks, v.work, v.longest):
        return "none", ""
    if _find(toks, v.work, v.longest) or _find(toks, v.put_up, v.longest):
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
        hits = _find(toks, v.work, v.longest)
        if len(hits) >= 2:
            return " ".join(" ".join(t.text for t in toks[i:i + n]) for i, n in hits[:4])
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
