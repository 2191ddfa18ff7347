#!/usr/bin/env bash
# Install what Ratsblick needs on a Debian machine, then the locked Python
# environment in .venv. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
APT_PACKAGES=(python3 python3-venv ca-certificates)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! command -v python3.11 >/dev/null && ! command -v python3 >/dev/null; then :; fi
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  # Only when Python itself cannot make a venv: a pyenv Python needs no apt.
  if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq "${missing[@]}"
  fi
fi

UV=$(command -v uv || true)
if [ -z "$UV" ] || [ "$("$UV" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  if [ ! -x .tools/bin/uv ]; then
    python3 -m venv .tools
    .tools/bin/pip install -q "uv==$UV_VERSION"
  fi
  UV=.tools/bin/uv
fi
UV_PYTHON_DOWNLOADS=never "$UV" sync --frozen --quiet --python python3.11
