"""Run by tests/test_backup_restore.py in a subprocess against a given database and MEDIA_ROOT (the
DATABASE_URL and DJANGO_MEDIA_ROOT environment): answers the API calls and page downloads named in the
JSON argument and prints what came back, so two databases can be compared answer for answer.

argv[1]: {"api": [[token, path], ...], "files": [[username, path], ...]}
prints: {"api": {path: [status, json]}, "files": {path: [status, sha256 of the body]}}
"""

import hashlib
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings_test")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from zhengxie.accounts.models import User  # noqa: E402


def main(spec: dict) -> dict:
    out = {"api": {}, "files": {}}
    for token, path in spec["api"]:
        client = APIClient(HTTP_HOST="127.0.0.1")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.get(path)
        out["api"][f"{token[:6]} {path}"] = [response.status_code, response.json()]
    for username, path in spec["files"]:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        out["files"][f"{username} {path}"] = [response.status_code, hashlib.sha256(body).hexdigest()]
    return out


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1])), ensure_ascii=False, sort_keys=True))
