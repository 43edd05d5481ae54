"""The account library's words that the portal says its own way.

The portal's catalogue (`LOCALE_PATHS`) is searched before the library's, so a msgid listed here
and translated in `locale/ru` replaces the library's Russian: «Эл. почта», not «E-mail».
`makemessages` finds them here; nothing needs to import this module.
"""

from django.utils.translation import gettext_noop

LIBRARY_WORDING = (
    gettext_noop("Email"),
    gettext_noop("Email (again)"),
    gettext_noop("Email (optional)"),
    gettext_noop("Username or email"),
    gettext_noop("You must type the same email each time."),
    gettext_noop("Add Email"),
    gettext_noop("Current email"),
    gettext_noop("Change Email"),
)
