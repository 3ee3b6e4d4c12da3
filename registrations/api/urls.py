from django.urls import re_path

from registrations.api.views import RegistrationsUpsertView

app_name = "registrations-api"

urlpatterns = [
    re_path(
        r"^(?P<UserBubbleId>[^/]+)/producers/(?P<ProducerNrn>[^/]+)/registrations/?$",
        RegistrationsUpsertView.as_view(),
        name="registrations-upsert",
    ),
]
