from django.db.models import Count, QuerySet

from cco.models import Department, User


def department_list() -> QuerySet[Department]:
    return (
        Department.objects.select_related("head", "parent")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )


def department_members(department: Department) -> QuerySet[User]:
    return department.members.filter(is_active=True).order_by("role", "last_name", "first_name")
