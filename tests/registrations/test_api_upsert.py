import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registrations.models import Registration
from reporting.models import Scheme
from tests.factories import (
    DeclarationFactory,
    FrontendUserFactory,
    ProducerFactory,
    RegistrationFactory,
    SellerStripeConfigFactory,
)

REGISTRATION_KEYS = {
    "id",
    "bubbleId",
    "producerBubbleId",
    "producerId",
    "schemeProBubbleId",
    "schemeProId",
    "uin",
    "proMemberId",
    "status",
    "schemeDepositAmount",
    "isExternalRegistration",
    "uinReceivedAt",
    "registrationSentToProAt",
    "createdAt",
    "updatedAt",
    "schemePro",
    "countProductsScheme",
    "totalQuantityScheme",
    "totalAmountScheme",
    "producerPaidAt",
}
SCHEME_PRO_KEYS = {
    "id",
    "bubbleId",
    "ecoOrganismName",
    "eprCountryCode",
    "schemeCode",
    "ademeSchemeCode",
    "currencyDeposit",
    "declarationFrequency",
    "proAddress",
    "proCity",
    "proZipCode",
    "proCountryBubbleId",
    "proCountryId",
    "proLogo",
    "registrationDeposit",
    "schemeNameEn",
    "schemeNameFr",
    "schemePartner",
    "createdAt",
    "updatedAt",
    "countProductsScheme",
    "country",
    "seller",
    "sellerStripeConfig",
}
COUNTRY_KEYS = {
    "id",
    "bubbleId",
    "codeIso2",
    "isVat",
    "nameEN",
    "nameFR",
    "nameZH",
    "eprActivated",
    "createdAt",
    "updatedAt",
}
SELLER_KEYS = {
    "id",
    "bubbleId",
    "companyName",
    "nrn",
    "vat",
    "companyAddress",
    "companyLogo",
    "superAdminEmail",
    "superAdminMobilePhone",
    "superAdminFirstName",
    "superAdminLastName",
    "registrationFeesId",
    "declarationBasicFeesId",
    "declarationPremiumFeesId",
    "connectAlgorepId",
    "commissionPercentage",
    "createdAt",
    "updatedAt",
}
STRIPE_CONFIG_KEYS = {
    "id",
    "sellerId",
    "schemeProId",
    "depositPriceId",
    "ecoContributionPriceId",
    "connectId",
    "createdAt",
    "updatedAt",
}


def item(**fields):
    """A request item in the seed's shape, with this test's values."""
    return {
        "uin": "UIN-1",
        "proMemberId": "MEMBER-1",
        "status": "4 - PendingPro",
        "schemeDepositAmount": 42,
        "isExternalRegistration": False,
        "uinReceivedAt": "2024-01-19T12:45:04.147Z",
        "registrationSentToProAt": "2024-01-19T12:45:04.147Z",
        **fields,
    }


def error_of(response) -> dict:
    return response.json()


# Inserting and updating


@pytest.mark.django_db
def test_an_item_for_a_new_scheme_creates_the_registration(
    users_api, upsert_url, producer, refashion
):
    response = users_api.post(
        upsert_url,
        [item(bubbleId="1711x1", schemeProId=str(refashion.pk), producerId=str(producer.pk))],
        format="json",
    )

    assert response.status_code == 200
    registration = Registration.objects.get()
    assert (registration.producer, registration.scheme) == (producer, refashion)
    assert registration.organization_id == producer.organization_id
    assert response.json()[0]["id"] == str(registration.pk)
    assert response.json()[0]["bubbleId"] == "1711x1"


@pytest.mark.django_db
def test_the_answer_has_every_field_of_the_seed_example(users_api, upsert_url, producer, refashion):
    SellerStripeConfigFactory(seller=producer.seller, scheme=refashion)

    body = users_api.post(upsert_url, [item(schemeProId=str(refashion.pk))], format="json").json()

    assert set(body[0]) == REGISTRATION_KEYS
    assert set(body[0]["schemePro"]) == SCHEME_PRO_KEYS
    assert set(body[0]["schemePro"]["country"]) == COUNTRY_KEYS
    assert set(body[0]["schemePro"]["seller"]) == SELLER_KEYS
    assert set(body[0]["schemePro"]["sellerStripeConfig"]) == STRIPE_CONFIG_KEYS


@pytest.mark.django_db
def test_the_answer_writes_the_registration_and_its_scheme_as_the_seed_does(
    users_api, upsert_url, producer, refashion
):
    seller = producer.seller
    config = SellerStripeConfigFactory(seller=seller, scheme=refashion)

    body = users_api.post(
        upsert_url, [item(bubbleId="1711x1", schemeProBubbleId=refashion.bubble_id)], format="json"
    ).json()[0]

    registration = Registration.objects.get()
    assert {key: value for key, value in body.items() if key != "schemePro"} == {
        "id": str(registration.pk),
        "bubbleId": "1711x1",
        "producerBubbleId": producer.bubble_id,
        "producerId": str(producer.pk),
        "schemeProBubbleId": refashion.bubble_id,
        "schemeProId": str(refashion.pk),
        "uin": "UIN-1",
        "proMemberId": "MEMBER-1",
        "status": "4 - PendingPro",
        "schemeDepositAmount": 42,
        "isExternalRegistration": False,
        "uinReceivedAt": "2024-01-19T12:45:04.147Z",
        "registrationSentToProAt": "2024-01-19T12:45:04.147Z",
        "createdAt": body["createdAt"],
        "updatedAt": body["updatedAt"],
        "countProductsScheme": None,
        "totalQuantityScheme": None,
        "totalAmountScheme": None,
        "producerPaidAt": None,
    }
    scheme_pro = body["schemePro"]
    assert scheme_pro["id"] == str(refashion.pk)
    assert scheme_pro["ecoOrganismName"] == "Refashion"
    assert scheme_pro["eprCountryCode"] == "FR"
    assert scheme_pro["proCountryId"] == str(refashion.pro.country_id)
    assert scheme_pro["countProductsScheme"] is None
    assert scheme_pro["country"]["codeIso2"] == "FR"
    assert scheme_pro["country"]["nameEN"] == "France"
    assert scheme_pro["seller"]["id"] == str(seller.pk)
    assert scheme_pro["seller"]["companyName"] == seller.company_name
    assert scheme_pro["sellerStripeConfig"]["id"] == str(config.pk)
    assert scheme_pro["sellerStripeConfig"]["sellerId"] == str(seller.pk)
    assert scheme_pro["sellerStripeConfig"]["depositPriceId"] == config.deposit_price_id


@pytest.mark.django_db
def test_timestamps_are_utc_with_milliseconds_and_z(users_api, upsert_url, refashion):
    body = users_api.post(
        upsert_url,
        [item(schemeProId=str(refashion.pk), uinReceivedAt="2024-01-19T13:45:04.1+01:00")],
        format="json",
    ).json()[0]

    assert body["uinReceivedAt"] == "2024-01-19T12:45:04.100Z"
    assert body["createdAt"].endswith("Z")
    assert datetime.strptime(body["createdAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert len(body["createdAt"]) == len("2024-01-19T12:45:04.147Z")


@pytest.mark.django_db
def test_the_server_owns_id_and_timestamps(users_api, upsert_url, refashion):
    sent_id = str(uuid.uuid4())

    body = users_api.post(
        upsert_url,
        [
            item(
                id=sent_id,
                schemeProId=str(refashion.pk),
                createdAt="2001-01-01T00:00:00.000Z",
                updatedAt="2001-01-01T00:00:00.000Z",
            )
        ],
        format="json",
    ).json()[0]

    assert body["id"] != sent_id
    assert not body["createdAt"].startswith("2001")
    assert not body["updatedAt"].startswith("2001")


@pytest.mark.django_db
def test_an_item_with_a_known_bubble_id_updates_that_registration(
    users_api, upsert_url, producer, refashion
):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")

    response = users_api.post(
        upsert_url, [{"bubbleId": "1711x1", "status": "5 - Registered", "uin": "U"}], format="json"
    )

    assert response.status_code == 200
    registration.refresh_from_db()
    assert (registration.status, registration.uin) == ("5 - Registered", "U")
    assert Registration.objects.count() == 1
    assert response.json()[0]["id"] == str(registration.pk)


@pytest.mark.django_db
def test_an_update_changes_only_the_fields_sent(users_api, upsert_url, producer, refashion):
    registration = RegistrationFactory(
        producer=producer, scheme=refashion, bubble_id="1711x1", uin="KEEP", pro_member_id="M"
    )

    users_api.post(upsert_url, [{"bubbleId": "1711x1", "status": "5 - Registered"}], format="json")

    registration.refresh_from_db()
    assert (registration.uin, registration.pro_member_id) == ("KEEP", "M")


@pytest.mark.django_db
def test_an_item_without_bubble_id_updates_the_producers_registration_for_that_scheme(
    users_api, upsert_url, producer, refashion
):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id=None)

    response = users_api.post(
        upsert_url, [item(schemeProId=str(refashion.pk), uin="NEW")], format="json"
    )

    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.uin == "NEW"
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_bubble_id_is_set_on_the_registration_matched_by_scheme(
    users_api, upsert_url, producer, refashion
):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id=None)

    users_api.post(
        upsert_url,
        [item(bubbleId="1711xNEW", schemeProBubbleId=refashion.bubble_id)],
        format="json",
    )

    registration.refresh_from_db()
    assert registration.bubble_id == "1711xNEW"
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_a_mixed_batch_answers_in_request_order(users_api, upsert_url, producer, refashion, citeo):
    by_bubble = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")
    corepile = Scheme.objects.get(pro__name="Corepile")
    by_scheme = RegistrationFactory(producer=producer, scheme=corepile, bubble_id=None)

    response = users_api.post(
        upsert_url,
        [
            {"schemeProId": str(corepile.pk), "status": "B"},
            item(schemeProId=str(citeo.pk), status="NEW"),
            {"bubbleId": "1711x1", "status": "A"},
        ],
        format="json",
    )

    assert response.status_code == 200
    created = Registration.objects.get(scheme=citeo)
    assert [row["id"] for row in response.json()] == [
        str(by_scheme.pk),
        str(created.pk),
        str(by_bubble.pk),
    ]
    assert [row["status"] for row in response.json()] == ["B", "NEW", "A"]
    assert Registration.objects.count() == 3


@pytest.mark.django_db
def test_a_single_object_is_a_list_of_one(users_api, upsert_url, refashion):
    response = users_api.post(upsert_url, item(schemeProId=str(refashion.pk)), format="json")

    assert response.status_code == 200
    assert len(response.json()) == 1
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_list_answers_an_empty_list(users_api, upsert_url):
    response = users_api.post(upsert_url, [], format="json")

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.django_db
def test_a_trailing_slash_works_too(users_api, upsert_url, refashion):
    response = users_api.post(
        f"{upsert_url}/", [item(schemeProId=str(refashion.pk))], format="json"
    )

    assert response.status_code == 200


@pytest.mark.django_db
def test_totals_come_from_the_registrations_declarations(
    users_api, upsert_url, producer, refashion, citeo
):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")
    paid_last = datetime(2024, 1, 19, 12, 45, 4, 147000, tzinfo=UTC)
    DeclarationFactory(
        registration=registration,
        period="2022",
        product_count=30,
        quantity=254,
        amount=Decimal("30150.00"),
        paid_at=datetime(2023, 2, 1, tzinfo=UTC),
    )
    DeclarationFactory(
        registration=registration,
        period="2023",
        product_count=42,
        quantity=400,
        amount=Decimal("42372.45"),
        paid_at=paid_last,
    )
    other_scheme = RegistrationFactory(producer=producer, scheme=citeo)
    DeclarationFactory(registration=other_scheme, product_count=999)

    body = users_api.post(upsert_url, [{"bubbleId": "1711x1"}], format="json").json()[0]

    assert body["countProductsScheme"] == 72
    assert body["totalQuantityScheme"] == 654
    assert body["totalAmountScheme"] == 72522.45
    assert body["producerPaidAt"] == "2024-01-19T12:45:04.147Z"
    assert body["schemePro"]["countProductsScheme"] == 72


@pytest.mark.django_db
def test_a_producer_without_seller_answers_null_seller_and_stripe_config(
    users_api, url_of, frontend_user, organization, refashion
):
    producer = ProducerFactory(organization=organization, seller=None, users=[frontend_user])

    body = users_api.post(
        url_of(frontend_user.bubble_id, producer.nrn),
        [item(schemeProId=str(refashion.pk))],
        format="json",
    ).json()[0]

    assert body["schemePro"]["seller"] is None
    assert body["schemePro"]["sellerStripeConfig"] is None


@pytest.mark.django_db
def test_a_seller_without_config_for_the_scheme_answers_null_stripe_config(
    users_api, upsert_url, producer, refashion, citeo
):
    SellerStripeConfigFactory(seller=producer.seller, scheme=citeo)

    body = users_api.post(upsert_url, [item(schemeProId=str(refashion.pk))], format="json").json()

    assert body[0]["schemePro"]["sellerStripeConfig"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 20])
def test_the_number_of_queries_does_not_grow_with_the_list(
    users_api, upsert_url, producer, size, django_assert_max_num_queries
):
    schemes = list(Scheme.objects.order_by("pk")[: size * 2])
    for existing in schemes[size:]:
        RegistrationFactory(producer=producer, scheme=existing, bubble_id=f"b-{existing.pk}")
    SellerStripeConfigFactory(seller=producer.seller, scheme=schemes[0])
    body = [item(schemeProId=str(new.pk)) for new in schemes[:size]]
    body += [{"bubbleId": f"b-{existing.pk}", "uin": "U"} for existing in schemes[size:]]

    with django_assert_max_num_queries(12):
        response = users_api.post(upsert_url, body, format="json")

    assert response.status_code == 200
    assert len(response.json()) == size * 2


# ALGOREP_005: the body


@pytest.mark.django_db
def test_a_batch_with_one_bad_item_writes_nothing(users_api, upsert_url, producer, refashion):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")
    citeo = Scheme.objects.get(pro__name="Citeo", report_type__code="Packaging")

    response = users_api.post(
        upsert_url,
        [
            {"bubbleId": "1711x1", "status": "CHANGED"},
            item(schemeProId=str(citeo.pk)),
            item(schemeProId=str(uuid.uuid4())),
        ],
        format="json",
    )

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_005"
    assert set(error_of(response)["details"]) == {"2"}
    registration.refresh_from_db()
    assert registration.status != "CHANGED"
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_wrong_types_answer_005_with_details_by_item_and_field(users_api, upsert_url, refashion):
    response = users_api.post(
        upsert_url,
        [
            item(schemeProId=str(refashion.pk)),
            item(
                schemeProId=str(refashion.pk),
                schemeDepositAmount="abc",
                isExternalRegistration="maybe",
                uinReceivedAt="yesterday",
            ),
        ],
        format="json",
    )

    assert response.status_code == 400
    body = error_of(response)
    assert body["error"] == "ALGOREP_005"
    assert body["message"] == "Bad Request"
    assert set(body["details"]) == {"1"}
    assert body["details"]["1"]["schemeDepositAmount"] == ["A valid number is required."]
    assert body["details"]["1"]["isExternalRegistration"] == ["Must be a valid boolean."]
    assert body["details"]["1"]["uinReceivedAt"][0].startswith("Datetime has wrong format.")
    assert Registration.objects.count() == 0


@pytest.mark.django_db
def test_a_services_validation_error_answers_005_with_its_field_errors(
    users_api, upsert_url, refashion, monkeypatch
):
    def refuse(**kwargs):
        raise DjangoValidationError({"uin": ["This UIN is taken."]})

    monkeypatch.setattr("registrations.api.views.registrations_upsert", refuse)

    response = users_api.post(upsert_url, [item(schemeProId=str(refashion.pk))], format="json")

    assert response.status_code == 400
    assert error_of(response) == {
        "error": "ALGOREP_005",
        "message": "Bad Request",
        "details": {"uin": ["This UIN is taken."]},
    }


@pytest.mark.django_db
def test_invalid_json_answers_005(users_api, upsert_url):
    response = users_api.post(upsert_url, "[{", content_type="application/json")

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_005"
    assert error_of(response)["message"].startswith("JSON parse error")


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["just a string", 42, [1], [None]])
def test_a_body_that_is_not_registrations_answers_005(users_api, upsert_url, body):
    response = users_api.post(upsert_url, body, format="json")

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_005"
    assert error_of(response)["details"]


@pytest.mark.django_db
def test_a_form_body_answers_415_algorep_042(users_api, upsert_url):
    response = users_api.post(upsert_url, {"status": "x"})

    assert response.status_code == 415
    body = error_of(response)
    assert (body["error"], body["details"]) == ("ALGOREP_042", {})
    assert body["message"].startswith('Unsupported media type "multipart/form-data;')
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_an_unknown_field_answers_005_naming_it_and_writes_nothing(
    users_api, upsert_url, refashion
):
    response = users_api.post(
        upsert_url, [item(schemeProId=str(refashion.pk), proMemberID="typo")], format="json"
    )

    assert response.status_code == 400
    body = error_of(response)
    assert body["error"] == "ALGOREP_005"
    [message] = body["details"]["0"]["proMemberID"]
    assert message.startswith("Unknown field. Valid fields: bubbleId, producerBubbleId,")
    assert not Registration.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["uin", "proMemberId", "status"])
def test_null_text_fields_stay_null(users_api, upsert_url, refashion, field):
    response = users_api.post(
        upsert_url, [item(schemeProId=str(refashion.pk), **{field: None})], format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()[0][field] is None
    registration = Registration.objects.get()
    model_field = {"uin": "uin", "proMemberId": "pro_member_id", "status": "status"}[field]
    assert getattr(registration, model_field) is None


@pytest.mark.django_db
def test_null_replaces_a_stored_uin_with_null(users_api, upsert_url, producer, refashion):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")

    response = users_api.post(upsert_url, [{"bubbleId": "1711x1", "uin": None}], format="json")

    assert response.json()[0]["uin"] is None
    registration.refresh_from_db()
    assert registration.uin is None


@pytest.mark.django_db
def test_more_than_1000_items_answer_005(users_api, upsert_url):
    response = users_api.post(upsert_url, [{}] * 1001, format="json")

    assert response.status_code == 400
    assert error_of(response)["details"] == {
        "non_field_errors": ["Ensure this field has no more than 1000 elements."]
    }


@pytest.mark.django_db
def test_a_body_above_the_upload_limit_answers_413(users_api, upsert_url, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = users_api.post(upsert_url, [item(uin="x" * 100)], format="json")

    assert response.status_code == 413
    assert error_of(response)["error"] == "ALGOREP_005"


@pytest.mark.django_db
def test_an_unknown_scheme_id_answers_005(users_api, upsert_url):
    unknown = str(uuid.uuid4())

    response = users_api.post(upsert_url, [item(schemeProId=unknown)], format="json")

    assert response.status_code == 400
    assert error_of(response)["details"] == {
        "0": {"schemeProId": [f"No scheme has the id {unknown}."]}
    }


@pytest.mark.django_db
def test_an_invalid_scheme_uuid_answers_005(users_api, upsert_url):
    response = users_api.post(upsert_url, [item(schemeProId="not-a-uuid")], format="json")

    assert error_of(response)["details"] == {"0": {"schemeProId": ["Must be a valid UUID."]}}


@pytest.mark.django_db
def test_an_unknown_scheme_bubble_id_answers_005(users_api, upsert_url):
    response = users_api.post(upsert_url, [item(schemeProBubbleId="nope")], format="json")

    assert error_of(response)["details"] == {
        "0": {"schemeProBubbleId": ["No scheme has the bubble id 'nope'."]}
    }


@pytest.mark.django_db
def test_scheme_id_and_bubble_id_naming_two_schemes_answer_005(
    users_api, upsert_url, refashion, citeo
):
    response = users_api.post(
        upsert_url,
        [item(schemeProId=str(citeo.pk), schemeProBubbleId=refashion.bubble_id)],
        format="json",
    )

    assert response.status_code == 400
    assert list(error_of(response)["details"]["0"]) == ["schemeProBubbleId"]


@pytest.mark.django_db
def test_a_new_registration_without_scheme_answers_005(users_api, upsert_url):
    response = users_api.post(upsert_url, [item(bubbleId="1711xNEW")], format="json")

    assert response.status_code == 400
    assert list(error_of(response)["details"]["0"]) == ["schemeProId"]


@pytest.mark.django_db
def test_a_producer_id_that_is_not_the_paths_answers_005(users_api, upsert_url, refashion):
    response = users_api.post(
        upsert_url,
        [item(schemeProId=str(refashion.pk), producerId=str(uuid.uuid4()))],
        format="json",
    )

    assert response.status_code == 400
    assert list(error_of(response)["details"]["0"]) == ["producerId"]
    assert Registration.objects.count() == 0


@pytest.mark.django_db
def test_a_producer_bubble_id_that_is_not_the_paths_answers_005(
    users_api, upsert_url, organization, refashion
):
    other = ProducerFactory(organization=organization)

    response = users_api.post(
        upsert_url,
        [item(schemeProId=str(refashion.pk), producerBubbleId=other.bubble_id)],
        format="json",
    )

    assert response.status_code == 400
    assert list(error_of(response)["details"]["0"]) == ["producerBubbleId"]


@pytest.mark.django_db
def test_a_bubble_id_of_another_producers_registration_answers_005(
    users_api, upsert_url, organization, refashion
):
    theirs = RegistrationFactory(
        producer=ProducerFactory(organization=organization), scheme=refashion, bubble_id="1711x9"
    )

    response = users_api.post(
        upsert_url, [item(bubbleId="1711x9", schemeProId=str(refashion.pk))], format="json"
    )

    assert response.status_code == 400
    assert error_of(response)["details"] == {
        "0": {"bubbleId": ["The registration '1711x9' belongs to another producer."]}
    }
    assert Registration.objects.get().producer_id == theirs.producer_id


@pytest.mark.django_db
def test_moving_a_registration_onto_a_scheme_it_already_has_answers_005(
    users_api, upsert_url, producer, refashion, citeo
):
    RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")
    RegistrationFactory(producer=producer, scheme=citeo, bubble_id="1711x2")

    response = users_api.post(
        upsert_url, [{"bubbleId": "1711x1", "schemeProId": str(citeo.pk)}], format="json"
    )

    assert response.status_code == 400
    assert list(error_of(response)["details"]["0"]) == ["schemeProId"]


@pytest.mark.django_db
def test_a_get_answers_405_in_the_error_shape(users_api, upsert_url):
    response = users_api.get(upsert_url)

    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert error_of(response) == {
        "error": "ALGOREP_041",
        "message": 'Method "GET" not allowed.',
        "details": {},
    }


FIELD_NAMES = [
    "bubbleId",
    "producerBubbleId",
    "producerId",
    "schemeProBubbleId",
    "schemeProId",
    "uin",
    "proMemberId",
    "status",
    "schemeDepositAmount",
    "isExternalRegistration",
    "uinReceivedAt",
    "registrationSentToProAt",
]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=80)
    | st.uuids().map(str)
    | st.datetimes().map(lambda moment: moment.isoformat()),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=15,
)


@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=JSON_VALUES)
def test_no_json_body_makes_a_server_error(users_api, upsert_url, body):
    response = users_api.post(upsert_url, body, format="json")

    assert response.status_code in (200, 400)
    assert response.status_code == 200 or response.json()["error"] == "ALGOREP_005"


# ALGOREP_028: the path


@pytest.mark.django_db
def test_an_unknown_user_answers_028(users_api, url_of, producer):
    response = users_api.post(url_of("1708x0", producer.nrn), [], format="json")

    assert response.status_code == 400
    assert error_of(response) == {
        "error": "ALGOREP_028",
        "message": "No Company Found With This NRN",
        "details": {"UserBubbleId": "1708x0", "ProducerNrn": producer.nrn},
    }


@pytest.mark.django_db
def test_a_nul_character_in_the_path_answers_028(users_api, url_of, frontend_user, producer):
    response = users_api.post(url_of(frontend_user.bubble_id, "0000%00"), [], format="json")

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_028"


@pytest.mark.django_db
def test_an_unknown_nrn_answers_028(users_api, url_of, frontend_user):
    response = users_api.post(url_of(frontend_user.bubble_id, "00000000000000"), [], format="json")

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_028"


@pytest.mark.django_db
def test_a_producer_the_user_may_not_act_on_answers_028(
    users_api, url_of, organization, frontend_user, refashion
):
    not_theirs = ProducerFactory(organization=organization, users=[FrontendUserFactory()])

    response = users_api.post(
        url_of(frontend_user.bubble_id, not_theirs.nrn),
        [item(schemeProId=str(refashion.pk))],
        format="json",
    )

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_028"
    assert Registration.objects.count() == 0


@pytest.mark.django_db
def test_another_organizations_key_cannot_reach_this_organizations_producer(
    key_api, other_organization, upsert_url, producer, refashion
):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")

    response = key_api(other_organization).post(
        upsert_url, [{"bubbleId": "1711x1", "status": "HIJACKED"}], format="json"
    )

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_028"
    registration.refresh_from_db()
    assert registration.status != "HIJACKED"


@pytest.mark.django_db
def test_a_user_of_another_organization_with_the_same_bubble_id_sees_only_its_own(
    key_api, other_organization, frontend_user, upsert_url, producer
):
    twin = FrontendUserFactory(organization=other_organization, bubble_id=frontend_user.bubble_id)
    ProducerFactory(organization=other_organization, nrn=producer.nrn, users=[twin])
    RegistrationFactory(producer=producer, bubble_id="1711x1")

    response = key_api(other_organization).post(
        upsert_url, [{"bubbleId": "1711x1", "status": "X"}], format="json"
    )

    assert response.status_code == 400
    assert error_of(response)["details"]["0"] == {
        "schemeProId": [
            "A scheme is required to create or find a registration: give its id or bubble id."
        ]
    }


@pytest.mark.django_db
def test_a_registration_that_keeps_clashing_with_concurrent_writes_answers_409(
    users_api, upsert_url, refashion, monkeypatch
):
    def clash(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("registrations.services._registrations_upsert_once", clash)

    response = users_api.post(upsert_url, [item(schemeProId=str(refashion.pk))], format="json")

    assert response.status_code == 409
    assert response.json() == {
        "error": "ALGOREP_005",
        "message": (
            "Another request changed the same registrations at the same time; "
            "send the request again."
        ),
        "details": {},
    }


# ALGOREP_001 and authentication


@pytest.mark.django_db
def test_an_unexpected_failure_answers_001_without_the_trace(
    users_api, upsert_url, refashion, monkeypatch, caplog
):
    def explode(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("registrations.api.views.registrations_upsert", explode)

    with caplog.at_level(logging.ERROR, logger="registrations.api.views"):
        response = users_api.post(upsert_url, [item(schemeProId=str(refashion.pk))], format="json")

    assert response.status_code == 500
    assert response.json() == {
        "error": "ALGOREP_001",
        "message": "The server encountered an unknown error!",
        "details": {},
    }
    assert "secret internals" not in response.content.decode()
    assert "secret internals" in caplog.text


@pytest.mark.django_db
def test_a_request_without_key_answers_401(anonymous_api, upsert_url):
    response = anonymous_api.post(upsert_url, [], format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "ApiKey"
    assert response.json() == {
        "error": "ALGOREP_040",
        "message": "Authentication credentials were not provided.",
        "details": {},
    }


@pytest.mark.django_db
def test_a_wrong_key_answers_401(anonymous_api, upsert_url):
    anonymous_api.credentials(HTTP_AUTHORIZATION="fsk_wrong")

    response = anonymous_api.post(upsert_url, [], format="json")

    assert response.status_code == 401
    assert response.json() == {"error": "ALGOREP_040", "message": "Invalid API key.", "details": {}}


@pytest.mark.django_db
def test_a_logins_token_does_not_open_the_users_routes(staff_api, upsert_url):
    response = staff_api.post(upsert_url, [], format="json")

    assert response.status_code == 401


# OpenAPI


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


@pytest.mark.django_db
def test_the_schema_describes_the_route_body_and_errors(schema):
    operation = schema["paths"]["/users/{UserBubbleId}/producers/{ProducerNrn}/registrations"][
        "post"
    ]

    assert {p["name"] for p in operation["parameters"]} == {"UserBubbleId", "ProducerNrn"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    item_name = body["items"]["$ref"].rsplit("/", 1)[-1]
    assert "schemeDepositAmount" in schema["components"]["schemas"][item_name]["properties"]
    assert {"200", "400", "401", "409", "500"} <= set(operation["responses"])
    error_ref = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
    error = schema["components"]["schemas"][error_ref.rsplit("/", 1)[-1]]
    assert set(error["properties"]) == {"error", "message", "details"}
    assert operation["responses"]["500"]["content"]["application/json"]["schema"]["$ref"] == (
        error_ref
    )
    assert operation["security"] == [{"apiKey": []}]


@pytest.mark.django_db
def test_the_schema_describes_the_answer_with_its_nested_objects(schema):
    operation = schema["paths"]["/users/{UserBubbleId}/producers/{ProducerNrn}/registrations"][
        "post"
    ]
    components = schema["components"]["schemas"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    registration = components[answer["items"]["$ref"].rsplit("/", 1)[-1]]
    scheme_pro = components[registration["properties"]["schemePro"]["$ref"].rsplit("/", 1)[-1]]

    assert set(registration["properties"]) == REGISTRATION_KEYS
    assert set(scheme_pro["properties"]) == SCHEME_PRO_KEYS


@pytest.mark.django_db
def test_a_batch_may_move_a_registration_off_a_scheme_and_create_one_on_it(
    users_api, upsert_url, producer, refashion, citeo
):
    moved = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711xMOVE")

    response = users_api.post(
        upsert_url,
        [
            item(bubbleId="1711xMOVE", schemeProId=str(citeo.pk)),
            item(schemeProId=str(refashion.pk), uin="NEW"),
        ],
        format="json",
    )

    assert response.status_code == 200, response.content
    moved.refresh_from_db()
    assert moved.scheme == citeo
    assert Registration.objects.get(producer=producer, scheme=refashion).uin == "NEW"


@pytest.mark.django_db
def test_a_batch_may_move_a_registration_onto_a_scheme_an_earlier_item_freed(
    users_api, upsert_url, producer, refashion, citeo
):
    corepile = Scheme.objects.get(pro__name="Corepile")
    # Stored in the opposite order of the moves, so that one UPDATE of both would clash.
    taker = RegistrationFactory(producer=producer, scheme=corepile, bubble_id="1711xB")
    leaver = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711xA")

    response = users_api.post(
        upsert_url,
        [
            item(bubbleId="1711xA", schemeProId=str(citeo.pk)),
            item(bubbleId="1711xB", schemeProId=str(refashion.pk)),
        ],
        format="json",
    )

    assert response.status_code == 200, response.content
    leaver.refresh_from_db()
    taker.refresh_from_db()
    assert (leaver.scheme, taker.scheme) == (citeo, refashion)


@pytest.mark.django_db
def test_taking_a_scheme_before_it_is_freed_answers_005_and_writes_nothing(
    users_api, upsert_url, producer, refashion, citeo
):
    corepile = Scheme.objects.get(pro__name="Corepile")
    taker = RegistrationFactory(producer=producer, scheme=corepile, bubble_id="1711xB")
    RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711xA")

    response = users_api.post(
        upsert_url,
        [
            item(bubbleId="1711xB", schemeProId=str(refashion.pk)),
            item(bubbleId="1711xA", schemeProId=str(citeo.pk)),
        ],
        format="json",
    )

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_005"
    taker.refresh_from_db()
    assert taker.scheme == corepile


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("uin", 100),
        ("proMemberId", 100),
        ("status", 64),
        ("bubbleId", 64),
        ("producerBubbleId", 64),
        ("schemeProBubbleId", 64),
    ],
)
def test_a_text_over_its_limit_answers_005_naming_the_field_and_the_limit(
    users_api, upsert_url, field, limit
):
    response = users_api.post(upsert_url, [item(**{field: "x" * (limit + 1)})], format="json")

    assert response.status_code == 400
    assert error_of(response)["error"] == "ALGOREP_005"
    assert error_of(response)["details"] == {
        "0": {field: [f"Ensure this field has no more than {limit} characters."]}
    }
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_texts_at_their_limits_are_accepted(users_api, upsert_url, refashion):
    texts = {"uin": "u" * 100, "proMemberId": "p" * 100, "status": "s" * 64, "bubbleId": "b" * 64}

    response = users_api.post(
        upsert_url, [item(schemeProId=str(refashion.pk), **texts)], format="json"
    )

    assert response.status_code == 200
    stored = Registration.objects.get()
    assert (stored.uin, stored.pro_member_id, stored.status, stored.bubble_id) == (
        "u" * 100,
        "p" * 100,
        "s" * 64,
        "b" * 64,
    )
