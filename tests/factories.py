"""factory_boy factories for the core domain; every record belongs to one organisation."""

from __future__ import annotations

import factory

from outsidein.core.models import (
    Customer,
    CustomerContactPerson,
    Organisation,
    Person,
    Segment,
    Team,
    User,
)

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    language = "nl"


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    role = "employee"
    language = "en"
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.net")
    external_id = factory.Sequence(lambda n: f"C-{n:05d}")
    kind = "consumer"
    language = "nl"


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerContactPerson

    customer = factory.SubFactory(CustomerFactory, kind="business")
    organisation = factory.SelfAttribute("customer.organisation")
    name = factory.Sequence(lambda n: f"Contact {n}")
