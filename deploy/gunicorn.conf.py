"""gunicorn for Ratsblick's web processes: `gunicorn -c deploy/gunicorn.conf.py ratsblick.wsgi`.

Pages spend their time in the database and the index, partly outside the
GIL (Tantivy searches release it), so each core runs two worker processes
with a few threads each. Override with the environment variables below.
"""

import multiprocessing
import os

cores = multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * cores)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A request that takes longer is a bug or an attack: the worker is replaced.
timeout = 30
graceful_timeout = 30
# Idle keep-alive connections from nginx are closed after this.
keepalive = 5
# Workers are replaced now and then, so that a slow leak cannot grow for ever.
max_requests = 5000
max_requests_jitter = 500
# Logs to the journal (stderr); the app's own logs carry the correlation id.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}i)s'
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
