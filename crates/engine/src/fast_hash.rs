//! The hash maps of the engine's indexes: keys from the capture (addresses, connection ids,
//! DNS names) hashed with foldhash, several times faster than std's SipHash on them. The maps
//! index what the capture holds; they decide no order that reaches an output.

use std::collections::{HashMap, HashSet};

pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;
