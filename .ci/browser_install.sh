#!/usr/bin/env bash
# Install Debian's headless Chromium for tests/test_qc_in_a_browser.py. Idempotent.
set -euo pipefail
if command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1; then
    echo "browser_install: Chromium already installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null
command -v chromium-headless-shell >/dev/null && echo "browser_install: $(chromium-headless-shell --version 2>/dev/null || echo chromium-headless-shell)"
