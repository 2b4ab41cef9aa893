#!/usr/bin/env python3
"""The whole job, locally, in one command (`make demo`): no AWS account and no OneGate needed.

moto stands in for AWS, a podman systemd container for the EC2 instance, a local test CA for OneGate's CA. site.yml
twice (the Elastic IP, then the receiver), the five OneGate log kinds sent from outside and shown parsed,
enable_mtls.yml with a permitted client landing and an intruder refused, destroy.yml. The steps are
tests/lib/netattest_local/pipeline.py (shared with the tests and the benchmarks); this is their command line.

Progress is printed as it goes; the ansible output of each step is in demo/logs/. The last line says SUCCESS or
FAILED. It can run again right away: leftovers of an earlier run are removed first.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "lib"))

from netattest_local.pipeline import main

if __name__ == "__main__":
    sys.exit(main())
