"""An error while the admin's credential form is cleaned is reported (500 page, admin e-mail)
without the typed password among the frames' variables."""

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from credentials.admin.forms import CredentialAdminForm

TYPED = "Typed-Secret-4242"


def report_of(call) -> str:
    try:
        call()
    except Exception:
        exc_type, exc, tb = sys.exc_info()
    else:
        pytest.fail("the call did not fail")
    reporter = ExceptionReporter(RequestFactory().get("/"), exc_type, exc, tb)
    # The variables of each frame, as the 500 page and the error e-mail show them.
    return "\n".join(
        f"{frame['function']}: {name}={value}"
        for frame in reporter.get_traceback_frames()
        if frame["filename"].endswith("admin/forms.py")
        for name, value in frame["vars"]
        if name != "self"  # the form itself shows its fields, not their cleaned values
    )


def broken_form() -> CredentialAdminForm:
    """A form whose cleaned data holds a typed password but not the country: reading its
    arguments fails after the password was read."""
    form = CredentialAdminForm.__new__(CredentialAdminForm)
    form.cleaned_data = {"new_password": TYPED}
    return form


def test_the_arguments_read_from_the_form_are_hidden_from_error_reports():
    form = broken_form()

    text = report_of(lambda: form.service_arguments())

    assert "service_arguments" in text
    assert TYPED not in text
