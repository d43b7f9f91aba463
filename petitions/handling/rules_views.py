"""The deadline rules page (/petitions/rules/): the working days per route and urgency as they apply in
the user's jurisdiction; an office overrides them for its own, the administrator sets the defaults."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from liaison.web import require_perm
from petitions.handling import deadlines
from petitions.models import DeadlineRule


class RuleForm(forms.Form):
    """One (route, urgency) row of the rules page: this jurisdiction's own numbers, or inherit."""

    own = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    working_days = forms.IntegerField(
        min_value=1, max_value=250, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"})
    )
    co_working_days = forms.IntegerField(
        min_value=1, max_value=250, widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"})
    )

    def clean(self):
        data = super().clean()
        days, co_days = data.get("working_days"), data.get("co_working_days")
        if days and co_days and co_days > days:
            self.add_error("co_working_days", _("Co-handlers cannot have longer than the lead."))
        return data


def may_change_rules(user) -> bool:
    """Offices set the rules of their own jurisdiction; the system administrator the defaults."""
    if not user.has_perm("petitions.change_deadlinerule"):
        return False
    return user.is_system_admin or bool(user.jurisdiction_id)


def _rule_rows(user, data=None) -> list[dict]:
    """The rules as they apply in the user's jurisdiction (the defaults for the administrator)."""
    jurisdiction = None if user.is_system_admin else user.jurisdiction
    area = jurisdiction.code if jurisdiction else ""
    rows = []
    for default in DeadlineRule.objects.filter(jurisdiction__isnull=True).order_by("route", "-urgency"):
        effective = deadlines.deadline_rule(route=default.route, urgency=default.urgency, area_code=area) or default
        own = effective if jurisdiction and effective.jurisdiction_id == jurisdiction.pk else None
        if jurisdiction is None:
            own = default
        prefix = f"{default.route}-{default.urgency}"
        initial = {
            "own": own is not None,
            "working_days": effective.working_days,
            "co_working_days": effective.co_working_days,
        }
        rows.append(
            {
                "route": default.route,
                "urgency": default.urgency,
                "route_label": default.get_route_display(),
                "urgency_label": default.get_urgency_display(),
                "effective": effective,
                "own": own,
                "inherited_from": None if own else (effective.jurisdiction.name if effective.jurisdiction_id else ""),
                "form": RuleForm(data, prefix=prefix, initial=initial),
            }
        )
    return rows


@login_required
def deadline_rules(request):
    require_perm(request.user, "petitions.view_deadlinerule")
    user = request.user
    can_change = may_change_rules(user)
    jurisdiction = None if user.is_system_admin else user.jurisdiction
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        rows = _rule_rows(user, request.POST)
        if all(row["form"].is_valid() for row in rows):
            with transaction.atomic():
                for row in rows:
                    data = row["form"].cleaned_data
                    effective = row["effective"]
                    changed = (data["working_days"], data["co_working_days"]) != (
                        effective.working_days,
                        effective.co_working_days,
                    )
                    # Typing other numbers on an inherited row makes them this jurisdiction's own;
                    # unticking an own row follows the rule above again.
                    wants_own = data["own"] or (row["own"] is None and changed)
                    if jurisdiction is not None and not wants_own:
                        DeadlineRule.objects.filter(
                            jurisdiction=jurisdiction, route=row["route"], urgency=row["urgency"]
                        ).delete()
                        continue
                    DeadlineRule.objects.update_or_create(
                        jurisdiction=jurisdiction,
                        route=row["route"],
                        urgency=row["urgency"],
                        defaults={
                            "working_days": data["working_days"],
                            "co_working_days": data["co_working_days"],
                            "updated_by": user,
                        },
                    )
            messages.success(request, _("The deadline rules were saved; they apply to items assigned from now on."))
            return redirect("petitions:rules")
        messages.error(request, _("Some rules could not be saved: see the marked fields."))
    else:
        rows = _rule_rows(user)
    return render(
        request,
        "petitions/deadline_rules.html",
        {
            "rows": rows,
            "can_change": can_change,
            "jurisdiction": jurisdiction,
            "suggestion_months": settings.LIAISON_SUGGESTION_MONTHS,
            "suggestion_complex_months": settings.LIAISON_SUGGESTION_COMPLEX_MONTHS,
            "triage_days": settings.LIAISON_TRIAGE_WORKING_DAYS,
            "nav_active": "rules",
        },
    )
