"""The local stand-ins of the collection's job and its pipeline, for `make demo` (scripts/demo.py), the integration
tests and the benchmarks: moto for AWS (moto.py), a podman systemd container for the EC2 instance (instance.py), a
local test CA for OneGate's (pki.py), and the steps from an empty account to teardown (pipeline.py). Everything has
its names, ports and image as arguments. Nothing here talks to anything but 127.0.0.1 and its own containers.

Import it with tests/lib on sys.path (tests/conftest.py puts it there for pytest).
"""

from .env import IMAGE, ROOT, free_port, project_env, recap
from .instance import Instance
from .moto import MotoServer, leftovers
from .pipeline import STEPS, Pipeline, StepFailed

__all__ = [
    "IMAGE",
    "ROOT",
    "STEPS",
    "Instance",
    "MotoServer",
    "Pipeline",
    "StepFailed",
    "free_port",
    "leftovers",
    "project_env",
    "recap",
]
