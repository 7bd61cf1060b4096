"""Live sessions: started here, run from the host view (quizzes/views/live.py), reported here."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from quizzes import live
from quizzes.admin.owned import ReportAdmin, Reported, admin_page_context
from quizzes.forms import SessionOptionsForm
from quizzes.models import Attempt, LiveSession, Participant, Quiz


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["nickname", "joined_at", "removed"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DateCheckedChangeList(ChangeList):
    """A changelist whose date filter (?created_at__year=…) refuses a date no calendar holds the
    way Django refuses "month 13": back to the list with "?e=1". Django turns only ValueError from
    `datetime(year, …)` into that; a year of 27 digits raised OverflowError, a 500, and the year
    9999 a ValueError from the end of its range, outside Django's check."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


@admin.register(LiveSession)
class LiveSessionAdmin(ReportAdmin):
    owner_path = "host"
    list_display = ["quiz", "code", "status", "pacing", "players", "created_at", "links"]
    list_filter = ["status", "pacing"]
    list_select_related = ["quiz"]
    date_hierarchy = "created_at"
    fields = [
        "quiz",
        "code",
        "status",
        "pacing",
        "timer",
        "scoring",
        "leaderboard",
        "shuffle",
        "close_when_all_answered",
        "locked",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [ParticipantInline]
    change_form_template = "admin/quizzes/livesession/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(player_count=Count("participants", filter=Q(participants__removed=False)))
        )

    def get_changelist(self, request, **kwargs):
        return DateCheckedChangeList

    @admin.display(description="Players", ordering="player_count")
    def players(self, session: LiveSession) -> int:
        return session.player_count

    @admin.display(description="Open")
    def links(self, session: LiveSession) -> str:
        host = format_html("<a href='{}'>Host view</a>", session.get_absolute_url())
        if not session.is_finished:
            return host
        report = reverse("admin:quizzes_livesession_report", args=[session.pk])
        return format_html("{} · <a href='{}'>Report</a>", host, report)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a session's options are set when it starts; it is run from the host view, not edited

    def add_view(self, request, form_url="", extra_context=None):
        """Start a live session: choose the quiz (given by the quiz's "Start live session" link) and how it runs."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        quizzes = Quiz.objects.for_teacher(request.user).select_related("topic")
        if request.method == "POST":
            form = SessionOptionsForm(request.POST, quizzes=quizzes)
            if form.is_valid():
                session = live.session_create(host=request.user, **form.cleaned_data)
                return HttpResponseRedirect(session.get_absolute_url())
        else:
            form = SessionOptionsForm(initial={"quiz": request.GET.get("quiz")}, quizzes=quizzes)
        context = admin_page_context(self, request, "Start a live session", form=form)
        return TemplateResponse(request, "admin/quizzes/livesession/start.html", context)

    def reported(self, request, object_id) -> Reported:
        session = self.own_object(request, object_id)
        return Reported(
            original=session,
            quiz=session.quiz,
            attempts=Attempt.objects.filter(participant__session=session),
            title=f"live session {session.code}, {session.created_at:%d %B %Y}",
            filename=f"{session.quiz.slug}-live-{session.created_at:%Y%m%d}-{session.code}",
        )
