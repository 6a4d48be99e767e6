from django.urls import include, path

urlpatterns = [
    path("", include("gbvwatch.core.urls")),
    path("directory/", include("gbvwatch.directory.urls")),
    path("reference/", include("gbvwatch.reference.urls")),
    path("gaps/", include("gbvwatch.gaps.urls")),
    path("siting/", include("gbvwatch.siting.urls")),
    path("cases/", include("gbvwatch.cases.urls")),
    path("api/", include("gbvwatch.api_urls")),
]
