"""Writes to campaigns. Callers have fetched the campaign through `visible_to(actor)`
and checked `stations.change_campaign` and `may_change_campaign`."""

from django.db import transaction

from liaison.models import Jurisdiction
from stations.models import Campaign


def may_change_campaign(actor, campaign: Campaign) -> bool:
    """Campaigns are edited by the office of their jurisdiction or one above it: a county
    campaign is visible to a township office, but not theirs to change."""
    if not actor.has_perm("stations.change_campaign"):
        return False
    return Jurisdiction.objects.visible_to(actor).filter(pk=campaign.jurisdiction_id).exists()


@transaction.atomic
def campaign_save(*, actor, form) -> Campaign:
    """Create or update a campaign from a valid CampaignForm."""
    campaign = form.save(commit=False)
    if campaign.pk is None:
        campaign.created_by = actor
    campaign.save()
    return campaign
