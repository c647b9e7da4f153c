# Sourced by scripts/chat and scripts/test: create or refresh .venv so both work on a fresh clone.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
py=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
    "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { echo "finops-bot needs Python 3.11 or newer (found: $($py --version 2>&1))" >&2; exit 2; }
    "$py" -m venv "$venv"
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp="$venv/.installed"
want=$(cksum < "$root/pyproject.toml")
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[dev,teams]"
    echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
cd "$root"
