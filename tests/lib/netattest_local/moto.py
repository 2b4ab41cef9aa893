"""A real ``moto_server`` on 127.0.0.1 standing in for AWS, and the check that nothing is left in its account.

* context manager (or ``start()`` / ``stop()``)::

      with MotoServer() as server:
          server.endpoint   # "http://127.0.0.1:PORT"
          server.env()      # os.environ + dummy credentials + AWS_URL / AWS_ENDPOINT_URL, for subprocesses
          server.reset()    # wipe every backend between stages
          leftovers(server.endpoint)   # {} when the account holds nothing of ours

* ``stop_pid_file(path)`` stops a server an earlier, interrupted run left behind (its PID was written there).

Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .env import HOST, free_port

REGION = "ap-northeast-1"

#: Environment for boto3 / Ansible pointed at a moto server: dummy credentials, our region.
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}


def moto_server_command() -> str:
    """The moto_server executable next to this Python (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent / "moto_server"
    if here.exists():
        return str(here)
    found = shutil.which("moto_server")
    if not found:
        raise RuntimeError("moto_server not found: install 'moto[server]' (see requirements.txt)")
    return found


def aws_env(endpoint: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: os.environ) plus dummy credentials and the endpoint for modules and lookups."""
    env = dict(os.environ if base is None else base)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(key, None)
    env.update(DUMMY_CREDENTIALS)
    env["AWS_URL"] = endpoint  # amazon.aws modules and lookups
    env["AWS_ENDPOINT_URL"] = endpoint  # botocore itself
    return env


def wait_until_up(endpoint: str, proc: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    """Poll moto's reset API until it answers (or the process dies, or timeout)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"moto_server exited early with rc={proc.returncode}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"moto_server at {endpoint} did not answer within {timeout} s: {last}")


def reset(endpoint: str) -> None:
    """Wipe every moto backend (an empty account again)."""
    req = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
        resp.read()


class MotoServer:
    """A moto_server child process on 127.0.0.1:<free port>."""

    def __init__(self, port: int | None = None, log_file: str | os.PathLike | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://{HOST}:{self.port}"
        self.log_file = log_file
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self, detach: bool = False) -> MotoServer:
        cmd = [moto_server_command(), "-H", HOST, "-p", str(self.port)]
        out = subprocess.DEVNULL
        if self.log_file:
            self._log = open(self.log_file, "ab")
            out = self._log
        self.proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=detach
        )
        try:
            wait_until_up(self.endpoint, self.proc)
        except Exception:
            self.stop()
            raise
        return self

    def reset(self) -> None:
        reset(self.endpoint)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return aws_env(self.endpoint, base)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_pid_file(pid_file: str | os.PathLike) -> None:
    """Terminate the moto_server whose PID is in ``pid_file`` (and only that process), then remove the file."""
    pid_file = Path(pid_file)
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip())
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            os.kill(pid, 0)  # raises ProcessLookupError once it is gone
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def clients(endpoint: str, *names: str) -> list:
    """boto3 clients of the moto server at ``endpoint`` (dummy credentials, our region)."""
    import boto3

    kw = {"region_name": REGION, "endpoint_url": endpoint, "aws_access_key_id": "testing"}
    return [boto3.client(name, aws_secret_access_key="testing", **kw) for name in names]


def leftovers(endpoint: str | None = None, *, ec2=None, efs=None) -> dict[str, list[str]]:
    """Everything in the (moto) account beyond the default VPC and its parts (what would keep billing): VPCs, subnets,
    internet gateways, route tables, security groups, network interfaces, instances not terminated, Elastic IPs,
    volumes, key pairs, EFS file systems and mount targets. {} when nothing is left. Give the server's ``endpoint``,
    or boto3 ``ec2`` and ``efs`` clients."""
    if ec2 is None or efs is None:
        ec2, efs = clients(endpoint, "ec2", "efs")
    default_vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault")}
    found = {
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v["VpcId"] not in default_vpcs],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] not in default_vpcs],
        "internet_gateways": [
            g["InternetGatewayId"]
            for g in ec2.describe_internet_gateways()["InternetGateways"]
            if not {a["VpcId"] for a in g.get("Attachments", [])} & default_vpcs
        ],
        "route_tables": [
            r["RouteTableId"] for r in ec2.describe_route_tables()["RouteTables"] if r["VpcId"] not in default_vpcs
        ],
        "security_groups": [
            g["GroupId"]
            for g in ec2.describe_security_groups()["SecurityGroups"]
            if g["VpcId"] not in default_vpcs or g["GroupName"] != "default"
        ],
        "network_interfaces": [n["NetworkInterfaceId"] for n in ec2.describe_network_interfaces()["NetworkInterfaces"]],
        "instances": [
            i["InstanceId"]
            for r in ec2.describe_instances()["Reservations"]
            for i in r["Instances"]
            if i["State"]["Name"] != "terminated"
        ],
        "elastic_ips": [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]],
        "volumes": [v["VolumeId"] for v in ec2.describe_volumes()["Volumes"]],
        "key_pairs": [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]],
        "file_systems": [f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]],
    }
    found["mount_targets"] = [
        m["MountTargetId"]
        for fs_id in found["file_systems"]
        for m in efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
    ]
    return {k: v for k, v in found.items() if v}
