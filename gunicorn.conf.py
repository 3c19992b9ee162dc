"""Gunicorn settings of the web service: `gunicorn -c gunicorn.conf.py prm.wsgi:application`
(Dockerfile, docker-compose.yml). Command-line options override these."""

import gunicorn.http.wsgi

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"


def _drop_server_header() -> None:
    """No `Server: gunicorn` on the answers (ADR 0012).

    Gunicorn (27.0) has no setting for it: its HTTP/1 response writes the header among the lines
    of ``Response.default_headers()``. This file is read by the master before it forks the
    workers, so the change holds in every worker. HTTP/2 is not enabled here.
    """
    response = gunicorn.http.wsgi.Response
    if getattr(response.default_headers, "drops_server", False):
        return
    default_headers = response.default_headers

    def without_server(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    without_server.drops_server = True
    response.default_headers = without_server


_drop_server_header()
