"""The admin site, with three changes.

"View on site" links are checked like every admin screen: Django's view-on-site redirect
(`/admin/r/<type>/<id>/`) asks only that the user be staff; it would tell one teacher the address
of another teacher's unlisted quiz. Here it answers 404 for an object the model's admin does not
show to this user.

Signing out keeps a student's guest progress in the browser: a teacher who signed in on a
student's browser took none of it (see `quizzes.services.learners.learner_claim`), and gives it back.

An action posted with ticked rows that are not ids is a 400, not a 500 (`_action_ids_checked`).
"""

import functools

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path

from quizzes.services.learners import guest_kept


class ClassroomAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin):
            view = _action_ids_checked(view, model_admin.opts.pk)
        return super().admin_view(view, cacheable)

    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        with guest_kept(request):
            return super().logout(request, extra_context)

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


def _action_ids_checked(view, pk):
    """A model admin's view, which answers 400 to a post whose ticked rows are not ids.

    Django's changelist runs an action on `filter(pk__in=<the ticked ids>)` as posted: a made-up
    id such as "abc" raised ValueError there, a 500. (A number too large for an id matches
    nothing: config/lookups.py.)"""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            try:
                for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                    pk.to_python(value)
            except ValidationError:
                return HttpResponseBadRequest("The rows ticked are not rows of this list.")
        return view(request, *args, **kwargs)

    return checked
