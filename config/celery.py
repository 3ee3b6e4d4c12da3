"""The task queue (Celery): import jobs and periodic work such as the deadline reminders.

Workers run from the same image as the app: `celery -A config worker`; the schedule of the
periodic tasks runs in one `celery -A config beat`. Settings are Django's, prefixed CELERY_
(config/settings.py). Without CELERY_BROKER_URL tasks run in the process that queues them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
