"""The reviewer's ready-to-paste comment, drafted from what failed or needs a look."""

from __future__ import annotations

from ..report import TITLES


def draft_comment(verdict: dict) -> str:
    failed = [c for c in verdict["checks"] if c["status"] == "fail"]
    unsure = [c for c in verdict["checks"] if c["status"] == "warn"]
    unread = [d for d in verdict["documents"] if d["error"]]
    if not (failed or unsure or unread):
        return (f"Claim {verdict['claim_id']}: the proof of execution meets the POE requirements "
                "(customer acknowledgement, names, activity detail, workloads, dates and document type). Approved.")
    lines = [f"Claim {verdict['claim_id']}: the proof of execution cannot be approved yet."]
    if failed:
        lines.append("Please correct the following and resubmit:")
        lines += [f"- {TITLES[c['rule']]}: {c['message']}" + (f" {c['fix']}" if c["fix"] else "") for c in failed]
    if unsure:
        lines.append("Please also make sure of the following:")
        lines += [f"- {TITLES[c['rule']]}: {c['message']}" + (f" {c['fix']}" if c["fix"] else "") for c in unsure]
    if unread:
        lines.append("These files could not be read:")
        lines += [f"- {d['name']}: {d['error']}" for d in unread]
    return "\n".join(lines)
