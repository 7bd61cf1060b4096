"""/accounts/: a student's account. Django's own views, with our templates."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from quizzes.views import accounts

app_name = "accounts"

urlpatterns = [
    path("signup/", accounts.signup, name="signup"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password-changed")
        ),
        name="password-change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_changed.html"),
        name="password-changed",
    ),
]
