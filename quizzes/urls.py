from django.urls import path

from quizzes.views import attempts, classes, live, progress

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
    path("practice/", progress.practice_begin, name="practice-start"),
    path("classes/join/", classes.class_join, name="class-join"),
    path("join/", live.session_join, name="session-join"),
    path("join/<str:code>/", live.session_join, name="session-join-code"),
    path("live/<uuid:public_id>/", live.session_play, name="session-play"),
    path("live/<uuid:public_id>/poll/", live.session_poll, name="session-poll"),
    path("live/<uuid:public_id>/answer/", live.session_answer, name="session-answer"),
    path("live/<uuid:public_id>/next/", live.session_next, name="session-next"),
    path("live/<uuid:public_id>/host/", live.session_host, name="session-host"),
    path("live/<uuid:public_id>/host/poll/", live.session_host_poll, name="session-host-poll"),
    path("live/<uuid:public_id>/host/<slug:action>/", live.session_host_action, name="session-host-action"),
    path("live/<uuid:public_id>/host/remove/<int:participant_id>/", live.session_remove, name="session-remove"),
]
