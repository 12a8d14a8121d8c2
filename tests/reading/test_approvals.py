"""The approval reader on the shapes it was taught in general terms: a confirmation whose clause
follows without "that", "after <something that happened>" (not a condition), a declared approval
("please consider X approved"), a go-ahead answering a thread that asks whether to start, and what
only looks like approval of the work (a payment schedule, a time slot, other work, work still pending)."""

import pytest

from poe_checker.reading.approvals import read_sentence, thread_context


def reads(sentence: str, subject: str = "RE: Purview rollout") -> tuple[bool, str]:
    f = read_sentence(sentence, thread=thread_context(subject))
    return f.approves, f.reason


@pytest.mark.parametrize("sentence, subject", [
    ("Having read it twice, I can confirm we approve the Purview rollout.", "RE: Purview rollout"),
    ("Following the steering meeting, we accept the design for the tenant split.", "RE: Tenant split"),
    ("After discussion with our architects, Northwind approves the phase 2 plan.", "RE: Phase 2"),
    ("Kindly consider the proposal accepted.", "RE: Proposal v3"),
    ("Please go ahead.", "RE: Can we begin the migration on Monday?"),
    ("Sure, crack on.", "RE: OK to kick off?"),
    ("You are good to go with the Sentinel onboarding as scoped.", "RE: Sentinel onboarding"),
    ("Everything is in; you can close out the engagement.", "RE: Engagement close-out"),
])
def test_approvals_in_shapes_the_reader_was_taught(sentence, subject):
    assert reads(sentence, subject) == (True, "approves")


@pytest.mark.parametrize("sentence, subject, reason", [
    ("After the board meets, we approve the rollout.", "RE: Rollout", "conditional"),
    ("After procurement signs the order, we confirm the start of the migration.", "RE: Migration", "conditional"),
    ("Please consider approving the scope.", "RE: Scope", "request"),
    ("Please consider the plan and confirm it is approved.", "RE: Plan", "request"),
    ("We approve the licence billing plan for next year.", "RE: Billing", "licensing"),
    ("I approve the milestone payment schedule.", "RE: Payments", "not_work"),
    ("Wednesday at 10:30 is approved for the handover.", "RE: Handover slot", "not_work"),
    ("Friday 3pm is approved.", "RE: Handover slot", "not_work"),
    ("We approved a similar proposal from another integrator last spring.", "RE: Proposal", "not_work"),
    ("Last year's plan was signed off, but this one is yet to be reviewed.", "RE: Plan", "negated"),
    ("Go ahead.", "RE: Invoice 4471", "no_object"),
    ("I can confirm we will accept the deliverables next week.", "RE: Deliverables", "future"),
])
def test_what_only_looks_like_an_approval(sentence, subject, reason):
    assert reads(sentence, subject) == (False, reason)


@pytest.mark.parametrize("sentence, agent, organisation", [
    # a verb after "and" with no subject of its own shares the clause's subject: the names between
    # are the first verb's object, not who approves
    ("We have reviewed the ECIF project charter and approve the Intune deployment work.", "writer", ""),
    ("I read the Northwind proposal twice and accept it as scoped.", "writer", ""),
    # a clause that opens with an organisation keeps it as the agent
    ("Contoso Ltd has reviewed the charter and approves the Intune deployment work.", "organisation", "Contoso Ltd"),
])
def test_a_coordinated_verb_shares_the_subject_the_clause_opens_with(sentence, agent, organisation):
    f = read_sentence(sentence, thread=thread_context("RE: ECIF charter"))
    assert f.approves and (f.agent, f.agent_text) == (agent, organisation)
