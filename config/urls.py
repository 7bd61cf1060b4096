from django.contrib import admin
from django.urls import include, path

from explainer.views import healthz, livez

admin.site.site_header = "Milk War Classroom: teachers"
admin.site.site_title = "Milk War Classroom admin"
admin.site.index_title = "Content, facts and quizzes"
admin.site.site_url = "/"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("accounts/", include("quizzes.account_urls")),
    path("", include("explainer.urls")),
    path("", include("quizzes.urls")),
]

# A database too busy to write answers 503 with Retry-After, not 500 (config/errors.py).
handler500 = "config.errors.server_error"
