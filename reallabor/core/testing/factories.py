"""factory_boy factories for tests. They write through the services where a service exists."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from reallabor.accounts.models import User
from reallabor.labs import services as lab_services
from reallabor.labs.models import Lab, LabMembership, Measure
from reallabor.organisations.models import Organisation


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    role = User.Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", "test-password-123")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.COMPANY
    city = "Bottrop"


def make_lab(**data: Any) -> Lab:
    """A lab created through the service (as the system)."""
    data.setdefault("name", f"Lab {Lab.objects.count() + 1}")
    data.setdefault("is_published", True)
    return lab_services.create_lab(user=None, data=data)


def make_measure(lab: Lab, **data: Any) -> Measure:
    data.setdefault("title", f"Measure {Measure.objects.count() + 1}")
    data.setdefault("is_published", True)
    return lab_services.create_measure(user=None, lab=lab, data=data)


def add_member(lab: Lab, user: User, role: str = LabMembership.Role.PARTNER) -> LabMembership:
    return lab_services.set_lab_member(user=None, lab=lab, member=user, role=role)
