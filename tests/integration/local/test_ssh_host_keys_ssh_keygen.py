"""The known_hosts lines made from a real-shaped Amazon Linux 2023 console output, read by ssh-keygen itself."""

import subprocess
from pathlib import Path

from ansible_collections.netattest.tls_syslog.plugins.module_utils import _ssh_host_keys as hk

SAMPLE = (
    Path(__file__).resolve().parents[2] / "unit" / "plugins" / "module_utils" / "data" / "console_output_al2023.txt"
).read_text()
ECDSA_FP = "SHA256:OLW/05+C+N4japZEDkbRuPoHCTt9a+Vi7aillibyPX0"
ED25519_FP = "SHA256:yL2g12r6VDhvmm4VoF1USoQPCRR0KtBUXNLNYlKeNHc"


def test_known_hosts_lines_are_what_ssh_keygen_reads(tmp_path):
    lines = hk.known_hosts_lines("203.0.113.25", hk.parse_console_host_keys(SAMPLE))
    known = tmp_path / "known_hosts"
    known.write_text("\n".join(lines) + "\n")
    out = subprocess.run(["ssh-keygen", "-l", "-f", str(known)], capture_output=True, text=True, check=True).stdout
    assert ECDSA_FP in out and ED25519_FP in out and out.count("203.0.113.25") == 2
    found = subprocess.run(["ssh-keygen", "-F", "203.0.113.25", "-f", str(known)], capture_output=True, text=True)
    assert found.returncode == 0
