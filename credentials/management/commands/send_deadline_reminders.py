from django.core.management.base import BaseCommand, CommandError

from credentials.calendar.reminders import deadline_reminders_send


class Command(BaseCommand):
    help = (
        "Mail each user a digest of their organization's overdue deadlines and those due "
        "within N days. At most one digest per user per day: run it as often as you like."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Deadlines due within this many days (default: each organization's "
            "due-soon days, 14 unless changed).",
        )

    def handle(self, *args, days=None, **options):
        if days is not None and not 0 <= days <= 366:
            raise CommandError("--days must be between 0 and 366.")
        result = deadline_reminders_send(days=days)
        self.stdout.write(
            f"{result.sent} digest(s) sent, {result.already_sent} already sent today, "
            f"{result.nothing_due} user(s) with nothing due."
        )
