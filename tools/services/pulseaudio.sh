#!/bin/sh
# Start a PulseAudio sound server with no sound card: a null sink (the room's speaker) and a
# virtual microphone that hears what that sink plays (module-remap-source over its monitor).
# PortAudio reaches it through ALSA's pulse plugin. Prints PULSE_SERVER, and the names of the
# speaker and the microphone.
set -eu

if ! command -v pulseaudio >/dev/null 2>&1 || ! command -v pactl >/dev/null 2>&1; then
	echo "pulseaudio.sh: PulseAudio is not installed (make system-packages installs it)" >&2
	exit 1
fi
runtime=${KIOSK_PULSE_RUNTIME:-/tmp/kiosk-pulse}
mkdir -p "$runtime"
chmod 700 "$runtime"
server="unix:$runtime/native"
export PULSE_SERVER="$server"

if ! pactl info >/dev/null 2>&1; then
	# A per-user daemon (not --system), so that root may load modules; as root PulseAudio
	# warns that it is not meant to run so, which is harmless here.
	HOME=$runtime XDG_RUNTIME_DIR=$runtime pulseaudio --daemonize=yes --exit-idle-time=-1 \
		--disallow-exit --use-pid-file=yes --system=no -n \
		--load="module-native-protocol-unix socket=$runtime/native auth-anonymous=1" \
		--load="module-always-sink" \
		--log-target=file:"$runtime/pulseaudio.log" >&2 2>&1 || true
	tries=0
	until pactl info >/dev/null 2>&1; do
		tries=$((tries + 1))
		if [ $tries -gt 50 ]; then
			echo "pulseaudio.sh: PulseAudio did not start; see $runtime/pulseaudio.log" >&2
			exit 1
		fi
		sleep 0.1
	done
fi

if ! pactl list short sinks | grep -q kiosk_speaker; then
	pactl load-module module-null-sink sink_name=kiosk_speaker \
		sink_properties=device.description=kiosk_speaker >/dev/null
fi
if ! pactl list short sources | grep -q kiosk_microphone; then
	pactl load-module module-remap-source source_name=kiosk_microphone \
		master=kiosk_speaker.monitor source_properties=device.description=kiosk_microphone \
		>/dev/null
fi
pactl set-default-sink kiosk_speaker
pactl set-default-source kiosk_microphone

echo "PULSE_SERVER=$server"
echo "KIOSK_TEST_SPEAKER=kiosk_speaker"
echo "KIOSK_TEST_MICROPHONE=kiosk_microphone"
