import functools

from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.models import Client
from clients.parsing import parse_comma_list
from clients.tenancy import OrganizationScopedMixin, clients_of, membership_for_user
from config.query_params import comma_lists_merged
from credentials.calendar.api import schema
from credentials.calendar.api.pagination import DeadlinePagination
from credentials.calendar.api.serializers import (
    DeadlineQuerySerializer,
    DeadlineSerializer,
    SubmissionInputSerializer,
    SubmissionSerializer,
)
from credentials.calendar.feed import calendar_feed, feed_window
from credentials.calendar.models import Submission
from credentials.calendar.selectors import (
    DeadlineFilter,
    current_time,
    deadline_page,
    deadlines_of,
    organization_today,
)
from credentials.calendar.services import (
    SubmissionExists,
    SubmissionInput,
    calendar_feed_create,
    calendar_feed_revoke,
    calendar_feed_user,
    submission_create,
    submission_delete,
)
from reporting.selectors import Catalog


class SubmissionConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class IsMember(BasePermission):
    """Any member, viewers included: a calendar URL is the user's own, not the portfolio's."""

    message = "You are not a member of any organization."

    def has_permission(self, request, view) -> bool:
        return membership_for_user(request.user) is not None


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode("utf-8")


CATALOG_FILTERS = {"country": "country_ids", "pro": "pro_ids", "report_type": "report_type_ids"}


def _catalog_filter(query: DeadlineQuerySerializer) -> dict[str, frozenset[int]]:
    """Catalog ids of the country/pro/report_type filters; 400 naming the valid values."""
    data = query.validated_data
    if not any(data.get(name) for name in CATALOG_FILTERS):
        return {}
    catalog = Catalog.load()
    ids, errors = {}, {}
    for name, argument in CATALOG_FILTERS.items():
        found, messages = catalog.filter_values(name, parse_comma_list(data.get(name)))
        ids[argument] = frozenset(row.pk for row in found)
        if messages:
            errors[name] = messages
    if errors:
        raise ValidationError(errors)
    return ids


class DeadlineListView(OrganizationScopedMixin, GenericAPIView):
    """The organization's reporting deadlines in a window of due dates."""

    serializer_class = DeadlineSerializer
    pagination_class = DeadlinePagination
    filter_backends = []

    @schema.deadline_list
    def get(self, request):
        query = DeadlineQuerySerializer(data=comma_lists_merged(request.query_params))
        query.is_valid(raise_exception=True)
        organization = self.organization
        start, end = query.window(organization_today(organization))
        client_ids = frozenset(query.validated_data.get("client") or ())
        if client_ids:
            own = set(
                clients_of(organization).filter(pk__in=client_ids).values_list("pk", flat=True)
            )
            unknown = sorted(client_ids - own)
            if unknown:
                raise ValidationError(
                    {"client": [f"No client with id {', '.join(map(str, unknown))} here."]}
                )
        wanted = DeadlineFilter(
            start=start,
            end=end,
            client_ids=client_ids,
            statuses=frozenset(query.validated_data.get("status") or ()),
            **_catalog_filter(query),
        )
        page = self.paginator.paginate_deadlines(
            request, functools.partial(deadline_page, organization, wanted)
        )
        return self.get_paginated_response(DeadlineSerializer(page, many=True).data)


class SubmissionCreateView(OrganizationScopedMixin, APIView):
    @schema.submission_create
    def post(self, request):
        serializer = SubmissionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            submission = submission_create(
                organization=self.organization,
                data=SubmissionInput(**serializer.validated_data),
                user=request.user,
            )
        except Client.DoesNotExist:
            raise NotFound("No such client in your organization.") from None
        except SubmissionExists as error:
            raise SubmissionConflict(str(error)) from None
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class SubmissionDetailView(OrganizationScopedMixin, APIView):
    @schema.submission_delete
    def delete(self, request, submission_id: int):
        submission = get_object_or_404(Submission.objects.of(self.organization), pk=submission_id)
        submission_delete(submission=submission)
        return Response({"message": "Submission removed: the deadline is open again."})


class CalendarFeedView(APIView):
    """The caller's own secret calendar URL."""

    permission_classes = [IsMember]

    @schema.feed_create
    def post(self, request):
        raw_token = calendar_feed_create(user=request.user)
        url = request.build_absolute_uri(reverse("calendar-api:deadline-feed-ics"))
        return Response(
            {"url": f"{url}?token={raw_token}", "token": raw_token},
            status=status.HTTP_201_CREATED,
        )

    @schema.feed_delete
    def delete(self, request):
        if not calendar_feed_revoke(user=request.user):
            raise NotFound("You have no calendar URL.")
        return Response({"message": "Calendar URL revoked."})


class CalendarFeedIcsView(APIView):
    """The calendar itself: the secret token in the URL is the only credential, since
    calendar apps cannot send headers."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [ICalendarRenderer]

    @schema.feed_ics
    def get(self, request):
        user = calendar_feed_user(raw_token=request.query_params.get("token", ""))
        membership = membership_for_user(user) if user is not None else None
        if membership is None:
            return Response(b"Not found.\n", status=status.HTTP_404_NOT_FOUND)
        organization = membership.organization
        start, end = feed_window(organization_today(organization))
        deadlines = deadlines_of(organization, DeadlineFilter(start=start, end=end))
        body = calendar_feed(
            deadlines=deadlines, organization_name=organization.name, stamp=current_time()
        )
        response = Response(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response
