from django.urls import path

from . import api, organisational_views, plan_views, rollover_views, round_views, views
from .models import OrganisationalUpdate

app_name = "initiatives"

# Included at the site's root: the plan's pages that follow its initiatives sit beside the
# plan's own (priorities/urls.py) under plans/<slug>/.
PLAN = "plans/<slug:slug>/"
RESULT = PLAN + "priorities/<int:number>/results/<int:result>/"
ORGANISATIONAL = PLAN + "organisation/<slug:area>/"

urlpatterns = [
    path("initiatives/<int:pk>/", views.initiative_detail, name="detail"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="edit"),
    path("initiatives/<int:pk>/q<int:number>/", views.quarterly_update, name="update"),
    path("initiatives/updates/<int:pk>/review/", views.review, name="review"),
    path(PLAN, plan_views.plan_detail, name="plan"),
    path(PLAN + "priorities/<int:number>/", plan_views.priority_detail, name="priority"),
    path(ORGANISATIONAL, organisational_views.organisational_detail, name="organisational"),
    path(ORGANISATIONAL + "q<int:number>/", organisational_views.organisational_update, name="organisational_update"),
    path(
        "organisation/updates/<int:pk>/review/",
        views.review,
        {"model": OrganisationalUpdate},
        name="organisational_review",
    ),
    path(PLAN + "quarters/<int:number>/lock/", views.lock_quarter, name="lock"),
    path(PLAN + "rounds/q<int:number>/", round_views.round_detail, name="round"),
    path(PLAN + "rollover/", rollover_views.rollover_plan, name="rollover"),
    path(RESULT + "indicators/new/", plan_views.IndicatorCreate.as_view(), name="indicator_create"),
    path(RESULT + "indicators/<int:indicator>/edit/", plan_views.IndicatorEdit.as_view(), name="indicator_edit"),
    path(RESULT + "indicators/<int:indicator>/delete/", plan_views.indicator_delete, name="indicator_delete"),
    path("api/plans/<slug:slug>/", api.plan, name="api-plan"),
]
