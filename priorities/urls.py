from django.urls import path

from . import structure_views, views

app_name = "priorities"

urlpatterns = [
    # The plan's structure, for editors (its indicators are initiatives' own).
    path("<slug:slug>/priorities/<int:number>/edit/", structure_views.PriorityEdit.as_view(), name="priority_edit"),
    path(
        "<slug:slug>/priorities/<int:number>/results/new/",
        structure_views.ExpectedResultCreate.as_view(),
        name="expected_result_create",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/results/<int:result>/edit/",
        structure_views.ExpectedResultEdit.as_view(),
        name="expected_result_edit",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/results/<int:result>/delete/",
        structure_views.expected_result_delete,
        name="expected_result_delete",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/questions/<int:question>/edit/",
        structure_views.LearningQuestionEdit.as_view(),
        name="learning_question_edit",
    ),
    # The calendar.
    path("<slug:slug>/about/", views.about, name="about"),
    path("<slug:slug>/calendar/", views.calendar, name="calendar"),
    path("<slug:slug>/calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("<slug:slug>/calendar/subscribe/", views.calendar_token, name="calendar_token"),
    path("<slug:slug>/calendar/<str:key>.ics", views.calendar_feed, name="calendar_feed"),
    path("<slug:slug>/calendar/events/new/", views.event_create, name="event_create"),
    path("<slug:slug>/calendar/events/<slug:event_slug>/edit/", views.event_edit, name="event_edit"),
    path("<slug:slug>/calendar/events/<slug:event_slug>/delete/", views.event_delete, name="event_delete"),
]
