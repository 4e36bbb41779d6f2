"""Every permission rule of cco/rules.py, at its edges: each role, active or not, signed in or not,
inside or outside the owning department.

The people here are built for these tests, each given a role and nothing else: no one is a
superuser, so a rule that stops answering for the CCO shows at once (a superuser passes every
check without asking the rules). Most cases ask the rules directly with unsaved people; the last
ones go through `user.has_perm`, the path pages, the API and the admin take.
"""

from types import SimpleNamespace

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from cco import rules as product_rules
from cco.models import Department, Role, User
from tests.factories import DepartmentFactory, UserFactory

# Ids past 256, each read afresh as a database hands it over: Python shares the objects of small
# numbers, so an `is` slipped in where `==` belongs would pass unnoticed with them.
A, B = 1001, 1002  # two department ids


def fresh(number: int | None) -> int | None:
    return None if number is None else int(str(number))


def person(role: str, *, department_id: int | None = None, active: bool = True, pk: int = 2010):
    return User(
        pk=pk,
        username=f"{role or 'nobody'}-{pk}",
        role=role,
        department_id=department_id,
        is_active=active,
    )


def thing(department_id: int | None = A, owner_id: int | None = None) -> SimpleNamespace:
    """Something a department owns, optionally with a named owner (like an action item)."""
    return SimpleNamespace(
        owning_department_id=fresh(department_id), owner_person_id=fresh(owner_id)
    )


CCO = person(Role.CCO, pk=2001)
EXECUTIVE = person(Role.EXECUTIVE, pk=2002)
HEAD_A = person(Role.DEPARTMENT_HEAD, department_id=A, pk=2003)
HEAD_B = person(Role.DEPARTMENT_HEAD, department_id=B, pk=2004)
CONTRIBUTOR_A = person(Role.CONTRIBUTOR, department_id=A, pk=2005)
NO_ROLE = person("", department_id=A, pk=2006)
UNKNOWN_ROLE = person("board_member", department_id=A, pk=2007)
ANONYMOUS = AnonymousUser()


def test_the_people_here_are_not_superusers():
    assert not any(p.is_superuser for p in (CCO, EXECUTIVE, HEAD_A, HEAD_B, CONTRIBUTOR_A, NO_ROLE))


@pytest.mark.parametrize(
    ("predicate", "role"),
    [
        (product_rules.is_cco, Role.CCO),
        (product_rules.is_executive, Role.EXECUTIVE),
        (product_rules.is_department_head, Role.DEPARTMENT_HEAD),
        (product_rules.is_contributor, Role.CONTRIBUTOR),
    ],
)
def test_each_role_predicate_answers_for_its_role_only_and_only_while_active(predicate, role):
    for other in Role.values:
        assert predicate.test(person(other)) is (other == role)
    assert predicate.test(person(role, active=False)) is False
    # No role, or one the product does not know, sorting before or after every known one.
    for unknown in ("", "aardvark", "zookeeper"):
        assert predicate.test(person(unknown)) is False
    assert predicate.test(ANONYMOUS) is False


def test_having_a_role_means_one_of_the_four_known_roles_active_and_signed_in():
    for role in Role.values:
        assert product_rules.has_role.test(person(role)) is True
        assert product_rules.has_role.test(person(role, active=False)) is False
    assert product_rules.has_role.test(NO_ROLE) is False
    assert product_rules.has_role.test(UNKNOWN_ROLE) is False
    assert product_rules.has_role.test(ANONYMOUS) is False


def test_a_cco_by_role_is_the_cco_without_being_a_superuser():
    assert CCO.is_superuser is False
    assert product_rules.is_cco.test(CCO) is True
    assert rules.has_perm("cco.manage_product", CCO) is True


def test_the_head_of_the_owning_department_and_no_other_head_owns_a_thing():
    heads = product_rules.heads_owning_department
    assert heads.test(HEAD_A, thing(A)) is True
    assert heads.test(HEAD_B, thing(A)) is False
    assert heads.test(HEAD_A, thing(B)) is False
    # Only department heads: a contributor or the CCO of department A does not "head" it.
    assert heads.test(CONTRIBUTOR_A, thing(A)) is False
    assert heads.test(person(Role.CCO, department_id=A), thing(A)) is False
    assert heads.test(person(Role.DEPARTMENT_HEAD, department_id=A, active=False), thing(A)) is (
        False
    )


def test_a_head_without_a_department_never_owns_something_without_a_department():
    heads = product_rules.heads_owning_department
    homeless_head = person(Role.DEPARTMENT_HEAD, department_id=None)
    assert heads.test(homeless_head, thing(None)) is False
    assert heads.test(homeless_head, SimpleNamespace()) is False
    assert heads.test(HEAD_A, SimpleNamespace()) is False
    assert heads.test(HEAD_A, None) is False


def test_the_named_owner_is_the_signed_in_person_named_and_nobody_else():
    named = product_rules.is_named_owner
    assert named.test(CONTRIBUTOR_A, thing(A, owner_id=CONTRIBUTOR_A.pk)) is True
    assert named.test(CONTRIBUTOR_A, thing(A, owner_id=HEAD_A.pk)) is False
    assert named.test(CONTRIBUTOR_A, thing(A, owner_id=None)) is False
    assert named.test(CONTRIBUTOR_A, SimpleNamespace()) is False
    assert named.test(CONTRIBUTOR_A, None) is False
    # An anonymous visitor has no id, and an item with no owner has none either: still not theirs.
    assert named.test(ANONYMOUS, thing(A, owner_id=None)) is False
    assert named.test(ANONYMOUS, SimpleNamespace()) is False


EVERYONE = {
    "cco": CCO,
    "executive": EXECUTIVE,
    "head_a": HEAD_A,
    "head_b": HEAD_B,
    "contributor_a": CONTRIBUTOR_A,
    "no_role": NO_ROLE,
    "unknown_role": UNKNOWN_ROLE,
    "inactive_cco": person(Role.CCO, active=False, pk=2008),
    "anonymous": ANONYMOUS,
}


@pytest.mark.parametrize(
    ("perm", "allowed"),
    [
        ("cco.view_product", {"cco", "executive", "head_a", "head_b", "contributor_a"}),
        ("cco.manage_product", {"cco"}),
        ("cco.run_meeting", {"cco"}),
        ("cco.create_in_department", {"cco", "head_a", "head_b"}),
        ("cco.import_responses", {"cco", "head_a", "head_b"}),
    ],
)
def test_each_product_wide_permission_is_given_to_exactly_these_people(perm, allowed):
    given = {name for name, user in EVERYONE.items() if rules.has_perm(perm, user)}
    assert given == allowed


def test_changing_what_a_department_owns_is_for_the_cco_and_that_departments_head():
    given = {
        name
        for name, user in EVERYONE.items()
        if rules.has_perm("cco.change_owned", user, thing(A))
    }
    assert given == {"cco", "head_a"}
    assert rules.has_perm("cco.change_owned", HEAD_A, None) is False
    assert rules.has_perm("cco.change_owned", CCO, None) is True


@pytest.mark.parametrize(
    ("owner", "allowed"),
    [
        (None, {"cco", "head_a"}),
        ("contributor_a", {"cco", "head_a", "contributor_a"}),
        # Named owners who may not write: an executive is read-only everywhere, a person with no
        # role (or an unknown one) or an inactive one has no say at all.
        ("executive", {"cco", "head_a"}),
        ("no_role", {"cco", "head_a"}),
        ("unknown_role", {"cco", "head_a"}),
        ("head_b", {"cco", "head_a", "head_b"}),
        # Heading the department and being named owner: still allowed (either reason suffices).
        ("head_a", {"cco", "head_a"}),
    ],
)
def test_updating_an_action_item_is_for_the_cco_the_owning_head_and_the_named_owner(owner, allowed):
    owner_id = EVERYONE[owner].pk if owner else None
    item = thing(A, owner_id=owner_id)
    given = {
        name
        for name, user in EVERYONE.items()
        if rules.has_perm("cco.update_action_item", user, item)
    }
    assert given == allowed


def test_an_inactive_named_owner_may_not_update_their_item():
    former = person(Role.CONTRIBUTOR, department_id=A, active=False, pk=2040)
    assert rules.has_perm("cco.update_action_item", former, thing(A, owner_id=former.pk)) is False
    assert rules.has_perm("cco.update_action_item", CONTRIBUTOR_A, None) is False


# --- Through user.has_perm, as pages, the API and the admin ask ---------------------------------


@pytest.fixture
def department(db: None) -> Department:
    return DepartmentFactory(name="Returns", slug="returns")


@pytest.fixture
def cco_by_role(db: None) -> User:
    """The CCO as production has them: the role, no superuser or staff flag."""
    return UserFactory(username="cco-by-role", role=Role.CCO, is_superuser=False, is_staff=False)


@pytest.mark.django_db
def test_a_cco_by_role_may_manage_run_meetings_and_change_everything(cco_by_role, department):
    owned = thing(department.pk)
    assert cco_by_role.is_superuser is False
    for perm in (
        "cco.view_product",
        "cco.manage_product",
        "cco.run_meeting",
        "cco.create_in_department",
        "cco.import_responses",
    ):
        assert cco_by_role.has_perm(perm) is True, perm
    assert cco_by_role.has_perm("cco.change_owned", owned) is True
    assert cco_by_role.has_perm("cco.update_action_item", owned) is True


@pytest.mark.django_db
def test_a_deactivated_cco_may_do_nothing(cco_by_role, department):
    cco_by_role.is_active = False
    cco_by_role.save()
    cco_by_role.refresh_from_db()
    assert cco_by_role.has_perm("cco.view_product") is False
    assert cco_by_role.has_perm("cco.manage_product") is False
    assert cco_by_role.has_perm("cco.change_owned", thing(department.pk)) is False


@pytest.mark.django_db
def test_a_department_head_changes_their_own_departments_things_only(department):
    head = UserFactory(username="head-returns", role=Role.DEPARTMENT_HEAD, department=department)
    other = DepartmentFactory(name="Sales", slug="sales")
    assert head.has_perm("cco.change_owned", thing(department.pk)) is True
    assert head.has_perm("cco.change_owned", thing(other.pk)) is False
    assert head.has_perm("cco.manage_product") is False
    assert head.has_perm("cco.create_in_department") is True


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.CCO, True), (Role.DEPARTMENT_HEAD, True), (Role.CONTRIBUTOR, True),
     (Role.EXECUTIVE, False)],
)  # fmt: skip
def test_everyone_who_works_in_the_product_raises_a_blocker_and_executives_only_read(role, allowed):
    assert rules.has_perm("cco.raise_blocker", person(role, department_id=A)) is allowed
    assert not rules.has_perm("cco.raise_blocker", person(role, department_id=A, active=False))
