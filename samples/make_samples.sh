#!/usr/bin/env bash
# Make mockview's example answers: samples/*.flac from samples/scripts/*.txt.
#
# THESE SAMPLES ARE SYNTHETIC. They are spoken by the espeak-ng speech synthesizer from
# scripts written for mockview; no real person speaks in them. Do not present them as real
# speech, and do not tune or evaluate transcription accuracy on them (use the real
# recordings in the dev data for that). They exist so that `mockview analyze` has something
# to show on a fresh checkout, and so that pauses and pace differ between examples.
#
# Each line of a script is spoken separately; the silence espeak-ng leaves around it is
# trimmed and a silence of exactly 0.4 s (or the length given by an "@pause SECONDS" line
# that follows it) is put after it, so the pauses are real, known silences.
# Output: 16 kHz, mono, 16-bit FLAC holding 11-bit samples (to keep each file under 700 KB).
#
# Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox libsox-fmt-all).
# Deterministic: re-running produces the same files (sox runs in repeatable mode
# without dither); checked with espeak-ng 1.51 and SoX 14.4.2.
#
# Usage: bash samples/make_samples.sh
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make_samples.sh: $tool is not installed" >&2; exit 1; }
done

DEFAULT_GAP=0.4  # seconds of silence after a line
LEAD_IN=0.3      # seconds of silence before the first line
TAIL=0.6         # seconds of silence after the last line

# make_sample NAME VOICE WPM
#   speaks samples/scripts/NAME.txt with espeak-ng voice VOICE at WPM words per minute
#   (espeak-ng's -s; its own approximation) and writes samples/NAME.flac
make_sample() {
  local name="$1" voice="$2" wpm="$3"
  local script="$here/scripts/$name.txt" dir="$work/$name"
  mkdir -p "$dir"
  local -a parts=() gaps=()
  local n=0 line
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      ''|'#'*) continue ;;
      @pause\ *)
        [ "$n" -gt 0 ] || { echo "$script: @pause before the first line" >&2; exit 1; }
        gaps[n-1]="${line#@pause }"
        continue ;;
    esac
    local raw="$dir/$(printf '%03d' "$n").raw.wav"
    printf '%s\n' "$line" | espeak-ng -v "$voice" -s "$wpm" --stdin -w "$raw"
    parts+=("$raw")
    gaps+=("$DEFAULT_GAP")
    n=$((n + 1))
  done <"$script"
  [ "$n" -gt 0 ] || { echo "$script: no lines to speak" >&2; exit 1; }
  gaps[n-1]="$TAIL"

  local -a joined=()
  local i out
  for ((i = 0; i < n; i++)); do
    out="$dir/$(printf '%03d' "$i").wav"
    local before=0
    [ "$i" -gt 0 ] || before="$LEAD_IN"
    # trim the synthesizer's own leading and trailing silence, then pad to the chosen gaps
    sox -R -D "${parts[i]}" "$out" \
      silence 1 0.01 -55d reverse silence 1 0.01 -55d reverse \
      pad "$before" "${gaps[i]}"
    joined+=("$out")
  done
  # Join at 16 kHz mono, peak at -1 dBFS, and keep 11 bits of precision: scale down by 32,
  # round to 16 bits, scale back up. Every sample is then a multiple of 32, which FLAC stores
  # as 11-bit audio (about half the size of full 16-bit; 66 dB of range is plenty for speech).
  sox -R -D "${joined[@]}" -r 16000 -c 1 -b 16 "$dir/joined.wav" gain -n -1 vol 0.03125
  sox -R -D "$dir/joined.wav" --comment "" -C 8 "$here/$name.flac" vol 32
  printf '%-22s %6.2f s  %4d KB  (%s, %s wpm)\n' "$name.flac" \
    "$(soxi -D "$here/$name.flac")" "$(( $(stat -c %s "$here/$name.flac") / 1024 ))" "$voice" "$wpm"
}

#           name              voice      wpm
make_sample concise_teamwork  en-us      170
make_sample rambling_intro    en-us      190
make_sample short_strength    en-us+f2   150
