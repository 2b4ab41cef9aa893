"""``python -m netattest_local.pki_cli DIR NAME...``: make_pki() (pki.py) for molecule's prepare.yml, which runs on the
controller in ansible's Python. The passphrase comes from the environment variable NETATTEST_PKI_PASSPHRASE, never
the command line. Prints {"changed": ..., "pki_dir": ...}."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from .pki import STAMP, make_pki


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m netattest_local.pki_cli", description=__doc__)
    parser.add_argument("pki_dir", type=Path)
    parser.add_argument("server_names", nargs="+")
    args = parser.parse_args(argv)
    passphrase = os.environ.get("NETATTEST_PKI_PASSPHRASE", "")
    if not passphrase:
        parser.error("set NETATTEST_PKI_PASSPHRASE to the server bundle's passphrase")
    stamp = args.pki_dir / STAMP
    before = stamp.read_text() if stamp.is_file() else None
    make_pki(args.pki_dir, passphrase, args.server_names)
    print(json.dumps({"changed": stamp.read_text() != before, "pki_dir": str(args.pki_dir)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
