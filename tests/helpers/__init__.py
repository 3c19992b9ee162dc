"""Helpers shared by the test folders: admin pages (``admin``), the API (``api``), query counts
(``queries``), threads racing each other (``concurrency``) and Celery tasks run inline (``celery``).

Fixtures among them reach a folder through its conftest.py, which imports them."""
