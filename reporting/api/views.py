from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.selectors import report_types_by_country_and_pro


class ReportTypesView(APIView):
    """Report types offered by each PRO, by country, from the catalog."""

    @extend_schema(
        operation_id="get_report_types",
        summary="Report types by country and PRO",
        responses={
            200: {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
        examples=[
            OpenApiExample(
                "Catalog",
                value={
                    "DE": {"Stiftung EAR": ["WEEE"]},
                    "FR": {"Eco-Emballages": ["Packaging"]},
                    "NL": {"Stichting Open": ["Packaging"]},
                },
                response_only=True,
            )
        ],
        tags=["report types"],
    )
    def get(self, request):
        return Response(report_types_by_country_and_pro())
