"""What the benchmark scripts share: JSON calls to a running local stack (the HTTP API on port
3000, the control endpoints on 3001) and tokens minted by it. Standard library only."""

import json
import urllib.error
import urllib.request

API = "http://127.0.0.1:3000"
CTL = "http://127.0.0.1:3001"


def call(method, url, token=None, body=None, headers=None):
    """(status, parsed JSON body) of one request; an error status's body is returned as text."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            text = reply.read()
            return reply.status, json.loads(text) if text else None
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def token(claims):
    """A bearer token with `claims` (sub, groups...), minted by the local stack."""
    status, body = call("POST", f"{CTL}/_devstack/tokens", body=claims)
    assert status == 200, (status, body)
    return body["token"]
