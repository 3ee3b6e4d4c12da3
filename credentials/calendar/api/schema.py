"""OpenAPI descriptions of the compliance calendar's routes, kept beside the views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from config.api_schema import BAD_REQUEST, UNAUTHORIZED, MessageSerializer, error_response
from credentials.calendar.api.serializers import (
    CalendarFeedSerializer,
    DeadlineQuerySerializer,
    DeadlineSerializer,
    SubmissionInputSerializer,
    SubmissionSerializer,
)

TAGS = ["deadlines"]
FORBIDDEN = error_response("Not a member, or a viewer writing.")
NOT_FOUND = error_response("Not found in your organization.")

DEADLINE_EXAMPLE = {
    "client_id": 123,
    "client_name": "ABC Corporation",
    "country": "DE",
    "pro": "Stiftung EAR",
    "report_type": "WEEE",
    "period": "2026-02",
    "due_date": "2026-03-15",
    "status": "due_soon",
    "credential_id": 456,
    "submission_id": None,
}

deadline_list = extend_schema(
    operation_id="get_deadlines",
    summary="Reporting deadlines in a window of due dates",
    description=(
        "One row per (client, country, PRO, report type, period) whose report falls due from "
        "`from` to `to` (default: today in the organization's time zone to 60 days later; at "
        "most two years). Rows come from each credential's report types and from obligations "
        "that no credential covers (`credential_id` null). The frequency is the credential's "
        "interval, else the organization's override, else the catalog's rule; the due date "
        "comes from the override or the rule. Status: `submitted` once a submission is "
        "recorded, `overdue` after the due date, `due_soon` within the organization's "
        "due-soon days, else `upcoming`. List filters take comma lists and repeated "
        "parameters. Ordered by due date, then client name."
    ),
    parameters=[DeadlineQuerySerializer],
    responses={
        200: DeadlineSerializer(many=True),
        400: BAD_REQUEST,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
    },
    examples=[OpenApiExample("Deadline", value=DEADLINE_EXAMPLE, response_only=True)],
    tags=TAGS,
)

submission_create = extend_schema(
    operation_id="create_deadline_submission",
    summary="Record a report as submitted",
    description=(
        "Marks the deadline (client, country, PRO, report type, period) as submitted. "
        "409 when it already is; 404 for a client that is not your organization's."
    ),
    request=SubmissionInputSerializer,
    responses={
        201: SubmissionSerializer,
        400: BAD_REQUEST,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        409: error_response("Already recorded as submitted."),
    },
    tags=TAGS,
)

submission_delete = extend_schema(
    operation_id="delete_deadline_submission",
    summary="Remove a recorded submission",
    description="The deadline is open again.",
    parameters=[
        OpenApiParameter(
            "submission_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Its id."
        )
    ],
    request=None,
    responses={200: MessageSerializer, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    tags=TAGS,
)

feed_create = extend_schema(
    operation_id="create_deadline_feed",
    summary="Create your secret calendar URL",
    description=(
        "Answers a new secret URL of your organization's deadlines as an iCalendar feed, "
        "replacing any previous one (which stops working). It is shown only this once: only "
        "a digest is stored. Viewers may create theirs too."
    ),
    request=None,
    responses={201: CalendarFeedSerializer, 401: UNAUTHORIZED, 403: FORBIDDEN},
    tags=TAGS,
)

feed_delete = extend_schema(
    operation_id="delete_deadline_feed",
    summary="Revoke your secret calendar URL",
    request=None,
    responses={
        200: MessageSerializer,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: error_response("You have no calendar URL."),
    },
    tags=TAGS,
)

feed_ics = extend_schema(
    operation_id="get_deadline_feed",
    summary="Your organization's deadlines as an iCalendar feed",
    description=(
        "For calendar apps: the secret `token` is the only credential. One all-day event per "
        "deadline due from 90 days ago to a year ahead, naming the client, country, PRO, "
        "report type, period and status; never a login, password or registration number. "
        "An unknown or revoked token answers 404."
    ),
    auth=[],
    parameters=[
        OpenApiParameter(
            "token",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            required=True,
            description="The secret token of your calendar URL.",
        )
    ],
    responses={
        (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar."),
        (404, "text/calendar"): OpenApiResponse(
            OpenApiTypes.STR, description="Unknown or revoked token."
        ),
    },
    tags=TAGS,
)
