from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import caches

from .models import FiguresVersion


class KeptUserBackend(ModelBackend):
    """Django's ModelBackend, keeping the signed-in user under the current FiguresVersion.

    Every request of a signed-in visitor looks her up; on the dashboard pages that lookup cost
    more than the rest of a kept page. Any change to an account changes the version (a trigger
    in the database, migration 0009, so bulk updates too), so a deactivated account, a changed
    password or a removed staff flag takes effect on the very next request, in every process.
    Only the account row is kept: permissions are read afresh, as ModelBackend does.
    """

    def get_user(self, user_id) -> AbstractBaseUser | None:
        if not settings.ROLLUP_CACHE_SECONDS:
            return super().get_user(user_id)
        # This process's memory: an entry filed under a version never changes.
        kept = caches["local"]
        key = f"zzmetro:user:{FiguresVersion.current()}:{user_id}"
        user = kept.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                kept.set(key, user, settings.ROLLUP_CACHE_SECONDS)
        return user
