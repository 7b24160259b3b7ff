#!/usr/bin/env bash
# Extra dependencies of make-samples-v2.sh (root, Debian 12), on top of install-deps.sh.
#  - faketime (libfaketime: the clock-skew scenario), socat (ldap-other-port)
#  - ldap3 and impacket from PyPI for /usr/bin/python3 (the interpreter that has
#    Debian's python3-samba), installed with pip --break-system-packages
#  - Heimdal's kinit WITHOUT removing MIT krb5-user: Debian's heimdal-clients conflicts
#    with krb5-user (same binary names), so only its shared libraries are installed
#    (they coexist with MIT's) and the heimdal-clients .deb is unpacked into
#    /opt/heimdal-clients; make-samples-v2.sh runs /opt/heimdal-clients/usr/bin/kinit.heimdal.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-deps-v2.sh: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends faketime socat \
  libroken19-heimdal libasn1-8-heimdal libheimbase1-heimdal libhcrypto5-heimdal \
  libwind0-heimdal libhx509-5-heimdal libkrb5-26-heimdal libheimntlm0-heimdal \
  libgssapi3-heimdal libhdb9-heimdal libkadm5clnt7-heimdal libkadm5srv8-heimdal \
  libkafs0-heimdal libotp0-heimdal libsl0-heimdal libedit2
tmp=$(mktemp -d); chmod 755 "$tmp"
( cd "$tmp" && apt-get download heimdal-clients )
rm -rf /opt/heimdal-clients
dpkg -x "$tmp"/heimdal-clients_*.deb /opt/heimdal-clients
rm -rf "$tmp"
/opt/heimdal-clients/usr/bin/kinit.heimdal --version
/usr/bin/python3 -m pip install --break-system-packages ldap3 impacket
