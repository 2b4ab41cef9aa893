#!/usr/bin/env bash
# ansible-test sanity on the collection's plugins, without Docker: ansible-test needs the collection at
# .../ansible_collections/netattest/tls_syslog, so the tracked files are copied there first; each test runs in a
# virtualenv ansible-test makes itself and fills from PyPI with its own pinned tools (--local, no containers).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEST=$ROOT/.cache/sanity/ansible_collections/netattest/tls_syslog
rm -rf "$DEST"
mkdir -p "$DEST"
# tracked files plus new files git does not ignore, as they are in the working tree
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue
  mkdir -p "$DEST/$(dirname "$f")"
  cp -p "$f" "$DEST/$f"
done
# ansible-test bootstraps pip in each test's virtualenv with a get-pip script it downloads from a host this
# machine cannot reach. Put a stand-in in its cache: Python's own ensurepip, then pip installs the exact pip
# version ansible-test asks for (from PyPI, like get-pip would).
PIP_FOR_TEST=$(python - <<'PY'
import re, ansible_test, pathlib
src = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
)
# ansible-test runs pip with a cleaned environment (HOME and PATH only): give it a HOME of its own whose pip
# configuration carries this machine's pip settings (certificate bundle, index) that live in environment variables.
export HOME=$ROOT/.cache/sanity-home
mkdir -p "$HOME/.config/pip" "$HOME/.ansible/test/cache"
{
  echo "[global]"
  cert=${PIP_CERT:-${SSL_CERT_FILE:-}}
  [ -n "$cert" ] && echo "cert = $cert"
  [ -n "${PIP_INDEX_URL:-}" ] && echo "index-url = $PIP_INDEX_URL"
  [ -n "${PIP_EXTRA_INDEX_URL:-}" ] && echo "extra-index-url = $PIP_EXTRA_INDEX_URL"
  true
} > "$HOME/.config/pip/pip.conf"
cat > "$HOME/.ansible/test/cache/get_pip_${PIP_FOR_TEST//./_}.py" <<'PY'
"""Stand-in for get-pip.py (written by netattest.tls_syslog scripts/sanity.sh): ensurepip, then pip install ARGS."""
import subprocess
import sys

# in a child process: ensurepip disables pip's configuration in its own process environment
# (and from a directory that surely exists: pip looks at its working directory when it starts)
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL, cwd=sys.prefix)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]  # get-pip-only options
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--quiet"] + args, cwd=sys.prefix))
PY
# collections the plugins use (doc fragments, module_utils), from the ansible package in .venv
BUNDLED=$(python -c 'import ansible, os; print(os.path.join(os.path.dirname(os.path.dirname(ansible.__file__)), "ansible_collections"))')
for ns in amazon community; do ln -sfn "$BUNDLED/$ns" "$ROOT/.cache/sanity/ansible_collections/$ns"; done
cd "$DEST"
# ansible-test lists files through git when there is a repository; give it one
git init -q . && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm sanity
PYV=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ansible-test sanity --local --python "$PYV" --color no "$@" plugins/
