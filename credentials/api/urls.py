from rest_framework.routers import SimpleRouter

from credentials.api.views import (
    ClientBulkUploadViewSet,
    CollectiveAccountViewSet,
    CredentialSearchViewSet,
    CredentialViewSet,
)

app_name = "credentials-api"

router = SimpleRouter()
# SimpleRouter's argument only switches between "/" and "": the seed's paths have no trailing
# slash and one must work too.
router.trailing_slash = "/?"
router.register(
    r"clients/collective-accounts", CollectiveAccountViewSet, basename="collective-account"
)
router.register(r"clients/bulk-upload", ClientBulkUploadViewSet, basename="client-bulk-upload")
router.register(
    r"clients/(?P<client_id>[0-9]+)/credentials/search",
    CredentialSearchViewSet,
    basename="credential-search",
)
# Two letters only, so that "search" is never taken for a country.
router.register(
    r"clients/(?P<client_id>[0-9]+)/credentials/(?P<country>[A-Za-z]{2})",
    CredentialViewSet,
    basename="credential",
)

urlpatterns = router.urls
