"""A signed-in student joins a teacher's class with its code; the class's homework then shows
on their home page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from quizzes.forms import ClassJoinForm
from quizzes.models import Classroom
from quizzes.services.authoring import classroom_join


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def class_join(request: HttpRequest) -> HttpResponse:
    # The class page's QR code opens this form with the code filled in (?code=…); a GET looks nothing up.
    data = request.POST if request.method == "POST" else None
    form = ClassJoinForm(data, initial={"code": request.GET.get("code", "")})
    if form.is_valid():
        try:
            classroom, joined = classroom_join(code=form.cleaned_data["code"], user=request.user)
        except Classroom.DoesNotExist:
            form.add_error("code", "No class has that code. Check it with your teacher.")
        else:
            if joined:
                messages.success(request, f"You have joined {classroom.name}. Its homework is on your home page.")
            else:
                messages.info(request, f"You are already in {classroom.name}.")
            return redirect("explainer:home")
    status = 400 if form.errors else 200
    return render(request, "quizzes/class_join.html", {"form": form}, status=status)
