from django.urls import path

from initiatives import views as initiative_views

from . import views

app_name = "priorities"

urlpatterns = [
    path("<slug:slug>/", views.plan_detail, name="plan"),
    path("<slug:slug>/priorities/<int:number>/", views.priority_detail, name="priority"),
    path("<slug:slug>/calendar/", views.calendar, name="calendar"),
    path("<slug:slug>/calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("<slug:slug>/calendar/events/new/", views.event_create, name="event_create"),
    path("<slug:slug>/calendar/events/<slug:event_slug>/edit/", views.event_edit, name="event_edit"),
    path("<slug:slug>/calendar/events/<slug:event_slug>/delete/", views.event_delete, name="event_delete"),
    path("<slug:slug>/quarters/<int:number>/lock/", initiative_views.lock_quarter, name="lock"),
]
