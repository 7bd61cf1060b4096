from django.urls import path

from quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("quizzes/", views.quiz_list, name="list"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="detail"),
    path("quizzes/<slug:slug>/start/", views.quiz_start, name="start"),
    path("attempts/<uuid:attempt_id>/", views.attempt_resume, name="attempt"),
    path("attempts/<uuid:attempt_id>/questions/<int:number>/", views.attempt_question, name="question"),
    path("attempts/<uuid:attempt_id>/result/", views.attempt_result, name="result"),
]
