"""An HTTP proxy in front of a moto server that loses answers, as a network timeout does.

Point ``AWS_URL`` / ``AWS_ENDPOINT_URL`` at ``proxy.endpoint`` instead of moto's. Every call is forwarded to moto and
its answer passed back, except for the calls chosen in ``faults``: those are forwarded (they take effect in moto)
and then the connection is closed without an answer. botocore then sees a dropped connection and retries the call
by itself, exactly as after a timeout on a real network.

    with FaultProxy(moto.endpoint, faults={"CreateVpc": 1}) as proxy:
        env = moto_helper.aws_env(proxy.endpoint)
        ...
        proxy.calls      # every action seen, in order: ["DescribeVpcs", "CreateVpc", "CreateVpc", ...]
        proxy.injected   # the faults that happened: ["CreateVpc"]

``deny`` (optional): EC2 actions whose DryRun call is answered ``UnauthorizedOperation`` (HTTP 403, EC2's error
XML) without reaching moto, as AWS answers credentials that lack the permission; ``proxy.denied`` lists them.

``on_fault`` (optional) is called with the action name after the call took effect and before the connection is
dropped: the benchmark uses it to kill the run while it waits for the answer.

The action is read from the form body (``Action=CreateVpc``) for EC2 and the other query APIs, from the
``X-Amz-Target`` header for JSON APIs (SSM), and from the method and path for EFS's REST API. A call with
``DryRun=true`` is recorded as ``"<Action> (DryRun)"`` and never loses its answer: it changes nothing. Nothing here
talks to anything but the upstream given (127.0.0.1 in the tests).
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .env import HOST

#: EFS (REST, path-based): (method, path regex) -> action name.
EFS_ROUTES = [
    ("POST", r"^/2015-02-01/file-systems/?$", "CreateFileSystem"),
    ("GET", r"^/2015-02-01/file-systems/?$", "DescribeFileSystems"),
    ("DELETE", r"^/2015-02-01/file-systems/[^/]+/?$", "DeleteFileSystem"),
    ("PUT", r"^/2015-02-01/file-systems/[^/]+/policy/?$", "PutFileSystemPolicy"),
    ("GET", r"^/2015-02-01/file-systems/[^/]+/policy/?$", "DescribeFileSystemPolicy"),
    ("PUT", r"^/2015-02-01/file-systems/[^/]+/lifecycle-configuration/?$", "PutLifecycleConfiguration"),
    ("POST", r"^/2015-02-01/mount-targets/?$", "CreateMountTarget"),
    ("GET", r"^/2015-02-01/mount-targets/?$", "DescribeMountTargets"),
    ("DELETE", r"^/2015-02-01/mount-targets/[^/]+/?$", "DeleteMountTarget"),
    ("GET", r"^/2015-02-01/mount-targets/[^/]+/security-groups/?$", "DescribeMountTargetSecurityGroups"),
    ("PUT", r"^/2015-02-01/mount-targets/[^/]+/security-groups/?$", "ModifyMountTargetSecurityGroups"),
    ("POST", r"^/2015-02-01/resource-tags/[^/]+/?$", "TagResource"),
    ("DELETE", r"^/2015-02-01/resource-tags/[^/]+/?$", "UntagResource"),
    ("GET", r"^/2015-02-01/resource-tags/[^/]+/?$", "ListTagsForResource"),
]

#: How a DryRun call is recorded in ``calls`` ("RunInstances (DryRun)"); faults are never injected into one.
DRY_RUN_SUFFIX = " (DryRun)"

#: Read-only actions (everything else that reaches AWS is a mutating call).
READ_ONLY = re.compile(r"^(Describe|Get|List)")

#: EC2's answer to a call the credentials may not make (the message as AWS words it, without the encoded details).
UNAUTHORIZED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code>'
    "<Message>You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/tester is not "
    "authorized to perform: ec2:%s</Message></Error></Errors><RequestID>netattest-fault-proxy</RequestID></Response>"
)

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def action_of(method: str, path: str, headers, body: bytes) -> str:
    """The AWS API action a request calls (``"?"`` when it cannot tell)."""
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    if method == "POST" and body and b"Action=" in body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if form.get("Action"):
            return form["Action"][0]
    query = urllib.parse.urlsplit(path)
    params = urllib.parse.parse_qs(query.query)
    if params.get("Action"):
        return params["Action"][0]
    for route_method, pattern, name in EFS_ROUTES:
        if method == route_method and re.match(pattern, query.path):
            return name
    return "?"


def is_dry_run(body: bytes) -> bool:
    """An EC2 call with DryRun=true: it only asks whether the call would be allowed, and changes nothing."""
    return bool(body) and re.search(rb"(^|&)DryRun=true(&|$)", body) is not None


def is_mutating(action: str) -> bool:
    return action != "?" and not action.endswith(DRY_RUN_SUFFIX) and not READ_ONLY.match(action)


class FaultProxy:
    """A threaded HTTP proxy on 127.0.0.1:<free port> in front of ``upstream`` (a moto server's URL).

    ``faults``: action -> how many of its answers to lose (each one after the call took effect in moto)."""

    def __init__(
        self,
        upstream: str,
        faults: dict[str, int] | None = None,
        on_fault: Callable[[str], None] | None = None,
        deny: set[str] | None = None,
    ):
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream_host, self.upstream_port = parsed.hostname, parsed.port or 80
        self.faults = dict(faults or {})
        self.on_fault = on_fault
        self.calls: list[str] = []
        self.injected: list[str] = []
        self.deny = set(deny or ())
        self.denied: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((HOST, 0), self._handler())
        self._server.daemon_threads = True
        self.endpoint = f"http://{HOST}:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def set_faults(self, faults: dict[str, int], on_fault: Callable[[str], None] | None = None) -> None:
        with self._lock:
            self.faults = dict(faults)
            self.on_fault = on_fault
            self.calls.clear()
            self.injected.clear()

    def _take_fault(self, action: str) -> bool:
        with self._lock:
            self.calls.append(action)
            if self.faults.get(action, 0) > 0:
                self.faults[action] -= 1
                self.injected.append(action)
                return True
            return False

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as botocore uses it

            def log_message(self, *args):  # quiet
                pass

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                action = action_of(self.command, self.path, self.headers, body)
                if is_dry_run(body):
                    action += DRY_RUN_SUFFIX
                lose = proxy._take_fault(action)
                if action.endswith(DRY_RUN_SUFFIX) and action[: -len(DRY_RUN_SUFFIX)] in proxy.deny:
                    proxy.denied.append(action[: -len(DRY_RUN_SUFFIX)])
                    self._answer(403, UNAUTHORIZED % action[: -len(DRY_RUN_SUFFIX)])
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=120)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                if lose:
                    # The call took effect; its answer never arrives.
                    if proxy.on_fault is not None:
                        proxy.on_fault(action)
                    self.close_connection = True
                    return
                self.send_response_only(resp.status, resp.reason)
                for key, value in resp.getheaders():
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _answer(self, status: int, body: str) -> None:
                data = body.encode()
                self.send_response_only(status)
                self.send_header("Content-Type", "text/xml;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _any

        return Handler

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
