"""The admin import's uploaded file between preview and confirmation: encrypted in the database,
bound to its user and organization, expiring, never in the temporary folder."""

import tempfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from encrypted_model_fields import fields as encrypted_fields

from clients.models import Client, Role
from credentials.client_import import ImportConflict
from credentials.import_uploads import PendingImportStorage, UploadGone, pending_uploads_purge
from credentials.models import ClientImport, PendingImportFile
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:clients_client_import")
CONFIRM = reverse("admin:clients_client_process_import")
MARKER = "Upl0ad-MARKER-7f3a"
CSV = (
    "name,country,report_type,pro,login,password\n"
    f"ABC Corporation,DE,WEEE,Stiftung EAR,abc@example.com,{MARKER}\n"
)


@pytest.fixture(autouse=True)
def temp_dir(tmp_path, monkeypatch):
    """A temporary folder of the test's own, as tempfile.gettempdir() answers it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def browser_for(db):
    def login(organization, role=Role.STAFF) -> Browser:
        membership = MembershipFactory(organization=organization, role=role)
        browser = Browser()
        browser.force_login(membership.user)
        browser.user = membership.user
        return browser

    return login


@pytest.fixture
def staff_browser(browser_for, organization):
    return browser_for(organization)


def upload(browser, content=CSV):
    return browser.post(
        IMPORT,
        {
            "import_file": SimpleUploadedFile(
                "clients.csv", content.encode() if isinstance(content, str) else content
            ),
            "format": "0",
            "resource": "0",
        },
    )


def confirm_with(browser, initial, **changes):
    return browser.post(CONFIRM, {**initial, **changes, "confirm": "Confirm import"}, follow=True)


@pytest.fixture
def preview(staff_browser):
    response = upload(staff_browser)
    assert "confirm_form" in response.context
    return response.context["confirm_form"].initial


def test_the_upload_waits_in_the_database_encrypted_under_a_random_name(
    preview, staff_browser, organization
):
    stored = PendingImportFile.objects.get()

    assert stored.name == preview["import_file_name"]
    assert len(stored.name) >= 40
    assert (stored.user, stored.organization) == (staff_browser.user, organization)
    assert MARKER not in stored.content
    assert MARKER.encode() in encrypted_fields.CRYPTER.decrypt(stored.content.encode())


def test_nothing_is_written_to_the_temporary_folder(staff_browser, temp_dir):
    response = upload(staff_browser)
    after_preview = list(temp_dir.iterdir())
    confirm_with(staff_browser, response.context["confirm_form"].initial)

    assert after_preview == []
    assert list(temp_dir.iterdir()) == []
    assert ClientImport.objects.get().created == 1


def test_confirming_imports_the_file_and_deletes_the_upload(preview, staff_browser, organization):
    response = confirm_with(staff_browser, preview)

    assert "Import finished: 1 client(s) created" in response.content.decode()
    assert organization.clients.get().credentials.get().password == MARKER
    assert not PendingImportFile.objects.exists()


def test_the_same_upload_cannot_be_confirmed_twice(preview, staff_browser):
    confirm_with(staff_browser, preview)

    again = confirm_with(staff_browser, preview)

    assert "That upload is no longer available" in again.content.decode()
    assert ClientImport.objects.count() == 1


def test_staff_of_another_organization_cannot_confirm_the_upload(
    preview, browser_for, other_organization
):
    intruder = browser_for(other_organization)

    response = confirm_with(intruder, preview)

    assert response.redirect_chain == [(IMPORT, 302)]
    assert "That upload is no longer available" in response.content.decode()
    assert not Client.objects.exists()
    assert not ClientImport.objects.exists()
    assert PendingImportFile.objects.filter(name=preview["import_file_name"]).exists()


def test_another_user_of_the_same_organization_cannot_confirm_the_upload(
    preview, browser_for, organization
):
    colleague = browser_for(organization)

    response = confirm_with(colleague, preview)

    assert "That upload is no longer available" in response.content.decode()
    assert not Client.objects.exists()
    assert PendingImportFile.objects.exists()


@pytest.mark.parametrize("crafted", ["../../etc/passwd", "passwd", "victim.csv", "{victim}"])
def test_a_made_up_file_name_imports_nothing_and_deletes_nothing(
    preview, staff_browser, temp_dir, crafted
):
    victim = temp_dir / "victim.csv"
    victim.write_text(CSV)
    name = crafted.format(victim=victim)

    response = confirm_with(staff_browser, preview, import_file_name=name)

    assert "That upload is no longer available" in response.content.decode()
    assert victim.read_text() == CSV
    assert not Client.objects.exists()
    assert PendingImportFile.objects.count() == 1


def test_an_expired_upload_is_refused(preview, staff_browser, settings):
    PendingImportFile.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.IMPORT_UPLOAD_TTL + 1)
    )

    response = confirm_with(staff_browser, preview)

    assert "That upload is no longer available" in response.content.decode()
    assert not Client.objects.exists()


def test_the_next_upload_purges_the_expired_ones(preview, staff_browser, settings):
    expired = PendingImportFile.objects.get()
    expired.created_at = timezone.now() - timedelta(seconds=settings.IMPORT_UPLOAD_TTL + 1)
    expired.save()

    upload(staff_browser)

    assert list(PendingImportFile.objects.values_list("name", flat=True)) != [expired.name]
    assert PendingImportFile.objects.count() == 1


def test_purging_keeps_the_uploads_still_waiting(preview, settings):
    assert pending_uploads_purge() == 0
    assert PendingImportFile.objects.count() == 1


def test_an_upload_with_invalid_rows_waits_with_its_rejected_rows_for_the_same_user(
    staff_browser,
):
    response = upload(staff_browser, CSV + "Broken SA,XX,WEEE,,,\n")

    assert "confirm_form" in response.context
    assert set(PendingImportFile.objects.values_list("user", flat=True)) == {staff_browser.user.pk}
    assert PendingImportFile.objects.count() == 2  # the upload, and its rejected rows


def test_an_unreadable_upload_is_not_kept(staff_browser):
    upload(staff_browser, b"name\n\x00\x81\x00\n")

    assert not PendingImportFile.objects.exists()


def test_the_storage_reads_only_its_own_users_upload(
    staff_browser, organization, django_user_model
):
    mine = PendingImportStorage(user=staff_browser.user, organization=organization)
    mine.save(CSV.encode())
    stranger = django_user_model.objects.create_user("stranger")

    theirs = PendingImportStorage(name=mine.name, user=stranger, organization=organization)

    assert mine.read() == CSV
    with pytest.raises(UploadGone):
        theirs.read()
    theirs.remove()
    assert PendingImportFile.objects.filter(name=mine.name).exists()


def test_a_confirmation_that_meets_a_conflict_says_nothing_was_imported(
    preview, staff_browser, monkeypatch
):
    def conflict(**kwargs):
        raise ImportConflict("Another change took one of the upload's client names.")

    monkeypatch.setattr("credentials.resources.clients_import", conflict)

    response = confirm_with(staff_browser, preview)

    assert response.status_code == 200
    assert "Nothing was imported: Another change took" in response.content.decode()
    assert not Client.objects.exists()
