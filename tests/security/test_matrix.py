"""The role x URL x object matrix, generated from the URL conf (issue 14).

Every URL pattern outside the Django admin (by its "namespace:name", or by its route when it has no
name) has one line in `MATRIX`; a URL added without a line, or a line whose URL is gone, fails
`test_every_url_has_an_entry`. The admin is one sample of pages (`ADMIN_SAMPLE`): only the system
administrator gets in. Each line says what each of the ten
roles gets for the object "inside" (延庆区, the district of `world.office`) and, for object URLs, for
the one "outside" (朝阳区, office_k2's). Tokens, in the order of `ROLES`:

    200, 204, 302 (a redirect not to sign-in), 400, 403, 404, 405, 410 — the status as served
    L — a redirect to sign-in

`test_matrix` requests the URL as each role, each request in its own savepoint, and checks:
- the status is the one frozen here, and never a 500;
- on the outside object every signed-in role but the system administrator and office_k2 is refused
  (403/404), unless the line is `public` (pages for residents, with no "outside");
- a refused or redirected-to-sign-in request (the frozen GET or POST, and for GET pages a POST as
  well, as an attacker would try) changes nothing: no table gains or loses a row and the object's
  fields stay as they were.
POST-only views (delete, remove, publish, retry, read-all, reveal...) are tried with POST.

A line marked `# FINDING:` documents a reply that looks wrong by the product's rules (liaison/auth.py,
liaison/access.py, ARCHITECTURE.md); it is frozen as the current behaviour until the view changes.

Adding a URL: add a line `E("<namespace:name>", "<object kind>", "<10 tokens>", "<10 tokens>")`, the kind
one of `matrix_world.build`'s (or None for a page with no object; add a kind there for a new model);
write "?" for the tokens and run `pytest tests/security/test_matrix.py -n0 -k <name>`: the failure
prints the observed line to review and paste (with MATRIX_OBSERVE=<file>, every test appends its
observed lines to that file).
"""

import os
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from liaison import workdays
from tests.security import matrix_world

ROLES = ("anon", "admin", "office", "office_t1", "office_k2", "staff", "rep", "dept", "nobody", "body")
REFUSED = {"403", "404"}
# A refused POST: refused as a GET is, or the method itself refused.
REFUSED_POST = REFUSED | {"L", "405"}
# Tables a refused request may write to (sessions are saved on every request).
# Tables a refused request may still write: the session, and the audit log (which records refusals and sign-outs).
WRITABLE = {"django_session", "liaison_auditentry"}


@dataclass(frozen=True)
class E:
    name: str  # "namespace:name" (or the route of an unnamed pattern, with `path`)
    kind: str | None  # an object kind of matrix_world.build, None for a page without one
    inside: str  # ten tokens: the page, or the inside object
    outside: str = ""  # ten tokens for the outside object ("" when the kind has none)
    method: str = "GET"
    public: bool = False  # a page for residents: the outside object is not refused
    kwargs: dict = field(default_factory=dict)  # further URL arguments
    path: str = ""  # for an unnamed pattern: the path requested


# fmt: off
# roles:                                                    anon admin office t1 k2 staff rep dept nobody body
MATRIX = [
    # -- sign-in, start page, jobs --------------------------------------------------------------------
    E("home", None, "L 200 200 200 200 200 200 200 200 200"),
    E("login", None, "200 302 302 302 302 302 302 302 302 302"),
    E("logout", None, "L L L L L L L L L L", method="POST"),
    E("password_change", None, "L 200 200 200 200 200 200 200 200 200"),
    E("password_change_done", None, "L 200 200 200 200 200 200 200 200 200"),
    # The sign-in's second step: without a correct password first (a pending sign-in), back to sign-in.
    E("twofactor_verify", None, "L L L L L L L L L L"),
    E("twofactor_setup", None, "L 200 200 200 200 200 200 200 200 200"),
    # The new recovery codes are shown once; with none to show, back to the second factor's page.
    E("twofactor_codes", None, "L 302 302 302 302 302 302 302 302 302"),
    E("twofactor_disable", None, "L 200 200 200 200 200 200 200 200 200", method="POST"),
    E("set_language", None, "302 302 302 302 302 302 302 302 302 302", method="POST"),
    E("job_detail", "job", "L 404 200 404 404 404 404 404 404 404", "L 404 404 404 200 404 404 404 404 404"),
    E("job_progress", "job", "L 404 200 404 404 404 404 404 404 404", "L 404 404 404 200 404 404 404 404 404"),
    E("job_download", "job", "L 404 200 404 404 404 404 404 404 404", "L 404 404 404 200 404 404 404 404 404"),
    # -- the network ---------------------------------------------------------------------------------
    E("stations:station_list", None, "L 200 200 200 200 200 200 403 200 200"),
    E("stations:station_create", None, "L 200 200 200 200 200 403 403 200 403"),
    E("stations:station_detail", "station", "L 200 200 200 404 200 200 404 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("stations:station_update", "station", "L 200 200 200 404 200 403 404 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("stations:membership_add", "station", "L 400 400 400 404 400 403 404 404 403", "L 400 404 404 400 404 404 404 404 404", method="POST"),
    E("stations:membership_set_role", "membership", "L 302 302 302 404 302 403 404 404 403", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    E("stations:membership_remove", "membership", "L 302 302 302 404 302 403 404 404 403", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    E("stations:document_add", "station", "L 400 400 400 404 400 403 404 404 403", "L 400 404 404 400 404 404 404 404 404", method="POST"),
    E("stations:document_download", "document", "L 200 200 200 404 200 200 404 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("stations:document_delete", "document", "L 302 302 302 404 302 403 404 404 403", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    E("stations:representative_list", None, "L 200 200 200 200 200 200 403 200 200"),
    E("stations:representative_create", None, "L 200 200 200 200 200 403 403 200 403"),
    E("stations:representative_profile", None, "L 404 403 403 403 403 200 403 403 403"),
    E("stations:representative_detail", "representative", "L 200 200 200 404 200 200 404 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("stations:representative_update", "representative", "L 200 200 200 404 200 403 404 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("stations:representative_photo", "representative", "L 200 200 200 404 200 200 404 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("stations:station_photo", "station", "L 200 200 200 404 200 200 404 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("stations:station_export", None, "L 200 200 200 200 200 403 403 200 403"),
    E("stations:station_import", None, "L 200 200 200 200 200 403 403 200 403"),
    E("stations:station_import_template", None, "L 200 200 200 200 200 403 403 200 403"),
    E("stations:representative_export", None, "L 200 200 200 200 200 403 403 200 403"),
    E("stations:representative_import", None, "L 200 200 200 200 200 403 403 200 403"),
    E("stations:representative_import_template", None, "L 200 200 200 200 200 403 403 200 403"),
    # -- the calendar, inbox, outbox -------------------------------------------------------------------
    E("calendar:index", None, "L 302 302 302 302 302 302 302 302 302"),
    E("calendar:year", "calendar_year", "L 200 200 200 200 200 200 200 200 200"),
    # The deployment's entries move every district's deadlines: only the province's office (none in this
    # world) and the system administrator write them; every other office writes local entries of its own
    # (liaison.calendar_services.writer). An office deletes only its own entries: one of the office above is
    # seen but refused (403), another office's is not found (404); the administrator deletes any.
    E("calendar:day_add", "calendar_year", "L 400 400 400 400 403 403 403 403 403", method="POST"),
    E("calendar:import", "calendar_year", "L 400 400 400 400 403 403 403 403 403", method="POST"),
    E(
        "calendar:day_delete",
        "calendar_day",
        "L 302 302 403 404 403 403 403 403 403",
        "L 302 404 404 302 403 403 403 403 403",
        method="POST",
    ),
    E("notices:inbox", None, "L 200 200 200 200 200 200 200 200 200"),
    E("notices:notification_open", "notification", "L 404 302 404 404 404 404 404 404 404", "L 404 404 404 302 404 404 404 404 404", method="POST"),
    E("notices:inbox_read_all", None, "L 302 302 302 302 302 302 302 302 302", method="POST"),
    E("notices:outbox", None, "L 200 200 200 200 200 403 403 200 403"),
    E("audit_log", None, "L 200 200 200 200 403 403 403 403 403"),
    # 本级设置: an office its own (the menu entry goes there), the administrator any office's.
    E("office_settings_home", None, "L 200 302 302 302 403 403 403 403 403"),
    E("office_settings", "office", "L 200 200 404 404 403 403 403 403 403", "L 200 404 404 200 403 403 403 403 403"),
    E("notices:outbox_retry", "outbox", "L 302 302 302 404 302 403 403 404 403", "L 302 404 404 302 404 403 403 404 403", method="POST"),
    # -- reception: plans, rules, campaigns, events --------------------------------------------------------
    E("plans:plan_list", None, "L 200 200 200 200 403 403 403 403 403"),
    E("plans:plan_generate", None, "L 400 400 400 400 403 403 403 403 403", method="POST"),
    E("plans:plan_detail", "plan", "L 200 200 404 404 403 403 403 403 403", "L 200 404 404 200 403 403 403 403 403"),
    E("plans:plan_publish", "plan", "L 302 302 404 404 403 403 403 403 403", "L 302 404 404 302 403 403 403 403 403", method="POST"),
    E("plans:plan_regenerate", "plan", "L 302 302 404 404 403 403 403 403 403", "L 302 404 404 302 403 403 403 403 403", method="POST"),
    E("plans:rule_create", "station_pk", "L 200 200 200 404 200 403 403 404 403", "L 200 404 404 200 404 403 403 404 403"),
    E("plans:rule_update", "rule", "L 200 200 200 404 200 403 403 404 403", "L 200 404 404 200 404 403 403 404 403"),
    E("plans:rule_delete", "rule", "L 302 302 302 404 302 403 403 404 403", "L 302 404 404 302 404 403 403 404 403", method="POST"),
    E("reception_reports:campaign_list", None, "L 200 200 200 200 200 200 403 200 200"),
    E("reception_reports:campaign_create", None, "L 200 200 200 200 403 403 403 403 403"),
    E("reception_reports:campaign_detail", "campaign", "L 200 200 200 404 200 200 403 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("reception_reports:campaign_update", "campaign", "L 200 200 403 404 403 403 403 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("reception_reports:attendance", None, "L 200 200 200 200 200 403 403 200 403"),
    # A working body (`body`) sees only the head visits of its departments: the inside event is a reception
    # day at S1, so 404 on every event page (its visits: tests/liaison/test_working_bodies.py).
    E("reception:event_list", None, "L 200 200 200 200 200 200 200 200 200"),
    E("reception:event_create", None, "L 200 200 200 200 200 403 403 200 200"),
    E("reception:event_detail", "event", "L 200 200 200 404 200 200 404 404 404", "L 200 404 404 200 404 404 404 404 404"),
    E("reception:event_update", "event", "L 200 200 200 404 200 403 404 404 404", "L 200 404 404 200 404 404 404 404 404"),
    E("reception:event_cancel", "event", "L 400 400 400 404 400 403 404 404 404", "L 400 404 404 400 404 404 404 404 404", method="POST"),
    E("reception:roster_add", "event", "L 400 400 400 404 400 403 404 404 404", "L 400 404 404 400 404 404 404 404 404", method="POST"),
    E("reception:roster_candidates", "event", "L 200 200 200 404 200 403 404 404 404", "L 200 404 404 200 404 404 404 404 404"),
    E("reception:roster_remove", "roster_entry", "L 302 302 302 404 302 403 404 404 404", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    E("reception:volunteer", "event", "L 302 403 403 404 403 302 404 404 404", "L 302 404 404 403 404 404 404 404 404", method="POST"),
    E("reception:event_record", "event", "L 400 400 400 404 400 403 404 404 404", "L 400 404 404 400 404 404 404 404 404", method="POST"),
    E("reception:photo_add", "event", "L 400 400 400 404 400 403 404 404 404", "L 400 404 404 400 404 404 404 404 404", method="POST"),
    E("reception:photo", "photo", "L 200 200 200 404 200 200 404 404 404", "L 200 404 404 200 404 404 404 404 404"),
    E("reception:photo_delete", "photo", "L 302 302 302 404 302 403 404 404 404", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    E("reception:my_days", None, "L 302 302 302 302 302 200 302 302 302"),
    # -- the ledger, intake, handling ------------------------------------------------------------------
    E("petitions:ledger", None, "L 200 200 200 200 200 200 200 200 200"),
    E("petitions:personal_data", None, "L 200 200 200 200 403 403 403 403 403"),
    E("petitions:detail", "petition", "L 200 200 200 404 200 200 200 404 200", "L 200 404 404 200 404 404 404 404 404"),
    # Who may reveal a resident's name or phone is `privacy.may_reveal` (the QR form's notice names them):
    # a department never does (403); 400 = past the check, at the missing field.
    E("petitions:reveal", "petition", "L 400 400 400 404 400 400 403 404 403", "L 400 404 404 400 404 404 404 404 404", method="POST"),
    E("petitions:note_add", "petition", "L 200 403 403 404 403 200 403 404 403", "L 200 404 404 403 404 404 404 404 404", method="POST"),
    E("petitions:follow_up", "petition", "L 403 403 403 404 403 302 403 404 403", "L 403 404 404 403 404 404 404 404 404", method="POST"),
    E("petitions:reply", "petition", "L 200 403 403 404 403 200 403 404 403", "L 200 404 404 403 404 404 404 404 404", method="POST"),
    E("petitions:attachment", "attachment", "L 200 200 200 404 200 200 200 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:filter_save", None, "L 302 302 302 302 302 302 302 302 302", method="POST"),
    E("petitions:filter_delete", "filter", "L 404 302 404 404 404 404 404 404 404", "L 404 404 404 302 404 404 404 404 404", method="POST"),
    E("petitions:export", None, "L 200 200 200 200 200 200 200 200 200"),
    E("petitions:create", None, "L 200 200 200 200 200 403 403 200 403"),
    E("petitions:similar", None, "L 200 200 200 200 200 403 403 200 403"),
    # The inside item lies in 延庆镇 (S1) but the district office runs S1 and owns it: the township office
    # reads it and changes or routes nothing (403; tests/security/test_levels.py has every level).
    E("petitions:update", "petition", "L 200 200 403 404 200 403 403 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:receipt", "petition", "L 200 200 200 404 200 200 200 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:link", "petition", "L 200 200 403 404 200 403 403 404 403", "L 200 404 404 200 404 404 404 404 404", method="POST"),
    E("petitions:attachment_add", "petition", "L 302 302 403 404 302 403 403 404 403", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    E("petitions:attachment_delete", "attachment", "L 302 302 403 404 302 403 403 404 403", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    E("petitions:act", "petition", "L 200 200 403 404 403 403 403 404 403", "L 200 404 404 200 404 404 404 404 404", kwargs={"move": "assign"}),
    E("petitions:letter", "petition", "L 302 302 302 404 302 302 302 404 302", "L 302 404 404 302 404 404 404 404 404"),
    E("petitions:triage", None, "L 200 200 200 200 403 403 403 403 403"),
    E("petitions:department", None, "L 200 403 403 403 403 403 200 403 403"),
    E("petitions:rules", None, "L 200 200 200 200 403 403 403 403 403"),
    # -- suggestions, supervision ------------------------------------------------------------------------
    E("petitions:suggestion_list", None, "L 200 200 200 200 403 200 200 403 200"),
    E("petitions:suggestion_create", None, "L 200 200 200 200 403 403 403 403 403"),
    E("petitions:suggestion_export", None, "L 200 200 200 200 403 200 200 403 200"),
    E("petitions:suggestion_detail", "suggestion", "L 200 200 404 404 404 200 200 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:suggestion_edit", "suggestion", "L 200 200 404 404 404 403 403 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:suggestion_act", "suggestion", "L 302 302 404 404 404 403 302 404 403", "L 302 404 404 302 404 404 404 404 404", kwargs={"action": "reply"}),
    E("petitions:suggestion_print", "suggestion", "L 200 200 404 404 404 200 200 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:supervision", None, "L 200 200 200 200 403 200 200 403 200"),
    E("petitions:supervision_export", None, "L 200 200 200 200 403 200 200 403 200"),
    E("petitions:notice_list", None, "L 200 200 200 200 403 200 200 403 200"),
    E("petitions:notice_create", None, "L 200 200 200 200 403 403 403 403 200"),
    E("petitions:notice_detail", "notice", "L 200 200 404 404 404 404 200 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:notice_print", "notice", "L 200 200 404 404 404 404 200 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:notice_answer", "notice", "L 403 403 404 404 404 404 200 404 403", "L 403 404 404 403 404 404 404 404 404", method="POST"),
    E("petitions:commitment_list", None, "L 200 200 200 200 200 200 200 200 200"),
    E("petitions:commitment_create", None, "L 200 200 200 200 403 403 403 403 200"),
    E("petitions:commitment_detail", "commitment", "L 200 200 200 404 200 200 200 404 200", "L 200 404 404 200 404 404 404 404 404"),
    E("petitions:commitment_progress", "commitment", "L 200 200 200 404 403 403 200 404 200", "L 200 404 404 200 404 404 404 404 404", method="POST"),
    E("petitions:commitment_follow_up", "commitment", "L 200 200 200 404 200 200 403 404 200", "L 200 404 404 200 404 404 404 404 404", method="POST"),
    # -- performance, reports ------------------------------------------------------------------------
    E("performance:ranking", None, "L 200 200 200 200 200 403 403 200 403"),
    E("performance:rules", None, "L 200 200 200 200 403 403 403 403 403"),
    E("performance:mine", None, "L 302 302 302 302 302 302 404 302 404"),
    E("performance:record_current", "representative", "L 302 302 302 404 302 302 404 404 403", "L 302 404 404 302 404 404 404 404 404"),
    E("performance:record", "performance", "L 200 200 200 404 200 200 404 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("performance:report", "performance", "L 200 200 200 404 200 200 404 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("performance:report_print", "performance", "L 200 200 200 404 200 200 404 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("reports:dashboard", None, "L 200 200 200 200 200 403 403 200 200"),
    E("reports:dashboard_export", None, "L 200 200 200 200 200 403 403 200 200"),
    E("reports:monthly", None, "L 200 200 200 200 200 403 403 200 200"),
    E("reports:departments", None, "L 200 200 200 200 200 403 403 200 200"),
    # -- the office's working bodies --------------------------------------------------------------------
    # Kept by the office of the body (not the township office below it, not another district's) and the
    # system administrator, who chooses the office first (302). A body's own staff see it (403, not 404).
    E("bodies:list", None, "L 200 200 200 200 403 403 403 403 403"),
    E("bodies:create", None, "L 302 200 200 200 403 403 403 403 403"),
    E("bodies:update", "working_body", "L 200 200 404 404 404 404 404 404 403", "L 200 404 404 200 404 404 404 404 404"),
    E("bodies:deactivate", "working_body", "L 302 302 404 404 404 404 404 404 403", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    E("bodies:reactivate", "working_body", "L 302 302 404 404 404 404 404 404 403", "L 302 404 404 302 404 404 404 404 404", method="POST"),
    # -- Open311 (a key, not a session, authenticates: the roles get what a keyless caller gets) -------
    E("open311:openapi", None, "200 200 200 200 200 200 200 200 200 200", public=True),
    E("open311:discovery", None, "200 200 200 200 200 200 200 200 200 200", public=True, kwargs={"fmt": "json"}),
    E("open311:services", None, "200 200 200 200 200 200 200 200 200 200", public=True, kwargs={"fmt": "json"}),
    E("open311:service", "open311_service", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("open311:requests", None, "403 403 403 403 403 403 403 403 403 403", public=True, kwargs={"fmt": "json"}),
    E("open311:request", "open311_request", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("open311:token", "open311_token", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("open311:updates", None, "403 403 403 403 403 403 403 403 403 403", public=True, kwargs={"fmt": "json"}),
    E("open311/v2/^(?P<rest>[\\s\\S]*)$", None, "404 404 404 404 404 404 404 404 404 404", public=True, path="/open311/v2/nothing-here"),
    # -- public pages (residents: the outside station is as public as the inside one) ---------------------
    E("tracking:lookup", None, "200 200 200 200 200 200 200 200 200 200", public=True),
    E("tracking:detail", "tracking", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("tracking:rate", "tracking", "400 400 400 400 400 400 400 400 400 400", "400 400 400 400 400 400 400 400 400 400", method="POST", public=True),
    E("tracking:done", "public_code", "302 302 302 302 302 302 302 302 302 302", "302 302 302 302 302 302 302 302 302 302", public=True),
    E("public:directory", None, "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:directory_geojson", None, "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:station", "public_code", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:station_qr", "public_code", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:station_poster", "public_code", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:event", "public_event", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:event_print", "public_event", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:station_petition", "public_code", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:station_photo", "public_code", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:representative_photo", "representative", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
    E("public:representative_record", "representative", "200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200 200", public=True),
]
# fmt: on

# The Django admin: one entry, a sample of its pages; only the system administrator gets in.
ADMIN_SAMPLE = (
    "/admin/",
    "/admin/petitions/petition/",
    "/admin/petitions/petition/{petition}/change/",
    "/admin/liaison/user/",
    "/admin/liaison/user/{office}/change/",
    "/admin/stations/representative/{representative}/change/",
    "/admin/axes/accessattempt/",
)


# -- the URL conf --------------------------------------------------------------------------------------


def url_names(resolver=None, namespace="", prefix="") -> set[str]:
    """Every pattern outside the admin: "namespace:name", or its full route when it has no name."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            names |= url_names(pattern, inner, prefix + str(pattern.pattern))
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        else:
            names.add(prefix + str(pattern.pattern))
    return names


def test_every_url_has_an_entry():
    served = url_names()
    listed = [e.name for e in MATRIX]
    assert len(listed) == len(set(listed)), "a URL is listed twice in MATRIX"
    missing = sorted(served - set(listed))
    stale = sorted(set(listed) - served)
    assert not missing, (
        f"URLs without an entry in tests/security/test_matrix.py MATRIX: {missing}. For each, add a line "
        '`E("<name>", "<object kind or None>", "?", "?")` (kinds: tests/security/matrix_world.py), run '
        "`pytest tests/security/test_matrix.py -n0 -k <name>`, review the observed line it prints (who may "
        "read or change what, by liaison/auth.py and liaison/access.py) and paste it."
    )
    assert not stale, f"MATRIX lists URLs the URL conf no longer has: {stale}; remove their lines."


def test_a_new_view_without_an_entry_is_caught():
    """The check above sees a view added to the URL conf, named or not, inside a namespace or not."""
    from django.http import HttpResponse
    from django.urls import include, path
    from django.urls.resolvers import RegexPattern

    def view(request):
        return HttpResponse()

    patterns = [
        *get_resolver().url_patterns,
        path("brand-new/", view, name="brand_new"),
        path("extra/", include(([path("page/", view, name="page"), path("raw/", view)], "extra"))),
    ]
    resolver = URLResolver(RegexPattern(r"^/"), patterns)
    assert url_names(resolver) - {e.name for e in MATRIX} == {"brand_new", "extra:page", "extra/raw/"}


def test_each_line_has_a_token_per_role():
    for entry in MATRIX:
        assert entry.inside == "?" or len(entry.inside.split()) == len(ROLES), entry.name
        assert not entry.outside or entry.outside == "?" or len(entry.outside.split()) == len(ROLES), entry.name


# -- requesting --------------------------------------------------------------------------------------


def outcome(response) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        target = response.get("Location", "")
        login = reverse("login")
        if target.startswith(login) or target.startswith("/admin/login/"):
            return "L"
        return "302"
    return str(code)


def _counts() -> tuple:
    """The number of rows of every table, in one query."""
    tables = sorted(t for t in connection.introspection.table_names() if t not in WRITABLE)
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(zip(tables, cursor.fetchone(), strict=True))


def snapshot(row) -> tuple:
    fields = None
    if row is not None:
        fields = type(row)._base_manager.filter(pk=row.pk).values().first()
    return _counts(), fields


def request(client, method: str, url: str):
    if method == "POST":
        return client.post(url, {})
    return client.get(url)


def attempt(client, method, url, row) -> tuple[str, bool]:
    """The outcome of one request in a savepoint rolled back afterwards, and whether it changed nothing."""
    with transaction.atomic():
        before = snapshot(row)
        response = request(client, method, url)
        unchanged = snapshot(row) == before
        transaction.set_rollback(True)
    cache.clear()  # rate limits and cached pages: each role starts afresh
    workdays.forget()
    return outcome(response), unchanged


@pytest.fixture
def clients(world):
    made = {"anon": Client(raise_request_exception=False)}
    for role in ROLES[1:]:
        client = Client(raise_request_exception=False)
        client.force_login(getattr(world, role))
        made[role] = client
    return made


@pytest.fixture
def objects(world, ledger):
    cache.clear()
    return matrix_world.build(world, ledger)


def _url(entry: E, side) -> str:
    if entry.path:
        return entry.path
    kwargs = {**(side.kwargs if side else {}), **entry.kwargs}
    return reverse(entry.name, kwargs=kwargs)


def _line(tokens: list[str]) -> str:
    return " ".join(tokens)


@pytest.mark.parametrize("entry", MATRIX, ids=lambda e: e.name)
def test_matrix(entry, objects, clients):
    sides = [("inside", entry.inside, objects.inside.get(entry.kind) if entry.kind else None)]
    if entry.kind and entry.kind in objects.outside:
        sides.append(("outside", entry.outside, objects.outside[entry.kind]))
    elif entry.outside:
        pytest.fail(f"{entry.name}: kind {entry.kind!r} has no outside object; drop the outside tokens")
    if entry.kind and sides[0][2] is None:
        pytest.fail(f"{entry.name}: matrix_world.build makes no object of kind {entry.kind!r}")

    problems, observed = [], {}
    for side_name, expected, side in sides:
        url = _url(entry, side)
        row = side.row if side else None
        got = []
        for role in ROLES:
            token, unchanged = attempt(clients[role], entry.method, url, row)
            got.append(token)
            if token == "500":
                problems.append(f"{side_name} {role}: 500 on {entry.method} {url}")
            if token in REFUSED_POST and not unchanged:
                problems.append(f"{side_name} {role}: refused ({token}) but the database changed")
            if entry.method == "GET" and token in REFUSED | {"L"} and not entry.public:
                # An attacker refused a page tries the same URL with POST: refused too, nothing written.
                post_token, post_unchanged = attempt(clients[role], "POST", url, row)
                if post_token not in REFUSED_POST or not post_unchanged:
                    problems.append(
                        f"{side_name} {role}: GET refused ({token}) but POST answered {post_token}"
                        + ("" if post_unchanged else " and changed the database")
                    )
        observed[side_name] = _line(got)
        if side_name == "outside" and not entry.public:
            for role, token in zip(ROLES, got, strict=True):
                if role == "anon" and token not in REFUSED_POST:
                    problems.append(f"outside anon: {token}, not refused")
                elif role not in ("anon", "admin", "office_k2") and token not in REFUSED:
                    problems.append(f"outside {role}: {token}, not refused (403/404)")
        if expected != observed[side_name]:
            problems.append(f"{side_name}: expected {expected!r}, observed {observed[side_name]!r}")

    if os.environ.get("MATRIX_OBSERVE"):
        with open(os.environ["MATRIX_OBSERVE"], "a", encoding="utf-8") as out:
            out.write(f"{entry.name}\t{observed.get('inside', '')}\t{observed.get('outside', '')}\n")
    assert not problems, f"{entry.name} ({entry.method}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", ADMIN_SAMPLE)
def test_only_the_system_administrator_enters_the_admin(path, world, ledger, clients):
    url = path.format(petition=ledger.a.pk, office=world.office.pk, representative=world.R1.pk)
    for role in ROLES:
        token, unchanged = attempt(clients[role], "GET", url, None)
        if role == "admin":
            assert token == "200", (url, role, token)
        else:
            assert token in {"L", "403", "404"}, (url, role, token)
        token, unchanged = attempt(clients[role], "POST", url, None)
        if role != "admin":
            assert token in {"L", "403", "404"} and unchanged, (url, "POST", role, token)
