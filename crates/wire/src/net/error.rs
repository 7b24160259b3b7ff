//! What can be wrong with a frame below TCP/UDP: the layer it was found in and the kind of
//! problem. The text names both (`ipv4: header truncated (12 of 20 bytes)`); [`NetError::kind`]
//! leaves out the numbers from the capture, so warnings can be counted by kind.

use thiserror::Error;

/// The layer a problem was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Ethernet,
    Vlan,
    Sll,
    Sll2,
    Null,
    Loop,
    Nflog,
    RawIp,
    Ipv4,
    Ipv6,
    Udp,
    Tcp,
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Layer::Ethernet => "ethernet",
            Layer::Vlan => "vlan",
            Layer::Sll => "sll",
            Layer::Sll2 => "sll2",
            Layer::Null => "null",
            Layer::Loop => "loop",
            Layer::Nflog => "nflog",
            Layer::RawIp => "raw ip",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Udp => "udp",
            Layer::Tcp => "tcp",
        })
    }
}

/// Why a frame could not be decoded. The variant (with the layer) is the kind of warning.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NetError {
    /// A header (or part of one) shorter than its layer needs.
    #[error("{layer}: {what} truncated ({len} of {required} bytes)")]
    Truncated {
        layer: Layer,
        /// Which part: `header`, `tag`, `fragment header`...
        what: String,
        len: usize,
        required: usize,
    },
    /// A field whose value the layer does not allow.
    #[error("{layer}: {reason}")]
    Malformed { layer: Layer, reason: String },
    /// A fragment that reassembly refused.
    #[error("{layer} fragment: {reason}")]
    Fragment { layer: Layer, reason: String },
}

impl NetError {
    pub(crate) fn truncated(layer: Layer, what: &str, len: usize, required: usize) -> Self {
        NetError::Truncated {
            layer,
            what: what.to_string(),
            len,
            required,
        }
    }

    pub(crate) fn malformed(layer: Layer, reason: impl Into<String>) -> Self {
        NetError::Malformed {
            layer,
            reason: reason.into(),
        }
    }

    /// etherparse's length error, for `what` of `layer`.
    pub(crate) fn from_len(layer: Layer, what: &str, e: &etherparse::err::LenError) -> Self {
        Self::truncated(layer, what, e.len, e.required_len)
    }

    /// The kind of problem, without the numbers the capture put in the text: what warnings
    /// are counted by (e.g. `ipv4: header truncated`, `tcp: invalid header`).
    pub fn kind(&self) -> String {
        match self {
            NetError::Truncated { layer, what, .. } => format!("{layer}: {what} truncated"),
            NetError::Malformed { layer, .. } => format!("{layer}: invalid header"),
            NetError::Fragment { layer, .. } => format!("{layer} fragment refused"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_has_the_numbers_and_kind_does_not() {
        let a = NetError::truncated(Layer::Ipv4, "header", 12, 20);
        let b = NetError::truncated(Layer::Ipv4, "header", 3, 20);
        assert_eq!(a.to_string(), "ipv4: header truncated (12 of 20 bytes)");
        assert_eq!(a.kind(), b.kind());
        let c = NetError::malformed(Layer::Tcp, "data offset 2 < 5");
        assert_eq!(c.to_string(), "tcp: data offset 2 < 5");
        assert_ne!(c.kind(), a.kind());
        let f = NetError::Fragment {
            layer: Layer::Ipv6,
            reason: "x".into(),
        };
        assert_eq!(f.to_string(), "ipv6 fragment: x");
    }
}
