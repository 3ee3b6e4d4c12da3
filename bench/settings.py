"""Settings of the load run's gunicorn: the production settings, with the bench URLconf that
adds a baseline route (bench/urls.py). Only bench/loadtest.py points DJANGO_SETTINGS_MODULE here.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
