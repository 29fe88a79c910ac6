"""Kubernetes RBAC manifests in: from_k8s_rbac, the role and subject views, bad manifests.

The chart outputs under examples/k8s-rbac/acme-operator are written after the examples of the
Kubernetes RBAC documentation, in the shape ``helm template`` prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import policydiff
from policydiff import DecisionEffect, DocumentError, Kind, Verdict
from policydiff.importers import from_k8s_rbac

DATA = Path(__file__).resolve().parent.parent / "examples" / "k8s-rbac" / "acme-operator"
OLD_FILE = DATA / "1.4.0@2026-11-02.yaml"
NEW_FILE = DATA / "1.5.0@2026-11-20.yaml"
OLD_CHART = OLD_FILE.read_text(encoding="utf-8")
NEW_CHART = NEW_FILE.read_text(encoding="utf-8")
SA = "ServiceAccount:acme/acme-operator"
RESOURCES = "access resources"
URLS = "access non-resource URLs"


def read(text: Any, label: str = "v1", **options: Any) -> policydiff.PolicyVersion:
    return from_k8s_rbac(
        text, policy="acme-operator", version=label, effective="2026-11-02", **options
    )


def pair(old: Any, new: Any, **options: Any) -> tuple[Any, Any]:
    before = read(old, "1.4.0", **options)
    after = from_k8s_rbac(
        new, policy="acme-operator", version="1.5.0", effective="2026-11-20", **options
    )
    return before, after


def manifest(*objects: dict[str, Any]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False)


def cluster_role(name: str, *rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    metadata = {"name": name, **extra.pop("metadata", {})}
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": metadata,
        "rules": list(rules),
        **extra,
    }


def binding(kind: str, name: str, role: tuple[str, str], *subjects: dict[str, Any], **meta: Any):
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": name, **meta},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role[0], "name": role[1]},
        "subjects": list(subjects),
    }


def rule(groups: list[str], resources: list[str], verbs: list[str], **more: Any) -> dict[str, Any]:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs, **more}


# ---------------------------------------------------------------------------
# The chart upgrade: secrets lose patch and update, configmaps gain every verb.


def test_a_chart_upgrade_that_trades_secrets_writes_for_configmaps_is_mixed() -> None:
    old, new = pair(OLD_CHART, NEW_CHART)
    assert policydiff.diff(old, new).verdict is Verdict.MIXED


def test_the_upgrade_reports_the_secrets_rule_narrowed_by_patch_and_update() -> None:
    old, new = pair(OLD_CHART, NEW_CHART)
    [narrowed] = policydiff.diff(old, new).tightened()
    assert narrowed.kind is Kind.SCOPE_NARROWED
    assert narrowed.rule is not None
    assert narrowed.rule.startswith("ClusterRole/acme-operator:secrets-")
    assert (narrowed.dimension, set(narrowed.removed), set(narrowed.added)) == (
        "verb",
        {"patch", "update"},
        set(),
    )
    assert narrowed.effect is DecisionEffect.TIGHTENED


def test_the_upgrade_reports_configmaps_broadened_to_every_verb() -> None:
    old, new = pair(OLD_CHART, NEW_CHART)
    [broadened] = policydiff.diff(old, new).loosened()
    assert broadened.kind is Kind.SCOPE_BROADENED
    assert broadened.rule is not None
    assert broadened.rule.startswith("ClusterRole/acme-operator:configmaps-")
    # Every verb: the dimension is dropped, so the rule no longer constrains it.
    assert broadened.dimension == "verb"
    assert "verb" not in new.rule(broadened.rule).scope


def test_impact_names_the_situations_that_moved_in_the_upgrade() -> None:
    old, new = pair(OLD_CHART, NEW_CHART)
    impact = policydiff.impact(old, new)
    role = "ClusterRole/acme-operator"
    secrets = {"action": RESOURCES, "apiGroup": "core", "resource": "secrets", "role": role}
    configmaps = {**secrets, "resource": "configmaps"}
    lost = [c for c in impact if c.direction is DecisionEffect.TIGHTENED]
    gained = [c for c in impact if c.direction is DecisionEffect.LOOSENED]
    assert len(lost) == len(gained) == 1
    assert lost[0].contains({**secrets, "verb": "patch"})
    assert lost[0].contains({**secrets, "verb": "update"})
    assert not lost[0].contains({**secrets, "verb": "get"})
    assert gained[0].contains({**configmaps, "verb": "delete"})
    assert gained[0].contains({**configmaps, "verb": "escalate-anything"})
    assert not gained[0].contains({**configmaps, "verb": "list"})


def test_the_subject_view_says_which_service_account_gained_and_lost() -> None:
    old, new = pair(OLD_CHART, NEW_CHART, view="subject")
    result = policydiff.diff(old, new)
    assert result.verdict is Verdict.MIXED
    assert {c.rule.split("@")[0] for c in result if c.rule} == {SA}
    situation = {
        "subject": SA,
        "action": RESOURCES,
        "apiGroup": "core",
        "resource": "secrets",
        "verb": "patch",
        "namespace": "prod",
    }
    before = policydiff.decide(old, situation).decision
    after = policydiff.decide(new, situation).decision
    assert (before, after) == (policydiff.Decision.PERMITTED, policydiff.Decision.PROHIBITED)


def test_other_kinds_in_the_chart_are_passed_over() -> None:
    version = read(OLD_CHART)
    roles = {r.scope["role"] for r in version.rules}
    assert roles == {
        frozenset({"ClusterRole/acme-operator"}),
        frozenset({"Role/acme/acme-operator-leader-election"}),
    }


def test_the_version_permits_only_what_a_rule_grants() -> None:
    version = read(OLD_CHART)
    assert version.default is policydiff.Default.PROHIBIT
    assert {r.effect for r in version.rules} == {policydiff.Effect.PERMIT}


# ---------------------------------------------------------------------------
# How a rule maps.


def test_a_star_leaves_the_dimension_out_and_the_core_group_is_named_core() -> None:
    text = manifest(cluster_role("r", rule(["", "*"], ["pods", "pods/log"], ["get", "*"])))
    [only] = read(text).rules
    assert dict(only.scope) == {"resource": {"pods", "pods/log"}, "role": {"ClusterRole/r"}}
    [core] = read(manifest(cluster_role("r", rule([""], ["*"], ["get"])))).rules
    assert core.scope["apiGroup"] == {"core"}
    assert "resource" not in core.scope


def test_a_role_rule_is_scoped_to_the_roles_namespace() -> None:
    role = {**cluster_role("reader", rule([""], ["pods"], ["get"])), "kind": "Role"}
    role["metadata"]["namespace"] = "team-a"
    [only] = read(manifest(role)).rules
    assert only.scope["namespace"] == {"team-a"}
    assert only.scope["role"] == {"Role/team-a/reader"}


def test_a_role_without_a_namespace_is_in_the_namespace_given() -> None:
    role = {**cluster_role("reader", rule([""], ["pods"], ["get"])), "kind": "Role"}
    [only] = read(manifest(role), namespace="staging").rules
    assert only.scope["namespace"] == {"staging"}


def test_non_resource_urls_are_their_own_kind_of_request() -> None:
    text = manifest(
        cluster_role("probe", {"nonResourceURLs": ["/healthz", "/readyz"], "verbs": ["get"]})
    )
    [only] = read(text).rules
    assert only.action == {URLS}
    assert only.scope["nonResourceURL"] == {"/healthz", "/readyz"}
    answer = policydiff.decide(read(text), {"action": RESOURCES, "verb": "get", "resource": "pods"})
    assert answer.decision is policydiff.Decision.PROHIBITED


def test_a_rule_for_every_url_grants_no_resource_request() -> None:
    text = manifest(cluster_role("probe", {"nonResourceURLs": ["*"], "verbs": ["get"]}))
    [only] = read(text).rules
    assert only.action == {URLS}
    asked = {"action": RESOURCES, "verb": "get", "resource": "secrets", "role": "ClusterRole/probe"}
    assert policydiff.decide(read(text), asked).decision is policydiff.Decision.PROHIBITED


def test_rules_differing_only_in_verbs_are_one_rule_with_both_verbs() -> None:
    split = manifest(
        cluster_role("r", rule([""], ["pods"], ["get"]), rule([""], ["pods"], ["list"]))
    )
    joined = manifest(cluster_role("r", rule([""], ["pods"], ["list", "get"])))
    assert read(split) == read(joined)


def test_a_rule_keeps_its_id_when_its_verbs_change() -> None:
    old = read(manifest(cluster_role("r", rule([""], ["pods"], ["get"]))))
    new = read(manifest(cluster_role("r", rule([""], ["pods"], ["get", "delete"]))))
    assert old.rule_ids == new.rule_ids


def test_resource_names_are_a_dimension() -> None:
    text = manifest(
        cluster_role("r", rule([""], ["configmaps"], ["update"], resourceNames=["my-config"]))
    )
    version = read(text)
    situation = {
        "action": RESOURCES,
        "apiGroup": "core",
        "resource": "configmaps",
        "verb": "update",
        "role": "ClusterRole/r",
    }
    mine = policydiff.decide(version, {**situation, "resourceName": "my-config"})
    other = policydiff.decide(version, {**situation, "resourceName": "other"})
    assert mine.decision is policydiff.Decision.PERMITTED
    assert other.decision is policydiff.Decision.PROHIBITED


def test_list_objects_read_as_their_items() -> None:
    roles = [
        cluster_role("a", rule([""], ["pods"], ["get"])),
        cluster_role("b", rule([""], ["nodes"], ["list"])),
    ]
    listed = manifest({"apiVersion": "v1", "kind": "List", "items": roles})
    assert read(listed) == read(manifest(*roles))
    typed = manifest(
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleList", "items": roles}
    )
    assert read(typed) == read(manifest(*roles))


def test_parsed_data_reads_as_its_text_does() -> None:
    objects = list(yaml.safe_load_all(OLD_CHART))
    assert read(objects) == read(OLD_CHART)
    assert read(OLD_CHART.encode()) == read(OLD_CHART)
    one = cluster_role("a", rule([""], ["pods"], ["get"]))
    assert read(one) == read(manifest(one))


def test_a_kind_named_role_in_another_api_group_is_passed_over() -> None:
    other = {**cluster_role("x", rule([""], ["pods"], ["get"])), "apiVersion": "example.com/v1"}
    assert read(manifest(other)).rules == ()


def test_an_unknown_view_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown view 'roles'"):
        read(OLD_CHART, view="roles")


# ---------------------------------------------------------------------------
# Aggregated ClusterRoles.

AGGREGATE_LABEL = "rbac.acme.example.com/aggregate-to-monitoring"


def monitoring(*members: dict[str, Any], selector: dict[str, Any] | None = None) -> str:
    chosen = selector or {"matchLabels": {AGGREGATE_LABEL: "true"}}
    aggregate = cluster_role("monitoring", aggregationRule={"clusterRoleSelectors": [chosen]})
    return manifest(aggregate, *members)


def labelled(name: str, *rules: dict[str, Any], value: str = "true") -> dict[str, Any]:
    return cluster_role(name, *rules, metadata={"labels": {AGGREGATE_LABEL: value}})


def aggregate_rules(version: policydiff.PolicyVersion) -> set[frozenset[str]]:
    return {
        r.scope.get("resource", frozenset({"*"}))
        for r in version.rules
        if r.scope["role"] == {"ClusterRole/monitoring"}
    }


def test_an_aggregated_cluster_role_holds_the_rules_of_the_roles_it_selects() -> None:
    text = monitoring(
        labelled("endpoints-reader", rule([""], ["endpoints"], ["get", "list"])),
        labelled("services-reader", rule([""], ["services"], ["get"])),
        labelled("not-selected", rule([""], ["secrets"], ["get"]), value="false"),
    )
    assert aggregate_rules(read(text)) == {frozenset({"endpoints"}), frozenset({"services"})}


def test_the_rules_an_aggregated_role_lists_are_replaced_by_its_members() -> None:
    # The control plane overwrites them: a chart's own rules there grant nothing.
    aggregate = cluster_role(
        "monitoring",
        rule([""], ["secrets"], ["get"]),
        aggregationRule={"clusterRoleSelectors": [{"matchLabels": {AGGREGATE_LABEL: "true"}}]},
    )
    member = labelled("endpoints-reader", rule([""], ["endpoints"], ["get"]))
    assert aggregate_rules(read(manifest(aggregate, member))) == {frozenset({"endpoints"})}


def test_an_aggregated_role_without_its_members_keeps_the_rules_a_cluster_gave_it() -> None:
    # As `kubectl get clusterrole monitoring -o yaml` prints it, alone.
    filled = cluster_role(
        "monitoring",
        rule([""], ["endpoints"], ["get"]),
        aggregationRule={"clusterRoleSelectors": [{"matchLabels": {AGGREGATE_LABEL: "true"}}]},
    )
    assert aggregate_rules(read(manifest(filled))) == {frozenset({"endpoints"})}


def test_a_new_selected_role_broadens_the_aggregate() -> None:
    old = monitoring(labelled("endpoints-reader", rule([""], ["endpoints"], ["get"])))
    new = monitoring(
        labelled("endpoints-reader", rule([""], ["endpoints"], ["get"])),
        labelled("pods-reader", rule([""], ["pods"], ["get"])),
    )
    before, after = pair(old, new)
    granted = {c.rule for c in policydiff.diff(before, after) if c.kind is Kind.PERMISSION_GRANTED}
    assert any(r and r.startswith("ClusterRole/monitoring:pods-") for r in granted)


def test_aggregation_follows_aggregates_of_aggregates_whatever_their_order() -> None:
    inner = cluster_role(
        "inner",
        metadata={"labels": {AGGREGATE_LABEL: "true"}},
        aggregationRule={"clusterRoleSelectors": [{"matchLabels": {"tier": "leaf"}}]},
    )
    leaf = cluster_role(
        "leaf", rule([""], ["pods"], ["get"]), metadata={"labels": {"tier": "leaf"}}
    )
    forward = monitoring(inner, leaf)
    backward = manifest(leaf, inner, *yaml.safe_load_all(monitoring()))
    assert aggregate_rules(read(forward)) == {frozenset({"pods"})}
    assert read(forward) == read(backward)


@pytest.mark.parametrize(
    ("expression", "chosen"),
    [
        ({"key": "tier", "operator": "In", "values": ["gold", "silver"]}, {"gold", "silver"}),
        ({"key": "tier", "operator": "NotIn", "values": ["gold"]}, {"silver", "bare"}),
        ({"key": "tier", "operator": "Exists"}, {"gold", "silver"}),
        ({"key": "tier", "operator": "DoesNotExist"}, {"bare"}),
    ],
)
def test_match_expressions_select_as_kubernetes_does(
    expression: dict[str, Any], chosen: set[str]
) -> None:
    members = [
        cluster_role("gold", rule([""], ["gold"], ["get"]), metadata={"labels": {"tier": "gold"}}),
        cluster_role(
            "silver", rule([""], ["silver"], ["get"]), metadata={"labels": {"tier": "silver"}}
        ),
        cluster_role("bare", rule([""], ["bare"], ["get"])),
    ]
    text = monitoring(*members, selector={"matchExpressions": [expression]})
    assert aggregate_rules(read(text)) == {frozenset({name}) for name in chosen}


# ---------------------------------------------------------------------------
# The subject view: who gained what.

ADMINS = binding(
    "RoleBinding",
    "acme-admins",
    ("ClusterRole", "acme-operator"),
    {"kind": "Group", "name": "acme-admins", "apiGroup": "rbac.authorization.k8s.io"},
    namespace="acme",
)


def test_a_new_binding_shows_the_group_it_grants_more() -> None:
    old, new = pair(NEW_CHART, NEW_CHART + "---\n" + manifest(ADMINS), view="subject")
    result = policydiff.diff(old, new)
    assert result.verdict is Verdict.LOOSENED
    granted = [c for c in result if c.kind is Kind.PERMISSION_GRANTED]
    assert granted
    assert all(c.rule and c.rule.startswith("Group:acme-admins@acme:") for c in granted)
    situation = {
        "subject": "Group:acme-admins",
        "action": RESOURCES,
        "apiGroup": "core",
        "resource": "configmaps",
        "verb": "delete",
    }
    assert policydiff.decide(new, {**situation, "namespace": "acme"}).decision is (
        policydiff.Decision.PERMITTED
    )
    assert policydiff.decide(new, {**situation, "namespace": "kube-system"}).decision is (
        policydiff.Decision.PROHIBITED
    )


def test_a_cluster_role_bound_in_a_namespace_grants_no_urls() -> None:
    version = read(NEW_CHART + "---\n" + manifest(ADMINS), view="subject")
    group_rules = [r for r in version.rules if r.subject == {"Group:acme-admins"}]
    assert group_rules
    assert all(r.action == {RESOURCES} for r in group_rules)


def test_a_service_account_of_a_role_binding_is_in_the_bindings_namespace() -> None:
    version = read(OLD_CHART, view="subject")
    namespaced = [r for r in version.rules if "namespace" in r.scope]
    assert {s for r in namespaced for s in r.subject} == {SA}


@pytest.mark.parametrize(
    ("kind", "meta", "scope", "actions"),
    [
        ("ClusterRoleBinding", {}, {"role": {"ClusterRole/view"}}, {RESOURCES, URLS}),
        (
            "RoleBinding",
            {"namespace": "team-a"},
            {"role": {"ClusterRole/view"}, "namespace": {"team-a"}},
            {RESOURCES},
        ),
    ],
)
def test_a_binding_to_a_role_not_in_the_input_grants_that_role_by_name(
    kind: str, meta: dict[str, str], scope: dict[str, set[str]], actions: set[str]
) -> None:
    alice = {"kind": "User", "name": "alice"}
    text = manifest(binding(kind, "viewers", ("ClusterRole", "view"), alice, **meta))
    [only] = read(text, view="subject").rules
    assert only.subject == {"User:alice"}
    assert dict(only.scope) == scope
    assert only.action == actions


def test_one_permission_granted_twice_is_one_rule_in_the_subject_view() -> None:
    twice = binding(
        "ClusterRoleBinding",
        "again",
        ("ClusterRole", "acme-operator"),
        {"kind": "ServiceAccount", "name": "acme-operator", "namespace": "acme"},
    )
    assert read(OLD_CHART, view="subject") == read(
        OLD_CHART + "---\n" + manifest(twice), view="subject"
    )


# ---------------------------------------------------------------------------
# Reordering is never a change.


@st.composite
def shuffled_chart(draw: st.DrawFn) -> str:
    objects = list(yaml.safe_load_all(OLD_CHART))
    for obj in objects:
        if "rules" in obj:
            for item in obj["rules"]:
                for key in ("verbs", "resources", "apiGroups"):
                    if key in item:
                        item[key] = draw(st.permutations(item[key]))
            obj["rules"] = draw(st.permutations(obj["rules"]))
        if "subjects" in obj:
            obj["subjects"] = draw(st.permutations(obj["subjects"]))
    return manifest(*draw(st.permutations(objects)))


@settings(max_examples=25, deadline=None)
@given(shuffled_chart(), st.sampled_from(["role", "subject"]))
def test_reordering_manifests_rules_and_verbs_changes_nothing(text: str, view: str) -> None:
    original = read(OLD_CHART, view=view)
    shuffled = read(text, view=view)
    assert shuffled == original
    assert list(policydiff.diff(original, shuffled)) == []


# ---------------------------------------------------------------------------
# Bad manifests: every problem names the document, its line and the field.

ROLE_HEAD = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: broken
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ROLE_HEAD + "rules:\n  - apiGroups: ['']\n    resources: [pods]\n    verbs: []\n",
            "<string>:8:12: rules[0].verbs: a rule needs at least one verb",
        ),
        (
            ROLE_HEAD + "rules:\n  - apiGroups: ['']\n    resources: [pods]\n    verb: [get]\n",
            "<string>:8:5: rules[0].verb: unknown rule field 'verb'",
        ),
        (
            ROLE_HEAD + "rules:\n  - resources: [pods]\n    verbs: [get]\n",
            "<string>:6:5: rules[0]: a rule with resources needs apiGroups",
        ),
        (
            ROLE_HEAD + "rules:\n  - apiGroups: ['']\n    verbs: [get]\n",
            "<string>:6:5: rules[0]: a rule needs resources or nonResourceURLs",
        ),
        (
            ROLE_HEAD
            + "rules:\n  - apiGroups: ['']\n    resources: [pods]\n"
            + "    nonResourceURLs: [/healthz]\n    verbs: [get]\n",
            "<string>:8:5: rules[0].nonResourceURLs: a rule applies to resources or to",
        ),
        (
            ROLE_HEAD + "rules:\n  - apiGroups: ['']\n    resources: pods\n    verbs: [get]\n",
            "<string>:7:16: rules[0].resources: expected a list of strings (got 'pods' that is a str)",
        ),
        (ROLE_HEAD + "rules: {}\n", "<string>:5:8: rules: expected a list of rules"),
        (
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {}\n",
            "<string>:3:11: metadata.name: expected a non-empty name (got nothing)",
        ),
        (
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
            "metadata: {name: b}\nroleRef: {kind: Role, name: r}\nsubjects: []\n",
            "<string>:4:17: roleRef.kind: a ClusterRoleBinding refers to a ClusterRole (got 'Role'",
        ),
        (
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
            "metadata: {name: b}\nroleRef: {kind: ClusterRole, name: r}\n"
            "subjects:\n  - {kind: ServiceAccount, name: deployer}\n",
            "<string>:6:5: subjects[0]: a ServiceAccount subject of a ClusterRoleBinding needs its namespace",
        ),
        (
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
            "metadata: {name: b, namespace: x}\nroleRef: {kind: Role, name: r}\n"
            "subjects:\n  - {kind: Robot, name: r2}\n",
            "<string>:6:12: subjects[0].kind: unknown subject kind 'Robot'",
        ),
        (
            ROLE_HEAD
            + "aggregationRule:\n  clusterRoleSelectors:\n"
            + "    - matchExpressions:\n        - {key: tier, operator: Within, values: [a]}\n",
            "<string>:8:33: aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: unknown operator",
        ),
        (
            "kind: Role\nmetadata: {name: r, namespace: x}\nrules: []\n",
            "<string>:1:7: kind: an RBAC Role needs apiVersion",
        ),
        (
            "kind: ConfigMap\n---\n- a list\n",
            "<string>:3:1: expected a Kubernetes object (got a list) (document 2)",
        ),
        ("kind: [unclosed\n", "<string>:2:1: invalid YAML"),
    ],
)
def test_a_bad_manifest_names_its_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read(text)
    assert str(caught.value.problems[0]).startswith(expected), str(caught.value)


def test_a_bad_object_after_others_names_its_document() -> None:
    text = OLD_CHART + "---\n" + ROLE_HEAD + "rules:\n  - apiGroups: ['']\n    resources: [pods]\n"
    with pytest.raises(DocumentError) as caught:
        read(text)
    [problem] = caught.value.problems
    assert problem.line == OLD_CHART.count("\n") + 7
    assert "(ClusterRole 'broken', document 7)" in problem.message


def test_a_bad_item_of_a_list_names_its_place_in_the_list() -> None:
    listed = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [cluster_role("ok"), cluster_role("bad", {"verbs": ["get"]})],
    }
    with pytest.raises(DocumentError) as caught:
        read(manifest(listed))
    [problem] = caught.value.problems
    assert problem.path == "items[1].rules[0]"
    assert problem.line is not None


def test_an_object_defined_twice_is_an_error_naming_the_first() -> None:
    one = cluster_role("twice", rule([""], ["pods"], ["get"]))
    with pytest.raises(DocumentError, match=r"defined twice \(first in document 1\)"):
        read(manifest(one, one))


def test_every_bad_object_is_reported_not_only_the_first() -> None:
    bad = cluster_role("a", {"verbs": ["get"]})
    worse = cluster_role("b", rule([""], ["pods"], []))
    with pytest.raises(DocumentError) as caught:
        read(manifest(bad, worse))
    assert [p.path for p in caught.value.problems] == ["rules[0]", "rules[0].verbs"]


def test_parsed_data_errors_name_the_objects_index() -> None:
    with pytest.raises(DocumentError) as caught:
        read([cluster_role("fine"), cluster_role("bad", {"verbs": ["get"]})])
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("[1].rules[0]", None)
    assert "document 2" in problem.message


def test_a_repeated_key_is_an_error_as_kubernetes_makes_it() -> None:
    text = (
        ROLE_HEAD
        + "rules:\n  - apiGroups: ['']\n    resources: [pods]\n    verbs: [get]\n    verbs: ['*']\n"
    )
    with pytest.raises(DocumentError) as caught:
        read(text)
    [problem] = caught.value.problems
    assert str(problem) == (
        "<string>:9:5: rules[0].verbs: duplicate key 'verbs' (first at line 8) (document 1)"
    )


def test_text_that_is_not_utf8_is_refused_with_its_place() -> None:
    with pytest.raises(DocumentError, match=r"chart\.yaml:2:8: not UTF-8 text"):
        read(b"kind: List\nitems: \xff\n", name="chart.yaml")


def test_a_bad_effective_date_is_an_error_naming_the_field() -> None:
    with pytest.raises(DocumentError, match=r"effective: .*2026-13-01"):
        from_k8s_rbac(OLD_CHART, policy="acme-operator", version="v1", effective="2026-13-01")


def test_kubectl_json_output_reads_as_its_yaml() -> None:
    objects = list(yaml.safe_load_all(OLD_CHART))
    listed = {"apiVersion": "v1", "kind": "List", "items": objects}
    assert read(json.dumps(listed, indent=4)) == read(OLD_CHART)


def test_the_file_name_given_is_in_every_problem() -> None:
    with pytest.raises(DocumentError) as caught:
        read(ROLE_HEAD + "rules: [7]\n", name="rendered.yaml")
    assert str(caught.value).startswith("rendered.yaml:5:9: rules[0]: expected a rule mapping")


def test_an_alias_bomb_in_a_manifest_is_refused_before_it_is_expanded() -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 8):
        previous = chr(ord("a") + level - 1)
        bomb.append(
            f"{chr(ord('a') + level)}: &{chr(ord('a') + level)} [{', '.join([f'*{previous}'] * 10)}]"
        )
    text = ROLE_HEAD + "labels:\n" + "\n".join(f"  {line}" for line in bomb) + "\nrules: []\n"
    with pytest.raises(DocumentError, match="alias bomb"):
        read(text)


def test_an_imported_version_round_trips_through_a_document() -> None:
    for view in ("role", "subject"):
        version = read(OLD_CHART, view=view)
        assert policydiff.loads(policydiff.dumps(version)) == version


# ---------------------------------------------------------------------------
# The command line: helm template outputs compared as they are.


Run = Callable[..., tuple[int, str, str]]


def test_diff_compares_two_helm_template_outputs(run: Run) -> None:
    code, out, err = run(
        "diff",
        str(OLD_FILE),
        str(NEW_FILE),
        "--input-format",
        "k8s-rbac",
        "--format",
        "json",
    )
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert (found["policy"], found["from"]["version"], found["to"]["version"]) == (
        "acme-operator",
        "1.4.0",
        "1.5.0",
    )
    assert found["verdict"] == "mixed"
    moved = {(c["kind"], c["dimension"], tuple(c["removed"])) for c in found["changes"]}
    assert ("scope-narrowed", "verb", ("patch", "update")) in moved


def test_check_fails_the_upgrade_for_the_secrets_writes_it_drops(
    run: Run,
) -> None:
    code, out, _ = run(
        "check",
        str(OLD_FILE),
        str(NEW_FILE),
        "--input-format",
        "k8s-rbac",
        "--fail-on",
        "tightened",
    )
    assert code == 1
    assert "resource is secrets" in out
    assert "verb is patch or update" in out


def test_check_in_the_subject_view_fails_a_binding_that_grants_a_group_more(
    run: Run, tmp_path: Path
) -> None:
    old = tmp_path / "1.5.0@2026-11-20.yaml"
    new = tmp_path / "1.5.1@2026-12-01.yaml"
    old.write_text(NEW_CHART, encoding="utf-8")
    new.write_text(NEW_CHART + "---\n" + manifest(ADMINS), encoding="utf-8")
    args = ("check", str(old), str(new), "--input-format", "k8s-rbac-subjects")
    code, out, _ = run(*args, "--fail-on", "loosened")
    assert code == 1
    assert "Group:acme-admins may now access resources" in out
    assert run(*args, "--fail-on", "tightened")[0] == 0


def test_log_reads_a_folder_of_chart_outputs_as_a_history(
    run: Run,
) -> None:
    code, out, _ = run("log", str(DATA), "--input-format", "k8s-rbac", "--format", "json")
    assert code == 0
    [step] = json.loads(out)["diffs"]
    assert (step["from"]["version"], step["to"]["version"]) == ("1.4.0", "1.5.0")


def test_import_prints_the_version_a_chart_output_is(run: Run) -> None:
    code, out, err = run("import", "k8s-rbac", str(OLD_FILE), "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["policy"], data["version"], data["default"]) == (
        "acme-operator",
        "1.4.0",
        "prohibit",
    )
    assert policydiff.loads(out, format="json") == read(OLD_CHART, "1.4.0")


def test_a_bad_manifest_on_the_command_line_is_one_line(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "v1@2026-01-01.yaml"
    bad.write_text(
        ROLE_HEAD + "rules:\n  - apiGroups: ['']\n    resources: [pods]\n", encoding="utf-8"
    )
    code, out, err = run("import", "k8s-rbac", str(bad))
    assert (code, out) == (2, "")
    assert (
        err
        == f"{bad}:6:5: rules[0].verbs: a rule needs at least one verb (\"*\" for any) (ClusterRole 'broken', document 1)\n"
    )


BAD = Path(__file__).parent / "data" / "bad-k8s-rbac"


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_bad_manifest_file_is_refused_with_every_problem_in_place(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = [
        f"{path.name}:{line.removeprefix('# expected: ')}"
        for line in text.splitlines()
        if line.startswith("# expected: ")
    ]
    with pytest.raises(DocumentError) as caught:
        read(text, name=path.name)
    assert [str(p) for p in caught.value.problems] == expected


def test_a_list_item_that_is_no_object_is_an_error() -> None:
    listed = manifest({"apiVersion": "v1", "kind": "List", "items": [cluster_role("a"), "oops"]})
    with pytest.raises(DocumentError) as caught:
        read(listed)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("items[1]", 9)
    assert problem.message == "expected a Kubernetes object (got a str) (List, document 1)"


def test_parsed_data_that_is_no_object_is_an_error() -> None:
    with pytest.raises(DocumentError, match=r"\[1\]: expected a Kubernetes object \(got an int\)"):
        read([cluster_role("a"), 7])
    with pytest.raises(TypeError, match="expected YAML text, an object or a list of objects"):
        read(7)


def test_more_values_than_the_limits_allow_is_refused() -> None:
    with pytest.raises(DocumentError, match="more than 50 values and keys"):
        read(OLD_CHART, limits=policydiff.Limits(max_nodes=50))


def test_too_many_problems_are_capped_with_a_count_of_the_rest() -> None:
    roles = [cluster_role(f"r{i}", {"verbs": ["get"]}) for i in range(12)]
    with pytest.raises(DocumentError) as caught:
        read(manifest(*roles), limits=policydiff.Limits(max_problems=10))
    problems = caught.value.problems
    assert len(problems) == 11
    assert problems[-1].message == "2 more problems not shown (at most 10 are reported)"


def test_empty_documents_of_templates_that_rendered_nothing_are_passed_over() -> None:
    empty = "---\n# Source: acme-operator/templates/psp.yaml\n---\n# Source: acme-operator/templates/np.yaml\n"
    assert read(empty + OLD_CHART + "---\n") == read(OLD_CHART)


def test_manifests_without_a_label_or_date_say_how_to_give_them() -> None:
    with pytest.raises(DocumentError) as caught:
        from_k8s_rbac(OLD_CHART, policy="acme-operator", version=None, effective=None)
    assert [p.path for p in caught.value.problems] == ["version", "effective"]
    assert all(p.hint and "sidecar" in p.hint for p in caught.value.problems)


# ---------------------------------------------------------------------------
# What a version decides is what Kubernetes' RBAC authorizer decides.

VERBS = ("get", "list", "delete")
GROUPS = ("", "apps")
KINDS = ("pods", "pods/log", "deployments", "deployments/scale")
#: What rules may name beyond the resources: any resource's scale subresource.
KIND_PATTERNS = ("*/scale",)
NAMES = ("a", "b")
SPACES = ("ns1", "ns2")
URL_PATHS = ("/healthz", "/healthz/etcd", "/metrics")
#: What rules may name beyond the paths: a prefix.
URL_PATTERNS = ("/healthz/*",)
PEOPLE = (
    {"kind": "User", "name": "alice"},
    {"kind": "Group", "name": "devs"},
    {"kind": "ServiceAccount", "name": "bot", "namespace": "ns1"},
)


def some(values: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from((*values, "*")), min_size=1, max_size=3, unique=True)


@st.composite
def rbac_rule(draw: st.DrawFn, cluster: bool) -> dict[str, Any]:
    if cluster and draw(st.booleans()):
        return {
            "nonResourceURLs": draw(some((*URL_PATHS, *URL_PATTERNS))),
            "verbs": draw(some(VERBS)),
        }
    found = {
        "apiGroups": draw(some(GROUPS)),
        "resources": draw(some((*KINDS, *KIND_PATTERNS))),
        "verbs": draw(some(VERBS)),
    }
    names = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
    return {**found, "resourceNames": names} if names else found


@st.composite
def rbac_objects(draw: st.DrawFn) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    roles: list[tuple[str, str, str | None]] = []
    for index in range(draw(st.integers(1, 3))):
        cluster = draw(st.booleans())
        rules = draw(st.lists(rbac_rule(cluster), min_size=1, max_size=3))
        role = cluster_role(f"r{index}", *rules)
        space = None if cluster else draw(st.sampled_from(SPACES))
        if space is not None:
            role = {**role, "kind": "Role", "metadata": {"name": f"r{index}", "namespace": space}}
        objects.append(role)
        roles.append(("ClusterRole" if cluster else "Role", f"r{index}", space))
    for index in range(draw(st.integers(1, 4))):
        kind, name, space = draw(st.sampled_from(roles))
        people = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=2, unique_by=str))
        if kind == "Role" or draw(st.booleans()):
            where = space or draw(st.sampled_from(SPACES))
            objects.append(
                binding("RoleBinding", f"b{index}", (kind, name), *people, namespace=where)
            )
        else:
            objects.append(binding("ClusterRoleBinding", f"b{index}", (kind, name), *people))
    return objects


def listed(values: list[str], value: str) -> bool:
    return "*" in values or value in values


def authorize(objects: list[dict[str, Any]], who: dict[str, str], request: dict[str, Any]) -> bool:
    """Kubernetes' RBAC authorizer, as its documentation describes it."""
    roles = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o for o in objects}
    for bound in objects:
        if bound["kind"] not in _BINDINGS:
            continue
        space = bound["metadata"].get("namespace")
        if space is not None and space != request.get("namespace"):
            continue
        if not any(_same(s, who, space) for s in bound["subjects"]):
            continue
        ref = bound["roleRef"]
        role = roles.get((ref["kind"], space if ref["kind"] == "Role" else None, ref["name"]))
        for rule in role["rules"] if role else ():
            if not listed(rule["verbs"], request["verb"]):
                continue
            if "url" in request:
                if "nonResourceURLs" in rule and any(
                    _url_matches(u, request["url"]) for u in rule["nonResourceURLs"]
                ):
                    return True
            elif (
                "resources" in rule
                and listed(rule["apiGroups"], request["group"])
                and any(_resource_matches(r, request["resource"]) for r in rule["resources"])
                and (not rule.get("resourceNames") or request.get("name") in rule["resourceNames"])
            ):
                return True
    return False


_BINDINGS = ("RoleBinding", "ClusterRoleBinding")


def _url_matches(rule: str, url: str) -> bool:
    # A rule's path ending in "*" is a prefix.
    return rule in ("*", url) or (rule.endswith("*") and url.startswith(rule[:-1]))


def _resource_matches(rule: str, resource: str) -> bool:
    # "*/scale" is the scale subresource of any resource.
    _, _, sub = resource.partition("/")
    return rule in ("*", resource) or (rule.startswith("*/") and sub == rule[2:])


def _same(subject: dict[str, str], who: dict[str, str], space: str | None) -> bool:
    if subject["kind"] != who["kind"] or subject["name"] != who["name"]:
        return False
    return who["kind"] != "ServiceAccount" or subject.get("namespace", space) == who["namespace"]


REQUESTS = st.one_of(
    st.fixed_dictionaries(
        {
            "verb": st.sampled_from(VERBS),
            "group": st.sampled_from(GROUPS),
            "resource": st.sampled_from(KINDS),
            "name": st.sampled_from((*NAMES, None)),
            "namespace": st.sampled_from((*SPACES, None)),
        }
    ),
    st.fixed_dictionaries({"verb": st.sampled_from(VERBS), "url": st.sampled_from(URL_PATHS)}),
)


def situation(who: dict[str, str], request: dict[str, Any]) -> dict[str, str]:
    subject = f"{who['kind']}:{who['name']}"
    if who["kind"] == "ServiceAccount":
        subject = f"ServiceAccount:{who['namespace']}/{who['name']}"
    if "url" in request:
        return {
            "subject": subject,
            "action": URLS,
            "verb": request["verb"],
            "nonResourceURL": request["url"],
            "namespace": "(none)",
        }
    return {
        "subject": subject,
        "action": RESOURCES,
        "verb": request["verb"],
        "apiGroup": request["group"] or "core",
        "resource": request["resource"],
        # A request for no one object (a list), or outside any namespace, is a value no rule names.
        "resourceName": request["name"] or "(none)",
        "namespace": request["namespace"] or "(none)",
    }


@settings(max_examples=150, deadline=None)
@given(rbac_objects(), st.sampled_from(PEOPLE), REQUESTS)
def test_the_subject_view_decides_as_the_rbac_authorizer(
    objects: list[dict[str, Any]], who: dict[str, str], request: dict[str, Any]
) -> None:
    version = read(objects, view="subject")
    expected = authorize(objects, who, request)
    answer = policydiff.decide(version, situation(who, request))
    assert (answer.decision is policydiff.Decision.PERMITTED) is expected


def role_allows(role: dict[str, Any], request: dict[str, Any]) -> bool:
    """Whether a role grants a request, bound where it applies."""
    space = role["metadata"].get("namespace")
    where = {"namespace": space} if space else {}
    bound = binding(
        "RoleBinding" if space else "ClusterRoleBinding",
        "probe",
        (role["kind"], role["metadata"]["name"]),
        PEOPLE[0],
        **where,
    )
    return authorize([role, bound], PEOPLE[0], request)


@settings(max_examples=150, deadline=None)
@given(rbac_objects(), REQUESTS)
def test_the_role_view_decides_as_the_rbac_authorizer_for_each_role(
    objects: list[dict[str, Any]], request: dict[str, Any]
) -> None:
    version = read(objects)
    for role in (o for o in objects if o["kind"] in ("Role", "ClusterRole")):
        space = role["metadata"].get("namespace")
        ref = (
            f"{role['kind']}/{space}/{role['metadata']['name']}"
            if space
            else f"ClusterRole/{role['metadata']['name']}"
        )
        asked = {k: v for k, v in situation(PEOPLE[0], request).items() if k != "subject"}
        answer = policydiff.decide(version, {**asked, "role": ref})
        assert (answer.decision is policydiff.Decision.PERMITTED) is role_allows(role, request)


# ---------------------------------------------------------------------------
# Wildcards that are not a whole value: URL prefixes and */subresource.


def probe(*urls: str) -> str:
    return manifest(cluster_role("probe", {"nonResourceURLs": list(urls), "verbs": ["get"]}))


def test_a_url_ending_in_a_star_covers_every_url_it_begins() -> None:
    version = read(probe("/healthz/*"))
    asked = {"action": URLS, "verb": "get", "role": "ClusterRole/probe"}
    for url, decision in (("/healthz/etcd", "permitted"), ("/healthz", "prohibited")):
        answer = policydiff.decide(version, {**asked, "nonResourceURL": url})
        assert answer.decision.value == decision


def test_urls_replaced_by_their_prefix_loosen_by_the_urls_it_adds() -> None:
    old, new = pair(probe("/healthz/live", "/healthz/ready"), probe("/healthz/*"))
    assert policydiff.diff(old, new).verdict is Verdict.LOOSENED
    [cube] = policydiff.impact(old, new)
    asked = {"action": URLS, "verb": "get", "role": "ClusterRole/probe"}
    assert cube.contains({**asked, "nonResourceURL": "/healthz/etcd"})
    assert not cube.contains({**asked, "nonResourceURL": "/healthz/ready"})


def test_a_star_subresource_covers_that_subresource_of_every_resource() -> None:
    version = read(manifest(cluster_role("scaler", rule(["apps"], ["*/scale"], ["update"]))))
    asked = {
        "action": RESOURCES,
        "verb": "update",
        "apiGroup": "apps",
        "role": "ClusterRole/scaler",
    }
    scale = policydiff.decide(version, {**asked, "resource": "deployments/scale"})
    whole = policydiff.decide(version, {**asked, "resource": "deployments"})
    assert (scale.decision, whole.decision) == (
        policydiff.Decision.PERMITTED,
        policydiff.Decision.PROHIBITED,
    )


def test_manifests_without_wildcards_declare_no_pattern_dimensions() -> None:
    assert not read(OLD_CHART).patterns
    assert set(read(probe("/healthz/*")).patterns) == {"nonResourceURL"}
