"""Content-Security-Policy on every answer, no inline script or style in the templates, the API docs
under the policy, and no `Server: gunicorn` header (ADR 0012)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from prm import embedded

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TEMPLATES = BASE_DIR / "templates"


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_a_page_has_the_policy(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert_strict(response)


def test_an_api_answer_has_the_policy(client, world):
    assert_strict(client.get(reverse("api_me")))  # 401 (anonymous)
    client.force_login(world["partner_a_admin"])
    response = client.get(reverse("api_me"))
    assert response.status_code == 200
    assert_strict(response)


def test_the_admin_has_the_policy(client, world, mfa):
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    for url in (reverse("admin:index"), reverse("admin:partners_partner_changelist")):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict(response)


def test_error_answers_have_the_policy(client, db):
    assert_strict(client.get("/no-such-page/"))


# --- The templates ---------------------------------------------------------------------------------

TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I | re.S)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)


def template_files():
    files = sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))
    assert len(files) > 50
    return files


def test_no_template_has_inline_script_or_style():
    found = []
    for path in template_files():
        text = path.read_text()
        name = path.relative_to(TEMPLATES)
        for match in SCRIPT.finditer(text):
            attributes = match.group(1)
            if not re.search(r"\ssrc\s*=", attributes) and "application/json" not in attributes:
                found.append(f"{name}: inline <script>")
        for tag in TAG.findall(text):
            if HANDLER.search(tag):
                found.append(f"{name}: event handler attribute in {tag[:80]}")
            if STYLE_ATTRIBUTE.search(tag):
                found.append(f"{name}: style attribute in {tag[:80]}")
        if JS_URL.search(text):
            found.append(f"{name}: javascript: URL")
        # E-mail layouts keep their CSS in a <style> block that css-inline turns into attributes
        # before sending (prm/notifications/emails.py); they are never served as portal pages (the
        # staff preview answers with a policy of its own, tests/prm/notifications/test_emails.py).
        if re.search(r"<style\b", text, re.I) and name.parts[0] != "emails":
            found.append(f"{name}: <style> block")
    assert not found, "\n".join(found)


def test_the_scan_finds_what_it_looks_for():
    sample = '<select onchange="x()"><script>alert(1)</script><a href="javascript:x()" style="color:red">'
    assert SCRIPT.search(sample) and not re.search(r"\ssrc\s*=", SCRIPT.search(sample).group(1))
    assert HANDLER.search(TAG.findall(sample)[0])
    assert JS_URL.search(sample)
    assert STYLE_ATTRIBUTE.search(TAG.findall(sample)[-1])


# --- The API docs ------------------------------------------------------------------------------------


def test_the_api_docs_load_their_script_from_a_file(client, world):
    client.force_login(world["partner_a_admin"])
    page = client.get(reverse("api_docs"))
    assert page.status_code == 200
    assert_strict(page)
    html = page.content.decode()
    scripts = SCRIPT.findall(html)
    assert scripts and all(re.search(r'\ssrc="', attributes) for attributes in scripts)
    assert "<style" not in html and " style=" not in html
    init = next(
        re.search(r'src="([^"]+)"', a).group(1) for a in scripts if "script=" in re.search(r'src="([^"]+)"', a).group(1)
    )
    script = client.get(init.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


# --- gunicorn ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_gunicorn_with_the_project_config_sends_no_server_header():
    port = embedded.free_port()
    env = {**os.environ, "DEBUG": "true"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["prm.wsgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        response = None
        for _attempt in range(200):
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/portal.css", timeout=5)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("gunicorn stopped")
                time.sleep(0.1)
        assert response is not None, "gunicorn did not answer"
        assert response.status == 200
        assert response.headers.get("Server") is None
        assert "Server:" not in str(response.headers)
    finally:
        server.terminate()
        server.wait(timeout=30)
