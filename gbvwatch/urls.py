from django.urls import include, path

urlpatterns = [
    path("", include("gbvwatch.core.urls")),
    path("directory/", include("gbvwatch.directory.urls")),
    path("reference/", include("gbvwatch.reference.urls")),
    path("gaps/", include("gbvwatch.gaps.urls")),
    path("siting/", include("gbvwatch.siting.urls")),
    path("cases/", include("gbvwatch.cases.urls")),
    path("accountability/", include("gbvwatch.accountability.urls")),
    path("upr/", include("gbvwatch.upr.urls")),
    path("stats/", include("gbvwatch.stats.urls")),
    path("reports/", include("gbvwatch.reports.urls")),
    path("api/", include("gbvwatch.api_urls")),
    path("info/", include("gbvwatch.public.urls")),
    path("public-page/", include("gbvwatch.public.staff_urls")),
]
