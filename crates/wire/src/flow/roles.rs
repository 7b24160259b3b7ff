//! Guessing which end of a connection is the server when its SYN was not captured.

use super::Endpoint;

/// Ports of the services an Autodiscover lookup talks to (DNS, Kerberos, LDAP, LDAPS, Global
/// Catalog, HTTPS, HTTP, SMB, kpasswd): a side using one of them is taken for the server.
const SERVICE_PORTS: [u16; 10] = [53, 88, 389, 636, 3268, 3269, 443, 80, 445, 464];

/// Ports below this are privileged: a side using one, lower than its peer's, is the server.
const PRIVILEGED_PORT_LIMIT: u16 = 1024;

fn looks_like_service(port: u16, peer: u16) -> bool {
    (port < peer && port < PRIVILEGED_PORT_LIMIT) || SERVICE_PORTS.contains(&port)
}

/// Whether `dst` (rather than `src`) is the server of a connection first seen with a segment
/// `src` → `dst`: the side with a well-known service port, else the lower port, else `dst`.
pub(crate) fn dst_is_server(src: Endpoint, dst: Endpoint) -> bool {
    match (
        looks_like_service(src.port, dst.port),
        looks_like_service(dst.port, src.port),
    ) {
        (true, false) => false,
        (false, true) => true,
        _ => dst.port <= src.port,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn ep(port: u16) -> Endpoint {
        Endpoint {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port,
        }
    }

    #[test]
    fn service_port_wins_either_way() {
        assert!(dst_is_server(ep(50000), ep(443)));
        assert!(!dst_is_server(ep(443), ep(50000)));
        // 3268 is a service even though it is above 1024.
        assert!(!dst_is_server(ep(3268), ep(2000)));
        // A privileged port lower than the peer's.
        assert!(dst_is_server(ep(5000), ep(993)));
    }

    #[test]
    fn otherwise_the_lower_port() {
        assert!(dst_is_server(ep(50000), ep(8080)));
        assert!(!dst_is_server(ep(8080), ep(50000)));
        // Both services: the lower port.
        assert!(!dst_is_server(ep(88), ep(389)));
        // Same port: the receiver.
        assert!(dst_is_server(ep(7000), ep(7000)));
    }
}
