"""Load the demo content of the article (idempotent: a second run changes nothing)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import audit
from demo import seed


class Command(BaseCommand):
    help = "Load idempotent demo content: 14 associations, their members, 36 projects and applications in every status."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the demo accounts. Required when DEBUG is off; without it in production no accounts are created.",
        )
        parser.add_argument("--no-accounts", action="store_true", help="Do not create demo accounts.")

    def handle(self, *args, password=None, no_accounts=False, **options):
        create_accounts = not no_accounts
        if create_accounts and not settings.DEBUG and not password:
            raise CommandError(
                "DEBUG is off: refusing to create demo accounts with the well-known demo password. "
                "Pass --password <secret> or --no-accounts."
            )
        # Demo content is nobody's change: no audit entries (they cost a third of the seeding's time).
        with transaction.atomic(), audit.paused():
            report = seed.run(password=password or seed.DEMO_PASSWORD, create_accounts=create_accounts)
        for line in report:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
