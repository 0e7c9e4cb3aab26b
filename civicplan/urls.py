from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reporting import home as reporting_home

from . import views

urlpatterns = [
    path("", reporting_home.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", views.login_not_required_set_language, name="set_language"),
    path("plans/", include("priorities.urls")),
    path("reports/", include("reporting.urls")),
    path("", include("initiatives.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Debug pages only; a deployment serves static files through whitenoise or its web server.
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
