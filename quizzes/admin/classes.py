"""Classes and homework: a teacher's classes (join code and QR code, students, their
passwords) and the quizzes assigned to them, each with its report."""

from urllib.parse import urlencode

import segno
from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters

from quizzes.admin.owned import OwnedAdmin, OwnedInline, ReportAdmin, Reported, admin_page_context
from quizzes.models import Assignment, Attempt, Classroom, Enrolment, Quiz


class EnrolmentInline(OwnedInline, admin.TabularInline):
    model = Enrolment
    fields = ["student", "joined_at", "password_link"]
    readonly_fields = ["student", "joined_at", "password_link"]
    extra = 0
    verbose_name = "student"
    verbose_name_plural = "students (they join with the class code; tick “delete” to remove one)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "classroom")

    @admin.display(description="Password")
    def password_link(self, enrolment: Enrolment) -> str:
        if not student_password_settable(enrolment.student):
            return "A staff account: only a superuser can change it."
        url = reverse("admin:quizzes_classroom_student_password", args=[enrolment.classroom_id, enrolment.student_id])
        return format_html("<a href='{}'>Set a new password</a>", url)


def student_password_settable(user) -> bool:
    """Whether a teacher may set this class member's password: a student's account, never a
    teacher's or a superuser's (who could have joined a class with its code)."""
    return not (user.is_staff or user.is_superuser)


class AssignmentInline(OwnedInline, admin.TabularInline):
    model = Assignment
    fields = ["quiz", "due_at", "report_link"]
    readonly_fields = ["report_link"]
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":
            kwargs["queryset"] = assignable_quizzes(request)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "quiz":
            field.choices = list(field.choices)  # read once, not once more for every assignment row
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz", "classroom")

    @admin.display(description="Report")
    def report_link(self, assignment: Assignment) -> str:
        if not assignment.pk:
            return "—"
        return format_html("<a href='{}'>Report</a>", reverse("admin:quizzes_assignment_report", args=[assignment.pk]))


def assignable_quizzes(request):
    """A teacher assigns their own quizzes and the built-in ones (a new assignment, only a
    published one: see Assignment.clean; an existing one keeps its quiz if it is unpublished)."""
    return Quiz.objects.for_teacher(request.user).select_related("topic")


@admin.register(Classroom)
class ClassroomAdmin(OwnedAdmin):
    list_display = ["name", "code", "student_count", "owner"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "join_url"]
    readonly_fields = ["code", "join_url"]
    inlines = [AssignmentInline, EnrolmentInline]

    def get_fields(self, request, obj=None):
        # A new class's code is drawn as the posted form is saved, not the one an empty form would show.
        return self.fields if obj else ["name", "join_url"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(student_total=Count("enrolments", distinct=True))

    @admin.display(description="Students", ordering="student_total")
    def student_count(self, classroom: Classroom) -> int:
        return classroom.student_total

    def get_object(self, request, object_id, from_field=None):
        classroom = super().get_object(request, object_id, from_field)
        if classroom is not None:  # the full address, for the page projected or printed for the class
            classroom.join_address = request.build_absolute_uri(reverse("quizzes:class-join"))
        return classroom

    @admin.display(description="Students join at")
    def join_url(self, classroom: Classroom) -> str:
        if not classroom.pk:
            return "Save the class to get its code."
        address = getattr(classroom, "join_address", reverse("quizzes:class-join"))
        scanned = f"{address}?{urlencode({'code': classroom.code})}"  # the form with the code filled in
        # segno draws one SVG path, sized by attributes: no script, no style attribute (the CSP).
        qr = segno.make(scanned, error="m").svg_inline(scale=5, border=2, svgclass="class-qr", title=scanned)
        return format_html(
            "{} with the code <strong>{}</strong><br>or scan the QR code (students sign in, then join):<br>{}",
            address,
            classroom.code,
            mark_safe(qr),  # noqa: S308 (segno's own markup)
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view(self.student_password_view)
        return [
            path(
                "<path:object_id>/students/<int:student_id>/password/",
                view,
                name="quizzes_classroom_student_password",
            ),
            *super().get_urls(),
        ]

    @method_decorator(sensitive_post_parameters("new_password1", "new_password2"))
    def student_password_view(self, request, object_id, student_id):
        """A new password for a student of the teacher's own class (any class, for a superuser),
        typed twice and judged by Django's validators. 404 for another teacher's class, for
        anyone not in the class and for a staff account."""
        classroom = self.own_object(request, object_id, change=True)
        student = classroom.students.filter(pk=student_id).first()
        if student is None or not student_password_settable(student):
            raise Http404("No such student in this class.")
        form = SetPasswordForm(student, request.POST or None)
        if request.method == "POST" and form.is_valid():
            form.save()  # a new password hash: the student's sessions on other devices end
            axes_reset(username=student.get_username())  # and a login lockout on the account with them
            self.log_change(request, classroom, f"Set a new password for {student.get_username()}.")
            messages.success(
                request,
                f"New password set for {student.get_username()}. Tell them in person; they can change it "
                "once signed in (Account › Change password).",
            )
            return HttpResponseRedirect(reverse("admin:quizzes_classroom_change", args=[classroom.pk]))
        title = f"Set a new password for {student.get_username()}"
        context = admin_page_context(self, request, title, original=classroom, student=student, form=form)
        return TemplateResponse(request, "admin/quizzes/classroom/student_password.html", context)


@admin.register(Assignment)
class AssignmentAdmin(ReportAdmin):
    owner_path = "classroom__owner"
    list_display = ["quiz", "classroom", "due_at", "report_link"]
    list_filter = [("classroom", admin.RelatedOnlyFieldListFilter)]  # only the classes of the rows shown
    list_select_related = ["quiz", "classroom"]
    fields = ["classroom", "quiz", "due_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":
            kwargs["queryset"] = assignable_quizzes(request)
        if db_field.name == "classroom":
            kwargs["queryset"] = self.visible_classes(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def visible_classes(self, request):
        classes = Classroom.objects.all()
        return classes if request.user.is_superuser else classes.filter(owner=request.user)

    @admin.display(description="Report")
    def report_link(self, assignment: Assignment) -> str:
        return format_html("<a href='{}'>Report</a>", reverse("admin:quizzes_assignment_report", args=[assignment.pk]))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quiz", "classroom")

    def reported(self, request, object_id) -> Reported:
        assignment = self.own_object(request, object_id)
        return Reported(
            original=assignment,
            quiz=assignment.quiz,
            attempts=Attempt.objects.filter(assignment=assignment),
            title=str(assignment),
            filename=f"{assignment.quiz.slug}-{assignment.pk}",
            assignment=assignment,
        )
