from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from liaison.views import audit, auth, errors, home, jobs, twofactor
from liaison.views import office_settings as office_settings_views

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/login/code/", twofactor.VerifyView.as_view(), name="twofactor_verify"),
    path("accounts/2fa/", twofactor.SetupView.as_view(), name="twofactor_setup"),
    path("accounts/2fa/codes/", twofactor.CodesView.as_view(), name="twofactor_codes"),
    path("accounts/2fa/disable/", twofactor.DisableView.as_view(), name="twofactor_disable"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jobs/<int:pk>/", jobs.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/progress/", jobs.JobProgressView.as_view(), name="job_progress"),
    path("jobs/<int:pk>/download/", jobs.job_download, name="job_download"),
    path("audit/", audit.AuditLogView.as_view(), name="audit_log"),
    path("offices/settings/", office_settings_views.choose, name="office_settings_home"),
    path("offices/<int:pk>/settings/", office_settings_views.page, name="office_settings"),
    path("network/", include("stations.urls")),
    path("offices/bodies/", include("liaison.bodies.urls")),
    path("calendar/", include("liaison.urls_calendar")),
    path("", include("liaison.urls_notices")),
    path("reception/plans/", include("stations.reception.plans.urls")),
    path("reception/reports/", include("stations.reception.reports.urls")),
    path("reception/", include("stations.reception.events.urls")),
    path("petitions/", include("petitions.urls")),
    path("representatives/performance/", include("stations.performance.urls")),
    path("reports/", include("petitions.reports.urls")),
    path("open311/v2/", include("petitions.open311.urls")),
    path("", include("petitions.intake.public_urls")),
    path("", include("stations.public.urls")),
    path("admin/", admin.site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

if settings.DEBUG:
    urlpatterns += [path("__errors__/<int:code>/", errors.preview)]
