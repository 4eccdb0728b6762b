#!/usr/bin/env bash
# Install the system packages the tests need (Debian/Ubuntu, as root or with sudo).
#
#   * PortAudio, libsndfile and PulseAudio with ALSA's pulse plugin: the recording and
#     playback tests run a virtual microphone (scripts/virtual-mic.sh);
#   * Chromium: the review-page tests open the page in a real headless browser, driven by
#     Playwright (its own browser download is not used);
#   * espeak-ng: the voice mockview speak falls back to without Piper (tests/test_voice.py).
#
# Idempotent: packages already installed are not fetched again.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  SUDO="sudo"
fi

bash ./virtual-mic.sh install

OTHER_PACKAGES=(chromium espeak-ng)
if ! dpkg -s "${OTHER_PACKAGES[@]}" >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${OTHER_PACKAGES[@]}" >/dev/null
fi
