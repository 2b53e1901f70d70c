# need.sh - sourced by the check scripts: install a missing Debian package
# (as root), or name it and stop.  Callers run with `set -eu`.

# install_packages WHO PACKAGE...: apt-get install as root; otherwise print
# the command to run, on standard error, and exit 1.  WHO prefixes messages.
install_packages() {
    who=$1
    shift
    if [ "$(id -u)" = 0 ]; then
        echo "$who: installing $*"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "$who: needs the Debian package(s) $*; run: sudo apt-get install $*" >&2
        exit 1
    fi
}

# need WHO COMMAND PACKAGE: install PACKAGE when COMMAND is not on PATH.
need() {
    command -v "$2" >/dev/null 2>&1 || install_packages "$1" "$3"
}
