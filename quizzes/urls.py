from django.urls import path

from quizzes.views import attempts, classes, progress

app_name = "quizzes"

urlpatterns = [
    path("quizzes/", attempts.quiz_list, name="list"),
    path("quizzes/<slug:slug>/", attempts.quiz_detail, name="detail"),
    path("quizzes/<slug:slug>/start/", attempts.quiz_start, name="start"),
    path("attempts/<uuid:attempt_id>/", attempts.attempt_resume, name="attempt"),
    path("attempts/<uuid:attempt_id>/questions/<int:number>/", attempts.attempt_question, name="question"),
    path("attempts/<uuid:attempt_id>/result/", attempts.attempt_result, name="result"),
    path("progress/", progress.progress_detail, name="progress"),
    path("review/", progress.review_detail, name="review"),
    path("review/start/", progress.review_begin, name="review-start"),
    path("classes/join/", classes.class_join, name="class-join"),
]
