from django.urls import path

from . import meeting_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<slug:slug>/q<int:quarter>/", views.quarterly_report, name="quarterly"),
    path("<slug:slug>/q<int:quarter>/pdf/", views.quarterly_report_pdf, name="quarterly-pdf"),
    path("<slug:slug>/q<int:quarter>/xlsx/", views.quarterly_report_xlsx, name="quarterly-xlsx"),
    path("<slug:slug>/q<int:quarter>/board/", views.board_update, name="board"),
    path("<slug:slug>/q<int:quarter>/board/pdf/", views.board_update_pdf, name="board-pdf"),
    path("<slug:slug>/q<int:quarter>/board/publish/", views.board_update_publish, name="board-publish"),
    path("<slug:slug>/annual/", views.annual_report, name="annual"),
    path("<slug:slug>/annual/pdf/", views.annual_report_pdf, name="annual-pdf"),
    path("<slug:slug>/annual/publish/", views.annual_report_publish, name="annual-publish"),
    # <slug> is a strategic plan's here (2022-2027), an annual plan's above (2022-23).
    path("<slug:slug>/years/", views.years_report, name="years"),
    path("<slug:slug>/years/pdf/", views.years_report_pdf, name="years-pdf"),
    # The board's meetings, each with its pack (reporting/meetings.py).
    path("<slug:slug>/meetings/", meeting_views.meeting_list, name="meetings"),
    path("<slug:slug>/meetings/new/", meeting_views.meeting_create, name="meeting-create"),
    path("<slug:slug>/meetings/<int:pk>/", meeting_views.meeting, name="meeting"),
    path("<slug:slug>/meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting-edit"),
    path("<slug:slug>/meetings/<int:pk>/pdf/", meeting_views.meeting_pdf, name="meeting-pdf"),
]
