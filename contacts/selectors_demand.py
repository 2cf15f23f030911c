"""The arrivals the staffing demand reads (staffing/services/demand.py's provider interface):
phone and chat from the attempt log — answered and unanswered, because demand nobody could
answer is demand —, e-mail from the contacts. Named in settings.DEMAND_ARRIVALS_PROVIDER, so
staffing never imports contacts."""

from django.db.models import Avg

from meldpunt.channels import Channel

from .models import CallAttempt, Contact


class AttemptLogArrivals:
    def arrivals(self, channel: str, start, end) -> list:
        """Arrival instants (UTC) of a channel in [start, end)."""
        if channel == Channel.EMAIL:
            rows = Contact.objects.filter(
                channel=channel, started_at__gte=start, started_at__lt=end
            )
        else:
            rows = CallAttempt.objects.filter(
                channel=channel, started_at__gte=start, started_at__lt=end
            )
        return list(rows.values_list("started_at", flat=True).iterator(chunk_size=5000))

    def talk_seconds(self, channel: str, start, end) -> float | None:
        """Mean talk time of answered phone calls or chats in [start, end), None without any."""
        if channel == Channel.EMAIL:
            return None
        return CallAttempt.objects.filter(
            channel=channel, answered=True, started_at__gte=start, started_at__lt=end
        ).aggregate(mean=Avg("talk_seconds"))["mean"]

    def abandon_share(self, channel: str, start, end) -> float | None:
        rows = CallAttempt.objects.filter(
            channel=channel, started_at__gte=start, started_at__lt=end
        )
        total = rows.count()
        return rows.filter(answered=False).count() / total if total else None


def arrivals_provider() -> AttemptLogArrivals:
    return AttemptLogArrivals()
