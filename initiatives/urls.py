from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/edit/", views.initiative_edit, name="edit"),
    path("<int:pk>/q<int:number>/", views.quarterly_update, name="update"),
    path("updates/<int:pk>/review/", views.review, name="review"),
]
