#!/usr/bin/env bash
# install-browser-test-deps.sh installs what the portal's browser test
# (portal/browser_test.go, driven by chromedp) needs: Debian's chromium at
# /usr/bin/chromium. No browser is ever downloaded by the test itself.
#
# Idempotent: when chromium is already there it does nothing. Needs root (or
# sudo) for apt-get. Safe to call from .ci/run on every run.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
	echo "browser test deps: $(chromium --version 2>/dev/null || echo chromium) already installed"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "browser test deps: need root (or sudo) to apt-get install chromium" >&2
		exit 1
	fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fonts-liberation gives the headless browser readable fonts for screenshots.
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "browser test deps: installed $(chromium --version 2>/dev/null || echo chromium)"
