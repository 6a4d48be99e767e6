from django.urls import path

from gbvwatch.upr import views

app_name = "upr"
urlpatterns = [
    path("", views.recommendation_list, name="list"),
    path("summary/", views.summary_page, name="summary"),
    path("taxonomy/", views.taxonomy_page, name="taxonomy"),
    path("import/", views.import_page, name="import"),
    path("<int:pk>/", views.recommendation_detail, name="detail"),
    path("<int:pk>/assess/", views.assessment_add, name="assess"),
    path("<int:pk>/claim/", views.claim_add, name="claim"),
    path("<int:pk>/classify/", views.classification_edit, name="classify"),
    path("<int:pk>/link/", views.link_add, name="link"),
]
