#!/bin/sh
# Turn a fresh Debian 12 machine into a locked-down mediation room kiosk, in one command:
#
#   sudo packaging/install-kiosk.sh [--hub URL --code CODE] [--source DIR]
#
# It installs the Debian packages, makes the kiosk user (its only extra group is
# kiosk-devices: the camera, sound and the printer), builds the application into a virtual
# environment under /opt/mediation-kiosk/releases with pinned versions, installs the kiosk
# session (cage on tty7), its units, the udev rules and the PAM stack, and enables them.
# With --hub and --code it enrolls the kiosk. Re-running it upgrades: the new version is
# staged and goes in between visits (or in the room's night window), keeping the previous
# one to roll back to. Environment: KIOSK_ROOT (/opt/mediation-kiosk), KIOSK_DATA_DIR
# (/var/lib/mediation-kiosk), KIOSK_ETC (/etc/mediation-kiosk) for trying it elsewhere.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/release.sh
. "$here/lib/release.sh"

source_dir=$(cd "$here/.." && pwd)
hub=""
code=""
while [ $# -gt 0 ]; do
    case $1 in
        --hub) hub=${2:?--hub needs the hub address}; shift 2 ;;
        --code) code=${2:?--code needs the enrollment code}; shift 2 ;;
        --source) source_dir=${2:?--source needs a folder}; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) fail "unknown option $1 (see --help)" ;;
    esac
done
if [ -n "$hub" ] && [ -z "$code" ] || [ -z "$hub" ] && [ -n "$code" ]; then
    fail "--hub and --code go together"
fi
[ "$(id -u)" = 0 ] || fail "run as root (sudo $0)"

root=${KIOSK_ROOT:-/opt/mediation-kiosk}
data_dir=${KIOSK_DATA_DIR:-/var/lib/mediation-kiosk}
etc=${KIOSK_ETC:-/etc/mediation-kiosk}

# The kiosk session, Python, the fonts with Mandarin glyphs (and the rare characters of
# names: Hanazono, BabelStone Han; Unihan for the character finder), what Qt's wheels draw on
# (Wayland under cage; Debian's cage will not start without Xwayland), speech, sound and
# printing.
apt_install cage xwayland python3 python3-venv ca-certificates dbus systemd udev \
    fonts-noto-cjk fonts-hanazono fonts-babelstone-han unicode-data \
    libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 \
    libwayland-client0 libwayland-cursor0 libwayland-egl1 \
    espeak-ng libportaudio2 libsndfile1 libasound2 cups cups-client cups-bsd

system_user kiosk "$data_dir"
if ! getent group kiosk-devices >/dev/null; then
    groupadd --system kiosk-devices
fi
# The camera, sound and the printer; no sudo, no disk, no other device group.
usermod --groups kiosk-devices kiosk

say "Building the kiosk from $source_dir"
release=$(build_release "$source_dir" "$root")
say "Release: $release"

# The data directory holds the credential and the visitors' complaints until the hub has
# them: the kiosk user alone may enter it, and its files are for that user alone.
install -d -o kiosk -g kiosk -m 0700 "$data_dir"
find "$data_dir" -xdev \( -type d -exec chmod 0700 {} + \) -o \( -type f -exec chmod 0600 {} + \)
chown -R kiosk:kiosk "$data_dir"
install -d -o root -g kiosk -m 0750 "$etc"
if [ ! -e "$etc/kiosk.toml" ]; then
    cat > "$etc/kiosk.toml" <<TOML
# The kiosk's settings (README: Settings). The data directory comes from KIOSK_DATA_DIR.
devices = "real"
printer = "cups"
TOML
fi
chown root:kiosk "$etc/kiosk.toml"
chmod 0640 "$etc/kiosk.toml"

# The session, the units, the device rules; no getty on other terminals, no magic SysRq.
install -D -m 0644 "$here/pam/mediation-kiosk" /etc/pam.d/mediation-kiosk
for unit in mediation-kiosk.service mediation-kiosk-crashed.service \
    mediation-kiosk-update.service mediation-kiosk-update.timer; do
    install -D -m 0644 "$here/systemd/$unit" "/etc/systemd/system/$unit"
done
install -D -m 0644 "$here/udev/70-mediation-kiosk.rules" /etc/udev/rules.d/70-mediation-kiosk.rules
install -d /etc/systemd/logind.conf.d /etc/sysctl.d
printf '[Login]\nNAutoVTs=0\nReserveVT=0\n' > /etc/systemd/logind.conf.d/mediation-kiosk.conf
printf 'kernel.sysrq = 0\n' > /etc/sysctl.d/90-mediation-kiosk.conf

systemctl enable mediation-kiosk.service mediation-kiosk-update.timer
systemctl set-default graphical.target
# No console login and no keyboard reboot: the keys belong to the kiosk alone.
systemctl mask getty@tty1.service autovt@.service ctrl-alt-del.target

if [ ! -L "$root/current" ]; then
    point "$root" current "$release"
    first=yes
elif [ "$(readlink -f "$root/current")" = "$(readlink -f "$release")" ]; then
    say "This version is already in place."
    first=""
else
    # An upgrade: staged; the update service puts it in between visits.
    point "$root" pending "$release"
    say "The new version is staged; it goes in when no visit is in progress."
    first=""
fi

if [ -n "$hub" ]; then
    runuser -u kiosk -- env KIOSK_DATA_DIR="$data_dir" \
        "$root/current/bin/mediation-kiosk" enroll --hub "$hub" --code "$code"
fi

if systemd_running; then
    systemctl daemon-reload
    udevadm control --reload
    udevadm trigger --subsystem-match=video4linux --subsystem-match=sound \
        --subsystem-match=usbmisc --subsystem-match=usb
    if [ -n "$first" ]; then
        systemctl restart mediation-kiosk.service
    elif [ -L "$root/pending" ]; then
        systemctl start --no-block mediation-kiosk-update.service
    fi
    systemctl start mediation-kiosk-update.timer
fi
say "The kiosk is installed: $(readlink "$root/current")."
