#!/usr/bin/env bash
# A virtual microphone for tests and CI on a machine without a sound card.
#
# Starts a user-mode PulseAudio daemon (no systemd, no D-Bus) holding
#   * a null sink "vspeaker": whatever is played into it (paplay) ...
#   * a remap source "vmic": ... comes out of this source, the default source.
# Debian's PortAudio has no PulseAudio host API; it reaches the daemon through ALSA's
# pulse plugin (libasound2-plugins), so while the daemon runs ALSA's "default" device,
# and so sounddevice's default input, is "vmic".
#
# Usage:
#   bash scripts/virtual-mic.sh install    # apt-get the packages (idempotent; needs root)
#   bash scripts/virtual-mic.sh start      # start the daemon (idempotent); prints export lines
#   eval "$(bash scripts/virtual-mic.sh env)"
#   paplay speech.flac                     # heard by whoever records from the default input
#   bash scripts/virtual-mic.sh stop       # stop the daemon started by `start`
#   bash scripts/virtual-mic.sh status
#
# Set the environment BEFORE `import sounddevice`: PortAudio lists devices when it starts.
set -euo pipefail

VMIC_DIR="${VMIC_DIR:-${TMPDIR:-/tmp}/mockview-vmic}"   # the daemon's XDG_RUNTIME_DIR
SOCKET="$VMIC_DIR/pulse/native"
PIDFILE="$VMIC_DIR/pulseaudio.pid"
LOG="$VMIC_DIR/pulseaudio.log"
RATE="${VMIC_RATE:-48000}"
PACKAGES=(libportaudio2 libsndfile1 libasound2-plugins pulseaudio pulseaudio-utils)

print_env() {
  cat <<EOF
export XDG_RUNTIME_DIR="$VMIC_DIR"
export PULSE_RUNTIME_PATH="$VMIC_DIR/pulse"
export PULSE_SERVER="unix:$SOCKET"
export PULSE_CLIENTCONFIG="$VMIC_DIR/client.conf"
export PULSE_SINK=vspeaker
export PULSE_SOURCE=vmic
EOF
}

running() {
  [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

# Latency in microseconds of the sink named $1 ("Latency: 872 usec, configured ...").
sink_latency_us() {
  pactl list sinks 2>/dev/null | awk -v name="$1" '
    $1 == "Name:" { current = $2 }
    current == name && $1 == "Latency:" { print $2; exit }' | grep . || echo 999999999
}

ready() {
  pactl info >/dev/null 2>&1 \
    && pactl list short sources 2>/dev/null | grep -q '^[0-9]*[[:space:]]vmic[[:space:]]' \
    && [[ "$(sink_latency_us vspeaker)" -lt 100000 ]]
}

cmd_install() {
  if dpkg -s "${PACKAGES[@]}" >/dev/null 2>&1; then
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
}

cmd_start() {
  if ! command -v pulseaudio >/dev/null || ! command -v pactl >/dev/null; then
    echo "pulseaudio is not installed; run: bash scripts/virtual-mic.sh install" >&2
    return 1
  fi
  eval "$(print_env)"
  if running; then
    print_env
    return 0
  fi
  mkdir -p "$VMIC_DIR/pulse" "$VMIC_DIR/home"
  chmod 700 "$VMIC_DIR" "$VMIC_DIR/pulse"
  rm -f "$SOCKET"
  cat >"$VMIC_DIR/vmic.pa" <<EOF
load-module module-native-protocol-unix auth-anonymous=1 socket=$SOCKET
load-module module-null-sink sink_name=vspeaker rate=$RATE channels=1 sink_properties=device.description=VirtualSpeaker
load-module module-remap-source source_name=vmic master=vspeaker.monitor source_properties=device.description=VirtualMic
# An idle null sink renders in 2-second blocks, so a recorder connecting to it would wait
# up to 2 s for its first block and lose that audio. A low-latency loopback from its
# monitor into a second, unused sink keeps it running at a few milliseconds of latency.
load-module module-null-sink sink_name=vdump rate=$RATE channels=1 sink_properties=device.description=KeepAlive
load-module module-loopback source=vspeaker.monitor sink=vdump latency_msec=20 source_dont_move=true sink_dont_move=true
set-default-sink vspeaker
set-default-source vmic
EOF
  echo "autospawn = no" >"$VMIC_DIR/client.conf"
  # -n skips /etc/pulse/default.pa (udev, ALSA, D-Bus modules that fail here); HOME keeps
  # the daemon's state inside VMIC_DIR. Running as root is allowed in this mode.
  HOME="$VMIC_DIR/home" pulseaudio --daemonize=no -n --file="$VMIC_DIR/vmic.pa" \
    --exit-idle-time=-1 --realtime=no --high-priority=no --use-pid-file=no \
    --log-target="file:$LOG" --log-level=notice </dev/null >/dev/null 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    if ready; then
      print_env
      return 0
    fi
    running || break
    sleep 0.1
  done
  echo "The virtual microphone did not come up. PulseAudio log ($LOG):" >&2
  cat "$LOG" >&2 2>/dev/null || true
  cmd_stop
  return 1
}

cmd_stop() {
  if [[ -f "$PIDFILE" ]]; then
    local pid
    pid="$(cat "$PIDFILE")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    fi
    rm -f "$PIDFILE"
  fi
  rm -f "$SOCKET"
}

cmd_status() {
  if ! running; then
    echo "not running"
    return 1
  fi
  echo "running, pid $(cat "$PIDFILE")"
  eval "$(print_env)"
  pactl list short sinks
  pactl list short sources
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) print_env ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 install|start|stop|env|status" >&2
    exit 2
    ;;
esac
