"""factory-boy factories for every domain. Catalog rows come from the shipped catalog."""

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory
from rest_framework.authtoken.models import Token

from clients.models import Alias, Client, Membership, Obligation, Organization, Role
from credentials.models import Credential, CredentialReportType
from registrations.models import (
    Declaration,
    FrontendUser,
    Producer,
    Registration,
    Seller,
    SellerSchemeProStripeConfig,
)
from reporting.models import Country, Pro, ReportType, Scheme


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


def scheme(country_code: str, pro_name: str, report_type_code: str) -> Scheme:
    return Scheme.objects.get(
        pro__country__code=country_code,
        pro__name__iexact=pro_name,
        report_type__code__iexact=report_type_code,
    )


class FrontendUserFactory(DjangoModelFactory):
    class Meta:
        model = FrontendUser

    organization = factory.SubFactory(OrganizationFactory)
    bubble_id = factory.Sequence(lambda n: f"1708861331497x{n:018d}")


class SellerFactory(DjangoModelFactory):
    class Meta:
        model = Seller

    organization = factory.SubFactory(OrganizationFactory)
    bubble_id = factory.Sequence(lambda n: f"1700000000000x{n:018d}")
    company_name = factory.Sequence(lambda n: f"Seller {n}")
    nrn = factory.Sequence(lambda n: f"{n:011d}")


class SellerStripeConfigFactory(DjangoModelFactory):
    class Meta:
        model = SellerSchemeProStripeConfig

    seller = factory.SubFactory(SellerFactory)
    scheme = factory.LazyFunction(lambda: scheme("FR", "Refashion", "Textiles"))
    deposit_price_id = factory.Sequence(lambda n: f"price_deposit_{n}")
    eco_contribution_price_id = factory.Sequence(lambda n: f"price_eco_{n}")
    connect_id = factory.Sequence(lambda n: f"acct_{n}")


class ProducerFactory(DjangoModelFactory):
    """A producer of a seller of the same organization; `users` (FrontendUsers) may act on it."""

    class Meta:
        model = Producer
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    nrn = factory.Sequence(lambda n: f"{n:014d}")
    bubble_id = factory.Sequence(lambda n: f"1690000000000x{n:018d}")
    company_name = factory.Sequence(lambda n: f"Producer {n} SAS")
    seller = factory.SubFactory(SellerFactory, organization=factory.SelfAttribute("..organization"))

    @factory.post_generation
    def users(self, create, extracted, **kwargs):
        if create and extracted:
            self.users.add(*extracted)


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    producer = factory.SubFactory(ProducerFactory)
    scheme = factory.LazyFunction(lambda: scheme("FR", "Refashion", "Textiles"))
    bubble_id = factory.Sequence(lambda n: f"1710000000000x{n:018d}")
    status = "1 - Draft"


class DeclarationFactory(DjangoModelFactory):
    class Meta:
        model = Declaration

    registration = factory.SubFactory(RegistrationFactory)
    period = factory.Sequence(lambda n: str(2000 + n))
    product_count = 1
    quantity = 10
    amount = 100
