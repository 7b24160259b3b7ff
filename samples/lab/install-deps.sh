#!/usr/bin/env bash
# Installs the Debian packages that make-samples.sh needs (root, Debian 12).
# --no-install-recommends keeps libnss-winbind/libpam-winbind out (they would edit
# /etc/nsswitch.conf); the AD DC parts samba needs are listed explicitly.
# Run it by hand once; make-samples.sh only checks for the tools and never installs.
#
# Note: on a host WITH systemd, installing samba, winbind and nginx starts the
# host's own samba/nginx services. make-samples.sh does not use them (it runs
# private daemons inside network namespaces); stop/disable them if unwanted.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-deps.sh: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  samba krb5-user winbind ldap-utils dnsutils tcpdump nginx curl \
  libsasl2-modules-gssapi-mit iproute2 nftables openssl \
  samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules
# Optional, only to inspect/check captures (capdiag does not need it):
if [ "${WITH_TSHARK:-1}" = 1 ]; then
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get install -y --no-install-recommends tshark
fi
