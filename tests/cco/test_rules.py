"""The permission rules every page, API endpoint and admin page relies on (cco/rules.py)."""

from types import SimpleNamespace

import pytest


def owned_by(department):
    return SimpleNamespace(owning_department_id=department.pk, owner_person_id=None)


@pytest.mark.parametrize(
    ("persona", "may_view", "may_manage"),
    [
        ("cco", True, True),
        ("executive", True, False),
        ("head_a", True, False),
        ("contributor", True, False),
        ("outsider", False, False),
    ],
)
def test_reading_needs_a_role_and_managing_needs_the_cco(request, persona, may_view, may_manage):
    user = request.getfixturevalue(persona)
    assert user.has_perm("cco.view_product") is may_view
    assert user.has_perm("cco.manage_product") is may_manage


@pytest.mark.parametrize(
    ("persona", "may_change"),
    [
        ("cco", True),
        ("head_a", True),
        ("head_b", False),
        ("executive", False),
        ("contributor", False),
        ("outsider", False),
    ],
)
def test_only_the_cco_and_the_owning_departments_head_change_its_objects(
    request, department_a, persona, may_change
):
    user = request.getfixturevalue(persona)
    assert user.has_perm("cco.change_owned", owned_by(department_a)) is may_change


def test_a_named_owner_may_update_their_own_action_item_but_not_anothers(
    contributor, department_b, head_b
):
    own_item = SimpleNamespace(owning_department_id=department_b.pk, owner_person_id=contributor.pk)
    other_item = SimpleNamespace(owning_department_id=department_b.pk, owner_person_id=head_b.pk)
    assert contributor.has_perm("cco.update_action_item", own_item)
    assert not contributor.has_perm("cco.update_action_item", other_item)


def test_an_executive_may_update_no_action_item_even_when_named_owner(executive, department_a):
    item = SimpleNamespace(owning_department_id=department_a.pk, owner_person_id=executive.pk)
    assert not executive.has_perm("cco.update_action_item", item)


def test_a_deactivated_cco_loses_every_permission(cco):
    cco.is_active = False
    cco.save()
    assert not cco.has_perm("cco.view_product")
    assert not cco.has_perm("cco.run_meeting")


def test_department_heads_and_the_cco_may_import_responses_but_executives_may_not(
    cco, head_a, executive, contributor
):
    assert cco.has_perm("cco.import_responses")
    assert head_a.has_perm("cco.import_responses")
    assert not executive.has_perm("cco.import_responses")
    assert not contributor.has_perm("cco.import_responses")
