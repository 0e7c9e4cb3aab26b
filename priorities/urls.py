from django.urls import path

from initiatives import views as initiative_views

from . import views

app_name = "priorities"

urlpatterns = [
    path("<slug:slug>/", views.plan_detail, name="plan"),
    path("<slug:slug>/priorities/<int:number>/", views.priority_detail, name="priority"),
    # The plan's structure, for editors.
    path("<slug:slug>/priorities/<int:number>/edit/", views.priority_edit, name="priority_edit"),
    path(
        "<slug:slug>/priorities/<int:number>/results/new/",
        views.expected_result_create,
        name="expected_result_create",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/results/<int:result>/edit/",
        views.expected_result_edit,
        name="expected_result_edit",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/results/<int:result>/delete/",
        views.expected_result_delete,
        name="expected_result_delete",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/questions/<int:question>/edit/",
        views.learning_question_edit,
        name="learning_question_edit",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/results/<int:result>/indicators/new/",
        views.indicator_create,
        name="indicator_create",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/results/<int:result>/indicators/<int:indicator>/edit/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "<slug:slug>/priorities/<int:number>/results/<int:result>/indicators/<int:indicator>/delete/",
        views.indicator_delete,
        name="indicator_delete",
    ),
    path("<slug:slug>/calendar/", views.calendar, name="calendar"),
    path("<slug:slug>/calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("<slug:slug>/calendar/subscribe/", views.calendar_token, name="calendar_token"),
    path("<slug:slug>/calendar/<str:key>.ics", views.calendar_feed, name="calendar_feed"),
    path("<slug:slug>/calendar/events/new/", views.event_create, name="event_create"),
    path("<slug:slug>/calendar/events/<slug:event_slug>/edit/", views.event_edit, name="event_edit"),
    path("<slug:slug>/calendar/events/<slug:event_slug>/delete/", views.event_delete, name="event_delete"),
    path("<slug:slug>/quarters/<int:number>/lock/", initiative_views.lock_quarter, name="lock"),
]
