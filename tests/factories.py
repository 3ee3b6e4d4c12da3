"""factory-boy factories for every domain. Catalog rows come from the shipped catalog."""

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory
from rest_framework.authtoken.models import Token

from clients.models import Alias, Client, Membership, Obligation, Organization, Role
from credentials.models import Credential, CredentialReportType
from reporting.models import Country, Pro, ReportType


def country(code: str) -> Country:
    return Country.objects.get(code=code)


def report_type(code: str) -> ReportType:
    return ReportType.objects.get(code__iexact=code)


def pro(country_code: str, name: str) -> Pro:
    return Pro.objects.get(country__code=country_code, name__iexact=name)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Agency {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.STAFF


class TokenFactory(DjangoModelFactory):
    class Meta:
        model = Token

    user = factory.SubFactory(UserFactory)


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Producer {n:05d} GmbH")
    status = "active"


class AliasFactory(DjangoModelFactory):
    class Meta:
        model = Alias

    client = factory.SubFactory(ClientFactory)
    scope = "*"
    name = factory.Sequence(lambda n: f"Alias {n}")


class ObligationFactory(DjangoModelFactory):
    class Meta:
        model = Obligation

    client = factory.SubFactory(ClientFactory)
    country = factory.LazyFunction(lambda: country("DE"))
    report_type = factory.LazyFunction(lambda: report_type("WEEE"))
    pro = None


class CredentialFactory(DjangoModelFactory):
    """A credential; `report_types` (codes) become its CredentialReportType rows."""

    class Meta:
        model = Credential
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    country = factory.LazyFunction(lambda: country("DE"))
    pro = factory.LazyAttribute(lambda o: pro(o.country.code, "Stiftung EAR"))
    login = factory.Sequence(lambda n: f"login{n}@example.com")
    password = factory.Sequence(lambda n: f"s3cret-{n}")
    registration_number = factory.Sequence(lambda n: f"REG{n:06d}")

    @factory.post_generation
    def report_types(self, create, extracted, **kwargs):
        codes = extracted or ["WEEE"]
        if not create:
            return
        report_types = [report_type(code) for code in codes]
        CredentialReportType.objects.bulk_create(
            CredentialReportType(
                credential=self,
                report_type=rt,
                client_id=self.client_id,
                country_id=self.country_id,
                pro_id=self.pro_id,
            )
            for rt in report_types
        )
        self.report_type_codes = ",".join(rt.code for rt in report_types)
        Credential.objects.filter(pk=self.pk).update(report_type_codes=self.report_type_codes)
