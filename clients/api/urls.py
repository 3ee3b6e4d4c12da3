from rest_framework.routers import SimpleRouter

app_name = "clients-api"

router = SimpleRouter(trailing_slash="/?")

urlpatterns = router.urls
