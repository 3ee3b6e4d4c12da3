from django.urls import re_path

from credentials.calendar.api.views import (
    CalendarFeedIcsView,
    CalendarFeedView,
    DeadlineListView,
    SubmissionCreateView,
    SubmissionDetailView,
)

app_name = "calendar-api"

# Paths answer with and without a trailing slash, as the rest of /logins does.
urlpatterns = [
    re_path(r"^deadlines\.ics$", CalendarFeedIcsView.as_view(), name="deadline-feed-ics"),
    re_path(r"^deadlines/?$", DeadlineListView.as_view(), name="deadline-list"),
    re_path(r"^deadlines/feed/?$", CalendarFeedView.as_view(), name="deadline-feed"),
    re_path(r"^deadlines/submissions/?$", SubmissionCreateView.as_view(), name="submission-list"),
    re_path(
        r"^deadlines/submissions/(?P<submission_id>[0-9]+)/?$",
        SubmissionDetailView.as_view(),
        name="submission-detail",
    ),
]
