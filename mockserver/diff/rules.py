"""The rule codes of ``mockserver diff``, and each verdict as a finding.

Codes ``MS4xx`` never change meaning once released. :data:`RULES` is diff's own registry
(the loading rules every verb shares, then its own), which the command line hands to the
shared reporters. ``MS499`` is a suspected break no witness was found for: its finding
is a warning, never an error.
"""

from __future__ import annotations

from mockserver.diff.documents import Side
from mockserver.diff.normal import Site
from mockserver.diff.suspects import Suspect
from mockserver.diff.witness import Witness
from mockserver.report.findings import LOADING_RULES, Finding, Registry, Rule

UNPROVEN = "MS499"
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
                "A response field clients read was removed or made optional.",
                "keep the field, and keep it required",
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


def to_finding(suspect: Suspect, witness: Witness | None, old: Side, new: Side) -> Finding:
    """The finding for a proven break (``witness``) or an unproven suspect (None)."""
    side, site = (new, suspect.new_site) if suspect.new_site else (old, suspect.old_site)
    file, pointer = site if site is not None else (side.document.path, "")
    position = side.position(file, pointer)
    return Finding(
        code=suspect.code if witness is not None else UNPROVEN,
        file=side.display(file),
        pointer=pointer,
        message=_message(suspect, witness, old, new),
        line=position.line,
        column=position.column,
        hint="" if witness is not None else f"suspected {DIFF_RULES[suspect.code][0].name}",
        severity="error" if witness is not None else "warning",
    )


def _message(suspect: Suspect, witness: Witness | None, old: Side, new: Side) -> str:
    who = DIFF_RULES[suspect.code][1]
    lines = [f"{suspect.old_op.key}: {suspect.summary} (breaks {who})"]
    lines.append(f"OLD {_where(old, suspect.old_site)}; NEW {_where(new, suspect.new_site)}")
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
    if site is None:
        return "(absent)"
    file, pointer = site
    position = side.position(file, pointer)
    return f"{side.display(file)}:{position.line}:{position.column}"
