"""The guided credential form of the admin: choices that follow the catalog, every error of
a submit at once, a typed password never dropped, extra_info as JSON, collective accounts in
admin words."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Role
from credentials.models import Credential
from tests.factories import ClientFactory, CredentialFactory, country, pro, report_type

pytestmark = pytest.mark.django_db

SECRET = "St0red-Secret"
TYPED = "Typed-But-Not-Yet-Saved"


def add_url():
    return reverse("admin:credentials_credential_add")


def change_url(credential):
    return reverse("admin:credentials_credential_change", args=[credential.pk])


def catalog_url():
    return reverse("admin:credentials_credential_catalog")


def credential_form(**overrides):
    data = {
        "country": str(country("DE").pk),
        "pro": str(pro("DE", "Stiftung EAR").pk),
        "report_type_choices": [str(report_type("WEEE").pk)],
        "status": "active",
        "interval": "",
        "collective_account": "",
        "login": "form-login",
        "new_password": "",
        "registration_number": "",
        "notes": "",
        "extra_info": "",
        "password_history-TOTAL_FORMS": "0",
        "password_history-INITIAL_FORMS": "0",
    }
    return data | overrides


@pytest.fixture
def credential(acme):
    return CredentialFactory(client=acme, password=SECRET, login="acme-login", extra_info=None)


def form_of(response):
    return response.context["adminform"].form


def test_the_pro_choices_are_the_chosen_countrys(admin_as, credential):
    form = form_of(admin_as(Role.STAFF).get(change_url(credential)))

    shown = dict(form.fields["pro"].widget.widget.choices)
    assert "Stiftung EAR" in shown.values()
    assert "Citeo" not in shown.values()


def test_the_report_type_choices_are_the_chosen_pros(admin_as, credential):
    form = form_of(admin_as(Role.STAFF).get(change_url(credential)))

    shown = set(dict(form.fields["report_type_choices"].widget.choices).values())
    assert shown == {str(rt) for rt in pro("DE", "Stiftung EAR").report_types.all()}
    assert "Packaging" not in shown


def test_a_new_credential_shows_no_pro_before_a_country_is_chosen(admin_as, acme):
    form = form_of(admin_as(Role.STAFF).get(add_url()))

    assert list(form.fields["pro"].widget.widget.choices) == [("", "---------")]


def test_the_catalog_endpoint_lists_the_pros_of_a_country(admin_as):
    response = admin_as(Role.STAFF).get(catalog_url(), {"country": str(country("FR").pk)})

    names = [row["name"] for row in response.json()["pros"]]
    assert "Citeo" in names
    assert "Stiftung EAR" not in names


def test_the_catalog_endpoint_lists_the_report_types_of_a_pro(admin_as):
    citeo = pro("FR", "Citeo")

    response = admin_as(Role.STAFF).get(catalog_url(), {"pro": str(citeo.pk)})

    assert response.json() == {
        "report_types": [
            {"id": str(rt.pk), "name": str(rt)} for rt in citeo.report_types.order_by("code")
        ]
    }


def test_the_catalog_endpoint_answers_400_to_a_value_that_is_not_an_id(admin_as):
    response = admin_as(Role.STAFF).get(catalog_url(), {"country": "DE'--"})

    assert response.status_code == 400


def test_the_catalog_endpoint_needs_a_login(client):
    response = client.get(catalog_url(), {"country": "x"})

    assert response.status_code == 302


def test_one_submit_shows_every_error_at_once(admin_as, acme):
    response = admin_as(Role.STAFF).post(
        add_url(),
        credential_form(
            client=str(acme.pk),
            report_type_choices=[str(report_type("Packaging").pk)],
            extra_info="{not json",
            login="x" * 300,
        ),
    )

    errors = form_of(response).errors
    assert set(errors) >= {"report_type_choices", "extra_info", "login"}
    assert "does not take Packaging" in errors["report_type_choices"][0]


def test_a_typed_password_is_put_back_when_the_form_has_errors(admin_as, acme):
    response = admin_as(Role.STAFF).post(
        add_url(), credential_form(client=str(acme.pk), new_password=TYPED, extra_info="{bad")
    )

    assert f'value="{TYPED}"' in response.content.decode()
    assert not Credential.objects.exists()


def test_saving_again_after_an_error_stores_the_typed_password(admin_as, acme):
    staff = admin_as(Role.STAFF)
    first = staff.post(
        add_url(), credential_form(client=str(acme.pk), new_password=TYPED, extra_info="{bad")
    )
    resubmitted = form_of(first)["new_password"].value()

    response = staff.post(add_url(), credential_form(client=str(acme.pk), new_password=resubmitted))

    assert response.status_code == 302
    assert Credential.objects.get().password == TYPED


def test_an_error_on_a_change_never_puts_the_stored_password_in_the_page(admin_as, credential):
    response = admin_as(Role.STAFF).post(change_url(credential), credential_form(extra_info="{bad"))

    page = response.content.decode()
    assert form_of(response).errors
    assert SECRET not in page
    assert 'name="new_password" autocomplete="new-password"' in page


def test_empty_extra_info_is_shown_empty_not_null(admin_as, credential):
    form = form_of(admin_as(Role.STAFF).get(change_url(credential)))

    assert form["extra_info"].value() in (None, "")
    assert ">null</textarea>" not in str(form["extra_info"])


def test_bad_extra_info_json_gets_a_message_that_says_how_to_write_it(admin_as, credential):
    response = admin_as(Role.STAFF).post(
        change_url(credential), credential_form(extra_info="{a: 1")
    )

    message = form_of(response).errors["extra_info"][0]
    assert "not valid JSON" in message
    assert "quoted names" in message


def test_extra_info_is_saved_as_a_json_object(admin_as, credential):
    admin_as(Role.STAFF).post(
        change_url(credential), credential_form(extra_info='{"customer_no": "4711"}')
    )

    credential.refresh_from_db()
    assert credential.extra_info == {"customer_no": "4711"}


def test_empty_extra_info_is_saved_as_none(admin_as, acme):
    admin_as(Role.STAFF).post(add_url(), credential_form(client=str(acme.pk)))

    assert Credential.objects.get().extra_info is None


def test_the_interval_is_in_the_first_fieldset(admin_as, credential):
    response = admin_as(Role.STAFF).get(change_url(credential))

    first = response.context["adminform"].fieldsets[0]
    assert "interval" in first[1]["fields"]
    assert "collapse" not in first[1].get("classes", ())


def test_the_collective_account_field_says_what_to_do_in_admin_words(admin_as, credential):
    page = admin_as(Role.STAFF).get(change_url(credential)).content.decode()

    assert "Choose the collective account this credential shares its login with" in page
    assert "collective_account_id" not in page


def test_an_own_login_on_a_linked_credential_is_refused_in_admin_words(
    admin_as, acme, collective_credential
):
    response = admin_as(Role.STAFF).post(
        add_url(),
        credential_form(
            client=str(acme.pk),
            country=str(country("NL").pk),
            pro=str(pro("NL", "Stichting OPEN").pk),
            collective_account=str(collective_credential.pk),
            login="own-login",
        ),
    )

    message = form_of(response).errors["login"][0]
    assert "set Collective account to the empty line" in message
    assert "collective_account_id" not in message
    assert not Credential.objects.filter(client=acme).exists()


def _collective_choices(client) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            "/admin/autocomplete/",
            {
                "app_label": "credentials",
                "model_name": "credential",
                "field_name": "collective_account",
                "term": "",
            },
        )
    assert response.status_code == 200
    return len(queries), response.json()["results"]


def test_the_collective_account_autocomplete_reads_its_results_in_constant_queries(
    admin_as, organization
):
    browser = admin_as()
    collective = ClientFactory(organization=organization, collective_account=True)
    CredentialFactory(client=collective)
    few_queries, few = _collective_choices(browser)
    for code, name in (("FR", "Citeo"), ("NL", "Stichting OPEN"), ("BE", "Fost Plus")):
        CredentialFactory(client=collective, country=country(code), pro=pro(code, name))

    many_queries, many = _collective_choices(browser)

    assert (len(few), len(many)) == (1, 4)
    assert many_queries == few_queries
