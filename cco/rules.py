"""Every permission rule of the product, in one place.

Pages, the API and the admin all ask `user.has_perm("<perm>", obj)`; the rules below answer.
Objects that belong to a department expose `owning_department_id`; action items also expose
`owner_person_id` (the named owner may update their own item).

The roles, in short:
- the CCO changes everything;
- an executive reads everything and changes nothing;
- a department head reads everything and changes what their department owns;
- a contributor reads everything and updates the action items they are named owner of.
"""

from typing import Any

import rules

from cco.models import Role


@rules.predicate
def has_role(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in Role.values)


@rules.predicate
def is_cco(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.CCO)


@rules.predicate
def is_executive(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.EXECUTIVE)


@rules.predicate
def is_department_head(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.DEPARTMENT_HEAD)


@rules.predicate
def is_contributor(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.CONTRIBUTOR)


@rules.predicate
def heads_owning_department(user: Any, obj: Any) -> bool:
    """True when the user is the head of the department that owns `obj`."""
    if obj is None or not is_department_head(user):
        return False
    department_id = getattr(obj, "owning_department_id", None)
    return department_id is not None and department_id == user.department_id


@rules.predicate
def is_named_owner(user: Any, obj: Any) -> bool:
    if obj is None or not user.is_authenticated:
        return False
    return getattr(obj, "owner_person_id", None) == user.pk


@rules.predicate
def works_in_owning_department(user: Any, obj: Any) -> bool:
    """True for a contributor of the department that owns `obj` (the head: see above)."""
    if obj is None or not is_contributor(user) or user.department_id is None:
        return False
    return getattr(obj, "owning_department_id", None) == user.department_id


# Each person has one role, so no one is both the CCO and a department head: where a rule joins
# the two with `|`, an `^` would answer the same (the `# pragma: no mutate` lines below).

# Reading: anyone signed in with a role. Executives are read-only everywhere.
rules.add_perm("cco.view_product", has_role)
# Configuring the organisation, roadmap, touch points and meetings: the CCO.
rules.add_perm("cco.manage_product", is_cco)
# Changing something a department owns (touch point notes, initiatives, CX issue plans, KPIs).
rules.add_perm("cco.change_owned", is_cco | heads_owning_department)  # pragma: no mutate
# Updating an action item: status, progress note.
rules.add_perm(
    "cco.update_action_item",
    (
        is_cco
        | heads_owning_department  # pragma: no mutate
        | is_named_owner
    )
    & ~is_executive
    & has_role,
)
# Creating things inside one's own department (e.g. an action item or KPI observation).
rules.add_perm("cco.create_in_department", is_cco | is_department_head)  # pragma: no mutate
# Importing survey responses from a file.
rules.add_perm("cco.import_responses", is_cco | is_department_head)  # pragma: no mutate
# Running the accountability meeting.
rules.add_perm("cco.run_meeting", is_cco)
# Follow-up cases: the department's head assigns them; the head and their people work them.
rules.add_perm("cco.assign_followup", is_cco | heads_owning_department)  # pragma: no mutate
rules.add_perm(
    "cco.work_followup",
    is_cco | heads_owning_department | works_in_owning_department,  # pragma: no mutate
)
# The quarterly board pack: the CCO and the executives.
rules.add_perm("cco.view_board_pack", is_cco | is_executive)  # pragma: no mutate
# The employee pulse: anyone with a role answers; the CCO, executives and heads read the
# aggregates (a head only their own department's); nobody reads an individual answer.
rules.add_perm(
    "cco.view_pulse_results",
    is_cco | is_executive | is_department_head,  # pragma: no mutate
)
# Front-line blockers: the people who work in the product raise one and add their voice
# (executives read, as everywhere); the owning department's head (or the CCO) answers,
# resolves and turns it into an action item.
rules.add_perm("cco.raise_blocker", has_role & ~is_executive)
rules.add_perm("cco.answer_blocker", is_cco | heads_owning_department)  # pragma: no mutate
# Compliments: heads and the CCO flag a verbatim as one; the head of the department it is with
# (or the CCO) routes it on to another department or one of its people.
rules.add_perm("cco.flag_compliment", is_cco | is_department_head)  # pragma: no mutate
rules.add_perm("cco.route_compliment", is_cco | heads_owning_department)  # pragma: no mutate
