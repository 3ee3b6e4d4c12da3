"""`GET /logins/credentials/attention`: credentials that need attention, passwords masked."""

from django.urls import re_path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from clients.tenancy import OrganizationScopedMixin
from config.api_schema import UNAUTHORIZED, error_response
from credentials.attention import attention_reasons, credentials_needing_attention
from credentials.calendar.api.pagination import AttentionPagination
from credentials.models import MASK, Credential


class CredentialAttentionSerializer(serializers.ModelSerializer):
    client_id = serializers.IntegerField()
    client_name = serializers.CharField(source="client.name")
    country = serializers.CharField(source="country.code")
    pro = serializers.CharField(source="pro.name")
    report_type = serializers.CharField(source="report_type_codes")
    report_types = serializers.ListField(child=serializers.CharField(), source="report_type_list")
    login = serializers.CharField(source="effective_login")
    password = serializers.SerializerMethodField(help_text='Always "***".')
    password_set_at = serializers.DateTimeField(
        help_text="When the password in use was set (its last change, else the credential's "
        "creation; a collective account's for a linked credential)."
    )
    reasons = serializers.SerializerMethodField(
        help_text="invalid, pending (the status) and/or password_age (older than the PRO's "
        "maximum, or the default maximum)."
    )

    class Meta:
        model = Credential
        fields = [
            "id",
            "client_id",
            "client_name",
            "country",
            "pro",
            "report_type",
            "report_types",
            "login",
            "password",
            "status",
            "password_set_at",
            "reasons",
        ]

    def get_password(self, credential) -> str:
        return MASK

    def get_reasons(self, credential) -> list[str]:
        return attention_reasons(credential, self.context["now"])


class CredentialAttentionView(OrganizationScopedMixin, GenericAPIView):
    serializer_class = CredentialAttentionSerializer
    pagination_class = AttentionPagination
    queryset = Credential.objects.none()
    filter_backends = []

    @extend_schema(
        operation_id="get_credentials_attention",
        summary="Credentials that need attention",
        description=(
            "The organization's credentials whose status is invalid or pending, or whose "
            "password is older than its PRO's portal accepts (the PRO's maximum age, else the "
            "PASSWORD_MAX_AGE_DAYS setting; neither: age is not checked). Passwords are always "
            'masked as "***". Ordered by client name.'
        ),
        responses={
            200: CredentialAttentionSerializer(many=True),
            400: OpenApiResponse(description="A bad offset or limit."),
            401: UNAUTHORIZED,
            403: error_response("Not a member."),
        },
        tags=["credentials"],
    )
    def get(self, request):
        now = timezone.now()
        page = self.paginate_queryset(
            credentials_needing_attention(organization=self.organization, now=now)
        )
        serializer = CredentialAttentionSerializer(page, many=True, context={"now": now})
        return self.get_paginated_response(serializer.data)


app_name = "attention-api"

urlpatterns = [
    re_path(r"^credentials/attention/?$", CredentialAttentionView.as_view(), name="attention"),
]
