"""The admin site, with one change: "view on site" links are checked like every admin screen.

Django's view-on-site redirect (`/admin/r/<type>/<id>/`) asks only that the user be staff; it
would tell one teacher the address of another teacher's unlisted quiz. Here it answers 404 for
an object the model's admin does not show to this user.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


class ClassroomAdminSite(admin.AdminSite):
    def get_urls(self):
        scoped = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [scoped if getattr(url, "name", None) == "view_on_site" else url for url in super().get_urls()]

    def view_on_site(self, request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        # A model the admin does not show has no "view on site" link: nothing to look up for it.
        if model is None or not self.is_registered(model):
            raise Http404("No such object.")
        try:
            visible = self.get_model_admin(model).get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404("No such object, or not yours.")
        return shortcut(request, content_type_id, object_id)
