from django.urls import re_path

from reporting.api.views import ReportTypesView

app_name = "reporting-api"

urlpatterns = [
    re_path(r"^report_types/?$", ReportTypesView.as_view(), name="report-types"),
]
