"""Gunicorn settings for production, read from the environment.

    gunicorn --config config/gunicorn.conf.py config.wsgi

PORT (8000) and WEB_CONCURRENCY (2 x CPUs + 1 worker processes) follow the usual platform
conventions; options given on the command line override these.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = [f"0.0.0.0:{int(os.environ.get('PORT', '8000'))}"]
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycling workers now and then bounds the memory a long-lived worker can accumulate. Rarely:
# a new worker imports the whole app again (about a second of CPU) and starts with an empty
# cache, and at 2,000 requests the load run replaced workers about 3 times a second. The
# jitter spreads the workers' turns so that they are not replaced together (0 turns it off).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "5000"))

# Logs go to stdout/stderr, where the container platform collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# The load balancer in front sets X-Forwarded-*; trust it only from the addresses given.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The worker heartbeat file; the image points it at tmpfs, as overlay filesystems can stall it.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
# No runtime control socket: nothing uses it, and the app user's home may be read-only.
control_socket_disable = True
