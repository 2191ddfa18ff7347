#!/usr/bin/env bash
# Install what Ratsblick needs on a Debian machine, then the locked Python
# environment in .venv. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
# tesseract-ocr-deu: the German OCR model (tesserocr's wheel brings Tesseract
# itself); wngerman: the word list that tells a good text layer from a bad one;
# poppler-utils: `pdftotext`, the baseline of bench/extract.py; chromium and
# chromium-driver: the browser tests; nodejs and npm: the front-end files we
# vendor (pdf.js) and test with (axe-core).
APT_PACKAGES=(tesseract-ocr-deu wngerman poppler-utils ca-certificates chromium chromium-driver)
# A machine with Node.js from elsewhere (nodesource ships npm inside nodejs) keeps it.
command -v npm >/dev/null || APT_PACKAGES+=(nodejs npm)
python3 -c "import venv, ensurepip" 2>/dev/null || APT_PACKAGES+=(python3 python3-venv)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Please install: ${missing[*]} (Debian package names)" >&2
    exit 1
  fi
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

UV=$(command -v uv || true)
if [ -z "$UV" ] || [ "$("$UV" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  if [ ! -x .tools/bin/uv ]; then
    python3 -m venv .tools
    .tools/bin/pip install -q "uv==$UV_VERSION"
  fi
  UV=.tools/bin/uv
fi
# The platform store holds any CA the machine adds (a proxy, a company CA).
UV_SYSTEM_CERTS=1 UV_PYTHON_DOWNLOADS=never "$UV" sync --frozen --quiet --python python3.11

# Front-end files from the npm registry, locked in package-lock.json, served
# by us from static/vendor (no CDN). The engines field of pdfjs-dist asks for
# a newer Node than Debian's; it runs in the browser, not in Node.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --ignore-scripts --omit=optional --loglevel=error
  touch node_modules
fi
VENDOR=src/ratsblick/web/static/vendor
rm -rf "$VENDOR" && mkdir -p "$VENDOR/pdfjs"
cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs "$VENDOR/pdfjs/"
cp node_modules/pdfjs-dist/LICENSE "$VENDOR/pdfjs/LICENSE"
