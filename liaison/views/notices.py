"""The user's inbox and the outbox (what was sent to whom, what failed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from liaison.access import access_object
from liaison.models import Channel, Notification, OutboxMessage
from liaison.outbox import outbox_for_display, outbox_retry
from liaison.web import PermissionMixin, is_local_url, require_perm, safe_next


class InboxView(LoginRequiredMixin, ListView):
    template_name = "liaison/inbox.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        qs = Notification.objects.filter(recipient=self.request.user)
        if self.request.GET.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav_active"] = "inbox"
        context["unread_only"] = bool(self.request.GET.get("unread"))
        return context


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one message read and follow its link (a local one only)."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if is_local_url(request, note.url):
        return redirect(note.url)
    return redirect("notices:inbox")


@login_required
@require_POST
def inbox_mark_all_read(request):
    count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("%(count)d messages marked as read.") % {"count": count})
    return redirect("notices:inbox")


class OutboxView(PermissionMixin, ListView):
    """Every message the platform sent or will send, with its status; failed ones can be retried."""

    permission = "liaison.view_outboxmessage"
    nav_active = "outbox"
    template_name = "liaison/outbox.html"
    context_object_name = "rows"
    paginate_by = 50

    def base_queryset(self):
        return OutboxMessage.objects.visible_to(self.request.user)

    def get_queryset(self):
        qs = self.base_queryset().select_related("station")
        get = self.request.GET
        if get.get("status") in OutboxMessage.Status.values:
            qs = qs.filter(status=get["status"])
        if get.get("channel") in Channel.values:
            qs = qs.filter(channel=get["channel"])
        if get.get("q"):
            q = get["q"].strip()
            # Only the administrator sees addresses, so only they may search parts of one: a
            # partial match would let others read a number digit by digit.
            address = Q(address__icontains=q) if self.request.user.is_system_admin else Q(address=q)
            qs = qs.filter(Q(recipient_name__icontains=q) | Q(subject__icontains=q) | address)
        if get.get("key"):
            qs = qs.filter(key__startswith=get["key"])
        return qs.order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(self.base_queryset().values_list("status").annotate(n=Count("pk")).order_by())
        context["rows"] = outbox_for_display(context["rows"], viewer=self.request.user)
        context.update(
            statuses=[(value, label, counts.get(value, 0)) for value, label in OutboxMessage.Status.choices],
            channels=Channel.choices,
            can_retry=self.request.user.has_perm("liaison.view_outboxmessage"),
        )
        return context


@login_required
@require_POST
def outbox_message_retry(request, pk):
    require_perm(request.user, "liaison.view_outboxmessage")
    message = access_object(OutboxMessage, request.user, pk)
    if message.status != OutboxMessage.Status.FAILED:
        messages.warning(request, _("Only failed messages can be sent again."))
    else:
        outbox_retry(message=message, actor=request.user)
        (shown,) = outbox_for_display([message], viewer=request.user)
        messages.success(request, _("The message to %(name)s is queued again.") % {"name": shown.shown_name})
    return redirect(safe_next(request, reverse("notices:outbox")))
