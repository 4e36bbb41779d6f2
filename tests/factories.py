"""Factories shared by every app's tests. Each app adds its own in tests/<app>/factories.py."""

import factory
from factory.django import DjangoModelFactory

from cco.models import Department, Role, User


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda person: f"{person.username}@example.com")
    role = Role.CONTRIBUTOR
    password = factory.django.Password("password")
