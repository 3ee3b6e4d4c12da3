# The task queue's app is loaded with Django, so that tasks queued by the app find it.
from config.celery import app as celery_app

__all__ = ["celery_app"]
