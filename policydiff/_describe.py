"""One plain sentence per change, in the policy's own terms.

A rule reads as who may or may not do what, where, under which conditions:
"Ukraine may strike (territory: Belgorod Oblast; weapon: GMLRS or artillery;
purpose: defensive), only against Russian forces ...".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from policydiff._text import joined
from policydiff.model import Change, Effect, Kind, PolicyVersion, Rule

_FIELD_NAMES = {
    "approved_by": "Approvers",
    "announced": "Announcement date",
    "open": "Open dimensions",
}


def either(values: Iterable[str], word: str = "or") -> str:
    """Return ``["a", "b", "c"]`` as ``"a, b or c"`` (sorted, so output is stable)."""
    return joined(sorted(values), word) or "nothing"


def _said(rule: Rule, dim: str, but: str, values: frozenset[str] | None = None) -> str:
    """Say a rule's values on one dimension: ``a or b``, or ``<but> a or b`` for exceptions.

    ``values`` are the rule's values on ``dim``, when the caller has them at hand.
    """
    if values is None:
        values = rule.values_on(dim) or frozenset()
    return f"{but} {either(values)}" if dim in rule.negated else either(values)


def rule_sentence(rule: Rule, *, modal: str | None = None, start: bool = True) -> str:
    """Return the rule as a sentence: who may (not) / must do what, where, and when.

    Args:
        rule: The rule.
        modal: Override the verb phrase ("may no longer"); by default it
            follows the rule's effect.
        start: ``False`` when the sentence goes on from words before it
            ("now ..."): its own first word ("Anyone", "No one") is then
            not capitalised. A subject's name is never changed.
    """
    action = _said(rule, "action", "do anything but", rule.action)
    where = ""
    if rule.scope:
        where = (
            " ("
            + "; ".join(
                f"{dim}: {_said(rule, dim, 'anything but', values)}"
                for dim, values in rule.scope.items()
            )
            + ")"
        )
    conditions = ", " + "; ".join(sorted(rule.conditions)) if rule.conditions else ""
    if rule.effect is Effect.OBLIGE and modal is None:
        # An obligation asks something of whoever does the action: say what
        # it attaches to first, so it never reads as a duty to act.
        who = _said(rule, "subject", "anyone but") if rule.subject else "everyone"
        sentence = f"To {action}{where}{conditions}, {who} must meet a requirement"
        if rule.text:
            sentence += f": {_unstopped(rule.text)}"
        return sentence if start else _lowered(sentence)
    if rule.subject:
        modal = modal or {Effect.PERMIT: "may", Effect.PROHIBIT: "may not"}[rule.effect]
        return f"{_said(rule, 'subject', 'Anyone but')} {modal} {action}{where}{conditions}"
    if rule.effect is Effect.PROHIBIT and modal is None:
        sentence = f"No one may {action}{where}{conditions}"
    else:
        sentence = f"Anyone {modal or 'may'} {action}{where}{conditions}"
    return sentence if start else _lowered(sentence)


def _lowered(sentence: str) -> str:
    """Lower-case a sentence of ours that starts with our own word, to go on mid-sentence."""
    return sentence[:1].lower() + sentence[1:]


def start_sentence(version: PolicyVersion, rule: Rule) -> str:
    """``In force from the first version (v1, effective 2022): ...``."""
    noun = {
        Effect.PERMIT: "Permission",
        Effect.PROHIBIT: "Restriction",
        Effect.OBLIGE: "Obligation",
    }[rule.effect]
    return (
        f"{noun} in force from the first version ({version.version},"
        f" effective {version.effective}): {rule_sentence(rule)}."
    )


def _unstopped(text: str) -> str:
    """``text`` without its closing full stop, to end a sentence of ours."""
    text = text.strip()
    return text[:-1] if text.endswith(".") else text


def describe(
    change: Change,
    old: PolicyVersion,
    new: PolicyVersion,
    rule_old: Rule | None = None,
    rule_new: Rule | None = None,
) -> str:
    """Return the sentence for ``change`` between ``old`` and ``new``.

    ``rule_old`` and ``rule_new`` are the changed rule in each version, when
    it is in that version (the caller has them at hand).
    """
    kind = change.kind
    if kind is Kind.PERMISSION_GRANTED and rule_new:
        return f"Permission granted: {rule_sentence(rule_new)}."
    if kind is Kind.RESTRICTION_IMPOSED and rule_new:
        noun = "Obligation" if rule_new.effect is Effect.OBLIGE else "Restriction"
        return f"{noun} imposed: {rule_sentence(rule_new)}."
    if kind is Kind.PERMISSION_REVOKED and rule_old:
        return f"Permission revoked: {rule_sentence(rule_old, modal='may no longer')}."
    if kind is Kind.RESTRICTION_LIFTED and rule_old:
        noun = "Obligation" if rule_old.effect is Effect.OBLIGE else "Restriction"
        return f"{noun} lifted: “{rule_sentence(rule_old)}” no longer applies."
    if kind is Kind.RULE_RENAMED:
        before = change.before["id"] if isinstance(change.before, dict) else "?"
        return f"Rule {before} renamed to {change.rule}; what it says is unchanged."
    if change.dimension == "announced" and change.rule is None:
        if new.announced is None:
            return "Announcement date removed."
        return f"Announced {new.announced}" + (f" (was {old.announced})." if old.announced else ".")
    if rule_new is None:
        return _version_sentence(change)
    if kind is Kind.EFFECT_CHANGED:
        return (
            f"Rule {change.rule} changed from {change.before} to {change.after}: "
            f"{rule_sentence(rule_new)}."
        )
    if kind in (Kind.SCOPE_BROADENED, Kind.SCOPE_NARROWED, Kind.SCOPE_CHANGED):
        return _scope_sentence(change, rule_new)
    if kind in (Kind.CONDITION_ADDED, Kind.CONDITION_REMOVED):
        verb = "added to" if kind is Kind.CONDITION_ADDED else "removed from"
        values = change.added or change.removed
        noun = "Condition" if len(values) == 1 else "Conditions"
        listed = "; ".join(f"“{v}”" for v in sorted(values))
        return f"{noun} {verb} {change.rule}: {listed}; now {rule_sentence(rule_new, start=False)}."
    if kind is Kind.RULE_REWORDED:
        if isinstance(change.after, dict) and change.after.get("text") != _get(
            change.before, "text"
        ):
            return f"Rule {change.rule} reworded: “{_unstopped(str(change.after.get('text')))}”."
        return f"Sources of rule {change.rule} changed; what it says is unchanged."
    return _version_sentence(change)


def _quoted(text: str) -> str:
    """``text`` in quotation marks ending a sentence: one full stop, never two."""
    text = text.strip()
    return f"“{text}”" if text.endswith((".", "!", "?")) else f"“{text}”."


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _scope_sentence(change: Change, rule: Rule) -> str:
    dim = change.dimension or "scope"
    noun = (
        "Permission"
        if rule.effect is Effect.PERMIT
        else ("Obligation" if rule.effect is Effect.OBLIGE else "Restriction")
    )
    verb = {
        Kind.SCOPE_BROADENED: "broadened",
        Kind.SCOPE_NARROWED: "narrowed",
        Kind.SCOPE_CHANGED: "changed",
    }[change.kind]
    was = _listed(change.before, dim)
    now = _listed(change.after, dim)
    return f"{noun} {verb} ({dim}: {now}, was {was}): {rule_sentence(rule)}."


def _listed(values: Any, dim: str) -> str:
    """Say a scope change's values: ``any <dim>``, ``a and b``, or ``anything but a and b``."""
    if values is None:
        return f"any {dim}"
    if isinstance(values, dict):
        return f"anything but {either(values['not'], 'and')}"
    return either(values, "and")


def _version_sentence(change: Change) -> str:
    field = change.dimension
    if change.kind is Kind.DEFAULT_CHANGED:
        if change.after == "none":
            return (
                f"Default changed from {change.before} to none: where no rule applies,"
                " this policy no longer decides."
            )
        outcome = "permitted" if change.after == "permit" else "prohibited"
        return (
            f"Default changed from {change.before} to {change.after}: where no rule"
            f" applies, the answer is now {outcome}."
        )
    if change.kind is Kind.CONFLICT_CHANGED:
        return f"Conflict strategy changed from {change.before} to {change.after}."
    name = _FIELD_NAMES.get(field or "", (field or "metadata").capitalize())
    if field == "events":
        counts = [
            f"{len(v)} {word}"
            for v, word in ((change.added, "added"), (change.removed, "removed"))
            if v
        ]
        return f"Decision steps changed: {', '.join(counts) or 'reworded'}."
    if change.added or change.removed:
        parts = []
        if change.added:
            parts.append(f"added {either(change.added, 'and')}")
        if change.removed:
            parts.append(f"removed {either(change.removed, 'and')}")
        return f"{name} changed: {'; '.join(parts)}."
    if isinstance(change.after, str) and len(change.after) <= 80:
        return f"{name} changed to {_quoted(change.after)}"
    if change.after is None:
        return f"{name} removed."
    return f"{name} changed."
