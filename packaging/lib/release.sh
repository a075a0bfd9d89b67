# shellcheck shell=sh
# Shared by install-kiosk.sh and install-hub.sh (sourced, not run): Debian packages, the
# application's releases under /opt, file modes. POSIX sh; every function is idempotent.

say() {
    printf '%s\n' "$*"
}

fail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# apt_install PACKAGE...: install what is missing, quietly, without recommends.
apt_install() {
    missing=""
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $package"
        fi
    done
    if [ -n "$missing" ]; then
        say "Installing Debian packages:$missing"
        apt-get update -q
        # shellcheck disable=SC2086 # one word a package
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    fi
}

# system_user NAME HOME: a system user with its own group, no login shell, no other groups.
system_user() {
    if ! getent group "$1" >/dev/null; then
        groupadd --system "$1"
    fi
    if ! getent passwd "$1" >/dev/null; then
        useradd --system --gid "$1" --home-dir "$2" --no-create-home \
            --shell /usr/sbin/nologin --comment "$1" "$1"
    fi
}

# source_digest SOURCE: a short digest of what goes into a release, so that re-running the
# installer with the same source reuses the release and a changed source makes a new one.
source_digest() {
    (
        cd "$1" || exit 1
        find pyproject.toml protocol kiosk ui devices hub assets packaging/constraints.txt \
            -type f ! -name '*.pyc' ! -name '*.mo' ! -path '*/__pycache__/*' \
            | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12
    )
}

# project_version SOURCE: the version in pyproject.toml.
project_version() {
    sed -n 's/^version = "\(.*\)"$/\1/p' "$1/pyproject.toml" | head -n 1
}

# build_release SOURCE ROOT: a virtual environment with the application and its pinned
# dependencies in ROOT/releases/<version>-<digest>; prints that folder. A release that was
# built completely before is reused.
build_release() {
    source_dir=$1
    root=$2
    name="$(project_version "$source_dir")-$(source_digest "$source_dir")"
    release="$root/releases/$name"
    if [ -f "$release/.complete" ]; then
        say "$release"
        return 0
    fi
    mkdir -p "$root/releases"
    rm -rf "$release"
    python3 -m venv "$release" >&2
    "$release/bin/python" -m pip install -q --upgrade pip >&2
    # A non-editable install: the release does not depend on the source staying there.
    "$release/bin/python" -m pip install -q --no-cache-dir \
        --constraint "$source_dir/packaging/constraints.txt" "$source_dir" >&2
    # The catalogs compiled now, as root: the release is read-only to the services.
    "$release/bin/python" -c 'from kiosk.i18n import Translator
for language in ("zh_CN", "en"):
    Translator(language).gettext("")' >&2
    chmod -R go-w "$release"
    touch "$release/.complete"
    say "$release"
}

# point ROOT NAME RELEASE: the symlink ROOT/NAME -> RELEASE, swapped atomically.
point() {
    ln -sfn "releases/$(basename "$3")" "$1/.$2.new"
    mv -T "$1/.$2.new" "$1/$2"
}

# systemd_running: true on a booted system (false in a chroot or a container build).
systemd_running() {
    [ -d /run/systemd/system ]
}
