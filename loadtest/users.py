"""The load test's users, created in the bench database (never elsewhere: see run.py).

20 responders of the default site and 2 coordinators, each with a confirmed authenticator
app and single-use recovery codes the load test knows (loadtest/accounts.py), so they log
in through the real second step: no setting is switched off. Idempotent: a new run gives
fresh codes.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from loadtest.accounts import CODES_PER_USER, PASSWORD, recovery_code, usernames
from meldpunt.accounts.two_factor import RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME
from staffing.models import Site, StaffMember


@transaction.atomic
def load_users_ensure() -> None:
    site = Site.objects.default()
    for role, names in usernames().items():
        group = Group.objects.get(name=role)
        for username in names:
            user, created = get_user_model().objects.get_or_create(username=username)
            if created:
                user.set_password(PASSWORD)
                user.save()
            user.groups.set([group])
            StaffMember.objects.get_or_create(user=user, defaults={"site": site})
            TOTPDevice.objects.get_or_create(
                user=user, name=TOTP_DEVICE_NAME, defaults={"confirmed": True}
            )
            device, _created = StaticDevice.objects.get_or_create(
                user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
            )
            device.token_set.all().delete()
            StaticToken.objects.bulk_create(
                StaticToken(device=device, token=recovery_code(username, n))
                for n in range(CODES_PER_USER)
            )
