"""The rule codes of ``mockserver diff``, and each verdict as a finding.

Codes ``MS4xx`` never change meaning once released. :data:`RULES` is diff's own registry
(the loading rules every verb shares, then its own), which the command line hands to the
shared reporters. ``MS499`` is a suspected break no witness was found for: its finding
is a warning, never an error.
"""

from __future__ import annotations

from typing import Any

from mockserver.diff.documents import Side
from mockserver.diff.normal import Site
from mockserver.diff.suspects import NOT_COMPARED, Suspect
from mockserver.diff.witness import Witness
from mockserver.report.findings import LOADING_RULES, Finding, Registry, Rule

UNPROVEN = "MS499"
#: The comparison itself failed: an ``MS0xx`` code, so the run exits 2.
CRASHED = "MS098"
#: Who a rule's breaks hurt.
CLIENTS, PROVIDERS = "clients", "providers"

DIFF_RULES: dict[str, tuple[Rule, str]] = {
    rule.code: (rule, who)
    for rule, who in (
        (
            Rule(
                "MS401",
                "operation-removed",
                "An operation clients call is gone.",
                "keep the operation (deprecate it first), or publish a new major version",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS402",
                "required-parameter-added",
                "A parameter old clients do not send is now required.",
                "make the parameter optional, with a default the server applies",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS403",
                "required-body-field-added",
                "A request body, or a field in it, that old clients may leave out is now required.",
                "make it optional, with a default the server applies",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS404",
                "request-narrowed",
                "A request old clients may send is now refused (type, enum, range, format, "
                "pattern or media type narrowed).",
                "accept what the old document accepted; narrow in a new version",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS405",
                "response-field-removed",
                "A response field clients read was removed.",
                "keep the field in the response",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS406",
                "response-type-changed",
                "A response value may now have a type old clients do not expect.",
                "keep the type; add a new field for the new type",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS407",
                "response-enum-widened",
                "A response value may now be one old clients do not know.",
                "document the new value as a new field, or make clients tolerate unknown values",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS408",
                "success-status-removed",
                "A success status of the old document is gone.",
                "keep the status, or keep answering it",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS409",
                "security-tightened",
                "Credentials that were enough are no longer enough.",
                "keep accepting the old credentials (as an alternative requirement)",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS410",
                "response-narrowed",
                "A response the old provider may send is now out of contract.",
                "change the provider before the document, or keep accepting what it sends",
            ),
            PROVIDERS,
        ),
        (
            Rule(
                "MS411",
                "response-widened",
                "A response value may now fall outside what old clients expect (range, "
                "pattern, format or shape widened).",
                "keep the old constraint; widen in a new version",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS412",
                "response-field-no-longer-required",
                "A response field clients rely on is still there but no longer required.",
                "keep the field required",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS413",
                "response-media-type-removed",
                "A response media type clients ask for (Accept) is no longer served.",
                "keep serving the media type beside the new ones",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS414",
                "webhook-removed",
                "A webhook or callback subscribers receive is no longer sent.",
                "keep sending it (deprecate it first)",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS415",
                "webhook-request-widened",
                "The API may now send a webhook or callback request old subscribers refuse.",
                "send what the old document sent; widen in a new webhook version",
            ),
            CLIENTS,
        ),
        (
            Rule(
                "MS416",
                "webhook-response-narrowed",
                "The API now refuses a webhook or callback response old subscribers send.",
                "keep accepting what the old document accepted from subscribers",
            ),
            CLIENTS,
        ),
        (
            Rule(
                NOT_COMPARED,
                "response-not-compared",
                "A response body the old document described was not compared (a note).",
                "describe the body in the new document too, or check the change by hand",
            ),
            CLIENTS,
        ),
        (
            Rule(
                CRASHED,
                "diff-crashed",
                "mockserver diff failed on this pair of documents: they were not compared.",
                "report the pair and the message to mockserver's maintainers",
            ),
            CLIENTS,
        ),
        (
            Rule(
                UNPROVEN,
                "unproven-break",
                "A change looks breaking, but no witness was found within the budget.",
                "raise --budget, or check the change by hand",
            ),
            CLIENTS,
        ),
    )
}
#: The registry a diff run reports with.
RULES = Registry((*LOADING_RULES, *(rule for rule, _ in DIFF_RULES.values())))


def breaks(code: str) -> str:
    """The side a break of rule ``code`` hurts: :data:`CLIENTS` or :data:`PROVIDERS`."""
    return DIFF_RULES[code][1] if code in DIFF_RULES else CLIENTS


def to_finding(
    suspect: Suspect,
    witness: Witness | None,
    old: Side,
    new: Side,
    operations: tuple[str, ...] = (),
) -> Finding:
    """The finding for a proven break (``witness``) or an unproven suspect (None);
    ``operations`` lists every operation the same change reaches (default: the suspect's)."""
    old_site, new_site = _known(suspect.old_site), _known(suspect.new_site)
    side, site = (new, new_site) if new_site and not suspect.at_old else (old, old_site)
    if site is None:
        side, site = (new, new_site) if new_site else (old, None)
    file, pointer = site if site is not None else (old.document.path, suspect.old_op.pointer)
    position = side.position(file, pointer)
    operations = operations or (suspect.old_op.key,)
    note = suspect.code == NOT_COMPARED
    return Finding(
        code=suspect.code if witness is not None or note else UNPROVEN,
        file=side.display(file),
        pointer=pointer,
        message=_message(suspect, witness, old, new, operations),
        line=position.line,
        column=position.column,
        hint="" if witness is not None or note else f"suspected {DIFF_RULES[suspect.code][0].name}",
        severity="info" if note else "error" if witness is not None else "warning",
        details=_details(suspect, witness, old, new, operations),
    )


def _details(
    suspect: Suspect, witness: Witness | None, old: Side, new: Side, operations: tuple[str, ...]
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "rule": DIFF_RULES[suspect.code][0].name,
        "breaks": None if suspect.code == NOT_COMPARED else breaks(suspect.code),
        "change": suspect.summary,
        "operations": list(operations),
        "old": _location(old, suspect.old_site),
        "new": _location(new, suspect.new_site),
        "proven": witness is not None,
    }
    if witness is not None:
        facts["witness"] = {
            "kind": witness.kind,
            **witness.fields(),
            "accepted_by": witness.accepted_by,
            "rejected_by": witness.rejected_by,
            "violation": {
                "keyword": witness.violation.keyword,
                "at": witness.violation.pointer or "/",
                "message": witness.violation.message,
            },
        }
    return facts


def _known(site: Site | None) -> Site | None:
    """``site``, or None where the change is written nowhere (a schema left out)."""
    return site if site is not None and site[0] is not None else None


def _location(side: Side, site: Site | None) -> dict[str, Any] | None:
    site = _known(site)
    if site is None:
        return None
    file, pointer = site
    position = side.position(file, pointer)
    return {
        "file": str(side.display(file)),
        "line": position.line,
        "column": position.column,
        "pointer": pointer,
    }


def _message(
    suspect: Suspect, witness: Witness | None, old: Side, new: Side, operations: tuple[str, ...]
) -> str:
    who = "" if suspect.code == NOT_COMPARED else f" (breaks {breaks(suspect.code)})"
    lines = [f"{', '.join(operations)}: {suspect.summary}{who}"]
    lines.append(f"OLD {_where(old, suspect.old_site)}; NEW {_where(new, suspect.new_site)}")
    if witness is None and suspect.code == NOT_COMPARED:
        return "\n    ".join(lines)
    if witness is None:
        lines.append(f"unproven: no witness found ({DIFF_RULES[suspect.code][0].code} suspected)")
        return "\n    ".join(lines)
    v = witness.violation
    lines.append(f"witness {witness.kind}: {witness.text}")
    lines.append(
        f"{witness.accepted_by} accepts it; {witness.rejected_by} rejects it: "
        f"{v.keyword} at {v.pointer or '/'}: {v.message}"
    )
    return "\n    ".join(lines)


def _where(side: Side, site: Site | None) -> str:
    site = _known(site)
    if site is None:
        return "(absent)"
    file, pointer = site
    position = side.position(file, pointer)
    return f"{side.display(file)}:{position.line}:{position.column}"
