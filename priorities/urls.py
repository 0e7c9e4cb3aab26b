from django.urls import path

from initiatives import views as initiative_views

from . import views

app_name = "priorities"

urlpatterns = [
    path("<slug:slug>/", views.plan_detail, name="plan"),
    path("<slug:slug>/priorities/<int:number>/", views.priority_detail, name="priority"),
    path("<slug:slug>/calendar/", views.calendar, name="calendar"),
    path("<slug:slug>/quarters/<int:number>/lock/", initiative_views.lock_quarter, name="lock"),
]
