#!/usr/bin/env bash
# The project's test command (README, .ci/run). Installs missing prerequisites where it
# can, then runs: cargo fmt --check, cargo clippy -D warnings, and the whole test suite.
# Under CI=true a missing prerequisite is a failure, never a silent skip.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Reference material (real bank files, official XSDs) read by some tests, never copied.
export BANKGATE_SHARED="${BANKGATE_SHARED:-$(cd .. && pwd)/shared}"

apt_updated=0
# need COMMAND DEBIAN_PACKAGE: install the package when the command is missing.
need() {
    local cmd=$1 pkg=$2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: installing $pkg for $cmd"
        if [ "$apt_updated" = 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt_updated=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
    fi
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "test.sh: prerequisite '$cmd' (Debian package $pkg) is missing and could not be installed" >&2
        exit 1
    fi
}

for tool in cargo rustfmt cargo-clippy; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "test.sh: the Rust toolchain ($tool) is missing" >&2
        exit 1
    fi
done
# Commands the test suite runs, with the Debian package that provides each.
# SFTP tests and benches: OpenSSH sshd on 127.0.0.1 (absolute path: /usr/sbin may be
# missing from a CI user's PATH), ssh-keygen for keys, sftp for the bench comparison.
PREREQS=("xmllint:libxml2-utils" "systemd-analyze:systemd" "/usr/sbin/sshd:openssh-server"
    "ssh-keygen:openssh-client" "sftp:openssh-client" "sha256sum:coreutils")
for entry in "${PREREQS[@]}"; do
    need "${entry%%:*}" "${entry#*:}"
done

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --locked
