"""How long a signed-in session lives: an idle timeout and an absolute lifetime.

Both clocks are kept in the session itself (Unix seconds): when the user logged in and when
they were last seen. Django's own expiry only knows one of the two.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone
from django.utils.translation import gettext as _

from .redirects import redirect_to

LOGIN_AT = "meldpunt_login_at"
SEEN_AT = "meldpunt_seen_at"
# Last activity is written at most once a minute, not on every request (a session write each).
SEEN_RESOLUTION_SECONDS = 60


def session_clocks_start(sender, request, user, **kwargs):
    """On login (user_logged_in): both clocks start now."""
    now = timezone.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def session_expiry_reason(session, now: float) -> str | None:
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if login_at is not None and now - login_at > settings.SESSION_MAX_AGE_HOURS * 3600:
        return _("You have been signed in for %(hours)s hours: please log in again.") % {
            "hours": settings.SESSION_MAX_AGE_HOURS
        }
    if seen_at is not None and now - seen_at > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
        return _("You were inactive for more than %(minutes)s minutes: please log in again.") % {
            "minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES
        }
    return None


class SessionLifetimeMiddleware:
    """Log out a session that was idle too long or is older than its absolute lifetime.

    Also logs out a deactivated user: ModelBackend already refuses inactive users when it
    loads the session's user, this keeps that true whatever backend is configured.
    Must come after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            reason = (
                session_expiry_reason(session, now)
                if user.is_active
                else _("Your account has been deactivated.")
            )
            if reason:
                logout(request)  # flushes the session: a new key, nothing of the old one
                messages.warning(request, reason)
                return redirect_to(request, settings.LOGIN_URL, keep_path=True)
            # A session from before these clocks existed starts them now.
            session.setdefault(LOGIN_AT, now)
            if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)
