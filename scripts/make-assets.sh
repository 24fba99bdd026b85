#!/usr/bin/env bash
# Makes the audio assets the project ships (run by hand when they need to change; the results are committed):
#   assets/demo/cycast-demo.mp3     station ident + demo track, played when the music folder is empty
#   assets/silence/silence.ogg      Ogg Vorbis silence, looped for Ogg mounts with nothing to play
# Needs espeak-ng, sox and ffmpeg (Debian: apt-get install espeak-ng sox ffmpeg).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the ident, spoken
espeak-ng -v en-us -s 150 -w "$work/ident.wav" \
  "You are listening to Cycast Studio. Your station is on the air. Add music to the playlist, or connect your DJ software, and this demo will make way."
# a short jingle: a rising arpeggio, then a chord, with fades
sox -n -r 44100 -c 2 "$work/jingle.wav" synth 0.25 pluck C4 synth 0.25 pluck E4 synth 0.25 pluck G4 synth 0.25 pluck C5 : \
  synth 1.2 pluck C4 pluck E4 pluck G4 pluck C5 remix - fade 0 1.2 0.6 2>/dev/null || \
  sox -n -r 44100 -c 2 "$work/jingle.wav" synth 1.2 sine 523.25 fade 0 1.2 0.6
# a calm bed of tones under the voice
sox -n -r 44100 -c 2 "$work/bed.wav" synth 14 sine 220 sine 277.18 sine 329.63 tremolo 0.2 40 gain -22 fade 1 14 2
sox "$work/ident.wav" -r 44100 -c 2 "$work/ident2.wav" pad 1 0
sox -m "$work/bed.wav" "$work/ident2.wav" "$work/voice.wav"
sox "$work/jingle.wav" "$work/voice.wav" "$work/jingle.wav" "$work/demo.wav"
ffmpeg -hide_banner -loglevel error -y -i "$work/demo.wav" -ac 2 -ar 44100 -c:a libmp3lame -b:a 128k \
  -metadata title="Station Ident (demo)" -metadata artist="Cycast Studio" -metadata album="Cycast Studio demo" \
  -id3v2_version 3 assets/demo/cycast-demo.mp3

ffmpeg -hide_banner -loglevel error -y -f lavfi -i "anullsrc=r=44100:cl=stereo" -t 5 -c:a libvorbis -q:a 0 \
  -metadata title="silence" assets/silence/silence.ogg
ls -l assets/demo assets/silence
