from django.urls import path

from explainer import views

app_name = "explainer"

# The home page, `explainer:home`, is the practice side's view, added to these in config/urls.py.

urlpatterns = [
    path("article/", views.article_detail, name="article"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("facts/", views.fact_list, name="facts"),
    path("glossary/", views.glossary, name="glossary"),
    path("timeline/", views.timeline, name="timeline"),
    path("map/", views.csto_map, name="map"),
]
