from django.urls import include, path

urlpatterns = [
    path("", include("gbvwatch.core.urls")),
    path("directory/", include("gbvwatch.directory.urls")),
    path("reference/", include("gbvwatch.reference.urls")),
    path("gaps/", include("gbvwatch.gaps.urls")),
    path("cases/", include("gbvwatch.cases.urls")),
    path("stats/", include("gbvwatch.stats.urls")),
    path("api/", include("gbvwatch.api_urls")),
]
