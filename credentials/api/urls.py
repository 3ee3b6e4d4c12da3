from rest_framework.routers import SimpleRouter

app_name = "credentials-api"

router = SimpleRouter(trailing_slash="/?")

urlpatterns = router.urls
