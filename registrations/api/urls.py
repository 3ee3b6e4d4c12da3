app_name = "registrations-api"

urlpatterns: list = []
