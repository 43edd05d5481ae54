"""The portal's identity in e-mail: every Message-ID is at the domain of `SITE_URL`.

Django's own Message-IDs use the machine's host name (`DNS_NAME`, often `localhost` in a
container), which spam filters hold against a message. Both the notification e-mails
(`notifications.delivery`) and the account e-mails (`accounts.adapter`) take theirs from here.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import make_msgid


def portal_domain() -> str:
    """The host of `SITE_URL`: «portal.example.ru» of «https://portal.example.ru»."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(local_part: str = "") -> str:
    """`<local_part@domain>` for a message that must keep its id when sent again; a fresh unique id without one."""
    if local_part:
        return f"<{local_part}@{portal_domain()}>"
    return make_msgid(domain=portal_domain())
