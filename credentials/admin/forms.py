"""The credential form: edits go through credentials.services; the PRO and report type choices
follow the chosen country and PRO."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables

from credentials.models import Credential
from credentials.services import UNSET, credential_validate
from reporting.models import Country, Pro, ReportType


class ExtraInfoField(forms.JSONField):
    """extra_info typed as a JSON object: empty when there is none (not "null"), and a bad
    value answered in words."""

    default_error_messages = {
        "invalid": (
            "This is not valid JSON. Write an object in braces with quoted names, e.g. "
            '{"portal_url": "https://example.com", "customer_no": "4711"}, or leave it empty.'
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            'More fields of the portal login as a JSON object, e.g. {"customer_no": "4711"}. '
            "Leave empty when there are none.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if value is None:
            return ""
        return super().prepare_value(value)


COLLECTIVE_ACCOUNT_HELP = (
    "Choose the collective account this credential shares its login with (same country and "
    "PRO): its login and password are then read from the collective account, so leave Login "
    "and Password empty here. Choose the empty line to give this credential its own login."
)


class CredentialAdminForm(forms.ModelForm):
    """Edits go through credentials.services; the stored password is never put in the page.

    A password typed into a form that comes back with errors is put back into its box (the
    typed value only, never the stored one), so that saving again does not drop it."""

    report_type_choices = forms.ModelMultipleChoiceField(
        label="Report types",
        queryset=ReportType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    new_password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave blank to keep the current password. It is stored encrypted.",
    )
    clear_password = forms.BooleanField(label="Remove the password", required=False)
    extra_info = ExtraInfoField(label="Extra info")
    # The credentials that read their password from this one (set by the admin).
    linked_clients = 0

    # Service field names → the form fields that carry them.
    FORM_FIELDS = {
        "report_types": "report_type_choices",
        "report_type": "report_type_choices",
        "password": "new_password",
        "collective_account_id": "collective_account",
    }

    class Meta:
        model = Credential
        fields = [
            "client",
            "country",
            "pro",
            "status",
            "interval",
            "collective_account",
            "login",
            "registration_number",
            "notes",
            "extra_info",
        ]
        help_texts = {
            "login": "Leave empty when the credential reads it from a collective account.",
            "collective_account": COLLECTIVE_ACCOUNT_HELP,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "report_type_choices" in self.fields:
            self.fields["report_type_choices"].initial = list(
                ReportType.objects.filter(code__in=self.instance.report_type_list)
            )
        self._follow_the_catalog()
        if self.linked_clients and "new_password" in self.fields:
            self.fields["new_password"].help_text = (
                "Warning: this is a collective account. A new password here is the password "
                f"of the {self.linked_clients} linked client(s) listed below as well. Leave "
                "blank to keep the current password."
            )

    def _chosen(self, name: str):
        """The pk chosen for `name`: the submitted one, else the credential's, else the add
        form's starting value (a missing credential's "Add credential" link)."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name)) or None
        return getattr(self.instance, f"{name}_id", None) or self.initial.get(name)

    def _follow_the_catalog(self) -> None:
        """The PRO choices shown are the chosen country's, the report types the chosen PRO's;
        the page's script (credentials/credential_form.js) keeps them in step as the user
        picks. The fields still take any catalog value, so that a combination the catalog does
        not offer gets the services' message, which names the valid choices."""
        if "pro" in self.fields:
            country = catalog_pk(Country, self._chosen("country"))
            pros = Pro.objects.filter(country_id=country).order_by("name") if country else []
            _show_choices(self.fields["pro"], [("", "---------")], pros, lambda p: p.name)
        if "report_type_choices" in self.fields:
            pro = catalog_pk(Pro, self._chosen("pro"))
            field = self.fields["report_type_choices"]
            offered = ReportType.objects.filter(pros=pro) if pro else []
            _show_choices(field, [], offered, str)
            field.help_text = (
                "The report types the chosen PRO takes." if pro else "Choose a PRO first."
            )

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.errors and "new_password" in self.fields:
            # The re-rendered page keeps what the user typed (the submitted value, never the
            # stored password), so that the next save does not silently drop it.
            self.fields["new_password"].widget.render_value = True

    def password_argument(self):
        if self.cleaned_data.get("clear_password"):
            return ""
        return self.cleaned_data.get("new_password") or UNSET

    @method_decorator(sensitive_variables("data", "arguments", "password"))
    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            "country": data["country"].code,
            "pro": data["pro"].name,
            "report_types": [rt.code for rt in data["report_type_choices"]],
            "login": data.get("login") or "",
            "registration_number": data.get("registration_number") or "",
            "status": data["status"],
            "notes": data.get("notes") or "",
            "interval": data.get("interval") or None,
            "extra_info": data.get("extra_info"),
            "collective_account_id": (
                data["collective_account"].pk if data.get("collective_account") else None
            ),
        }
        password = self.password_argument()
        if password is not UNSET:
            arguments["password"] = password
        return arguments

    @method_decorator(sensitive_variables("cleaned", "checked"))
    def clean(self):
        """The services' rules are checked even when another field has an error, so that one
        submit shows every error at once; a field that failed its own check is left out."""
        cleaned = super().clean()
        client = cleaned.get("client") or (self.instance.client if self.instance.pk else None)
        if client is None or not self._has_required(cleaned):
            return cleaned
        checked = self._checked_arguments()
        try:
            credential_validate(
                client=client,
                credential=self.instance if self.instance.pk else None,
                **{name: checked.get(name, UNSET) for name in SERVICE_CHECKED},
            )
        except ValidationError as exc:
            self._add_service_errors(exc, collective=cleaned.get("collective_account"))
        return cleaned

    @staticmethod
    def _has_required(cleaned: dict) -> bool:
        required = ("country", "pro", "report_type_choices", "status")
        return all(cleaned.get(name) for name in required)

    @method_decorator(sensitive_variables("arguments"))
    def _checked_arguments(self) -> dict:
        """The service arguments whose form fields passed their own checks."""
        arguments = self.service_arguments()
        failed = {self.FORM_FIELDS.get(name, name) for name in self.errors}
        return {
            name: value
            for name, value in arguments.items()
            if self.FORM_FIELDS.get(name, name) not in failed
        }

    def _add_service_errors(self, exc: ValidationError, *, collective: Credential | None) -> None:
        """The services' errors on their form fields; a linked credential's login and password
        errors say where its login comes from."""
        for field, messages_ in exc.message_dict.items():
            name = self.FORM_FIELDS.get(field, field)
            if field in ("login", "password") and collective is not None:
                messages_ = [linked_secret_message(field, collective)]
            self.add_error(name if name in self.fields else None, messages_)


# The arguments credential_validate checks.
SERVICE_CHECKED = (
    "country",
    "pro",
    "report_types",
    "login",
    "password",
    "extra_info",
    "collective_account_id",
    "registration_number",
    "notes",
)


def linked_secret_message(field: str, collective: Credential) -> str:
    return (
        f"This credential reads its {field} from the collective account {collective}. To give "
        f"it its own {field}, set Collective account to the empty line and save the login and "
        "password together."
    )


def _show_choices(field, first, rows, label) -> None:
    widget = getattr(field.widget, "widget", field.widget)
    widget.choices = [*first, *((str(row.pk), label(row)) for row in rows)]


def catalog_pk(model, value):
    """`value` as a primary key of the catalog `model`, or None when it is not one."""
    if value in (None, ""):
        return None
    try:
        return model._meta.pk.to_python(value)
    except ValidationError:
        return None
