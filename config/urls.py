from django.contrib import admin
from django.urls import include, path

from explainer import urls as reading_urls
from explainer.views import healthz, livez
from quizzes.views.home import home

admin.site.site_header = "Milk War Classroom: teachers"
admin.site.site_title = "Milk War Classroom admin"
admin.site.index_title = "Content, facts and quizzes"
admin.site.site_url = "/"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("accounts/", include("quizzes.account_urls")),
    # The home page shows both sides (the story; the learner's progress and homework), so its view
    # is the practice side's; it keeps the name every page links to, `explainer:home`.
    path("", include(([path("", home, name="home"), *reading_urls.urlpatterns], reading_urls.app_name))),
    path("", include("quizzes.urls")),
]

# A database too busy to write answers 503 with Retry-After, not 500 (config/errors.py).
handler500 = "config.errors.server_error"
