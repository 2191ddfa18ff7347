"""The pipeline running by itself: embedded in `serve`, or as Celery tasks on Redis.

`steps` holds every step as one plain function taking ids; `embedded` runs
them in a background thread of the web process, `tasks` wraps the same
functions as Celery tasks. Only this package imports Celery.
"""
