//! The connection table: values found by [`TupleKey`] in O(1), kept on a recency list so the
//! least recently active one can be found and evicted in O(1).

use std::collections::HashMap;

use super::key::TupleKey;

/// Marks the end of the recency list.
const NIL: usize = usize::MAX;

struct Slot<V> {
    key: TupleKey,
    /// Towards the most recently active end.
    newer: usize,
    /// Towards the least recently active end.
    older: usize,
    value: Option<V>,
}

/// A hash map with an intrusive recency list over a slab of slots.
pub(crate) struct Table<V> {
    index: HashMap<TupleKey, usize, foldhash::fast::RandomState>,
    slots: Vec<Slot<V>>,
    free: Vec<usize>,
    newest: usize,
    oldest: usize,
}

impl<V> Table<V> {
    pub(crate) fn new() -> Self {
        Self {
            index: HashMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            newest: NIL,
            oldest: NIL,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// The slot holding `key`, if any.
    pub(crate) fn find(&self, key: &TupleKey) -> Option<usize> {
        self.index.get(key).copied()
    }

    pub(crate) fn get(&self, slot: usize) -> Option<&V> {
        self.slots.get(slot).and_then(|s| s.value.as_ref())
    }

    pub(crate) fn get_mut(&mut self, slot: usize) -> Option<&mut V> {
        self.slots.get_mut(slot).and_then(|s| s.value.as_mut())
    }

    /// The least recently active slot.
    pub(crate) fn oldest(&self) -> Option<usize> {
        (self.oldest != NIL).then_some(self.oldest)
    }

    /// The slot next more recently active than `at`.
    pub(crate) fn newer(&self, at: usize) -> Option<usize> {
        self.slots.get(at).map(|s| s.newer).filter(|&n| n != NIL)
    }

    /// Every occupied slot, in no particular order.
    pub(crate) fn slots(&self) -> impl Iterator<Item = usize> + '_ {
        self.index.values().copied()
    }

    /// Adds `value` under `key` (which must not be present) as the most recently active.
    pub(crate) fn insert(&mut self, key: TupleKey, value: V) -> usize {
        let slot = Slot {
            key,
            newer: NIL,
            older: NIL,
            value: Some(value),
        };
        let at = match self.free.pop() {
            Some(at) => {
                if let Some(s) = self.slots.get_mut(at) {
                    *s = slot;
                }
                at
            }
            None => {
                let at = self.slots.len();
                self.slots.push(slot);
                at
            }
        };
        self.index.insert(key, at);
        self.link_newest(at);
        at
    }

    /// Removes the slot and returns its value.
    pub(crate) fn remove(&mut self, at: usize) -> Option<V> {
        let key = self.slots.get(at)?.key;
        self.unlink(at);
        self.index.remove(&key);
        self.free.push(at);
        self.slots.get_mut(at).and_then(|s| s.value.take())
    }

    /// Marks the slot as the most recently active.
    pub(crate) fn touch(&mut self, at: usize) {
        if self.newest != at {
            self.unlink(at);
            self.link_newest(at);
        }
    }

    /// Removes every slot.
    pub(crate) fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
        self.free.clear();
        self.newest = NIL;
        self.oldest = NIL;
    }

    fn link_newest(&mut self, at: usize) {
        let old_newest = self.newest;
        if let Some(s) = self.slots.get_mut(at) {
            s.newer = NIL;
            s.older = old_newest;
        }
        match self.slots.get_mut(old_newest) {
            Some(prev) => prev.newer = at,
            None => self.oldest = at,
        }
        self.newest = at;
    }

    fn unlink(&mut self, at: usize) {
        let Some(s) = self.slots.get(at) else {
            return;
        };
        let (newer, older) = (s.newer, s.older);
        match self.slots.get_mut(newer) {
            Some(n) => n.older = older,
            None => self.newest = older,
        }
        match self.slots.get_mut(older) {
            Some(o) => o.newer = newer,
            None => self.oldest = newer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::Endpoint;
    use std::net::{IpAddr, Ipv4Addr};

    fn key(port: u16) -> TupleKey {
        let a = Endpoint {
            ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            port,
        };
        let b = Endpoint {
            ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
            port: 443,
        };
        TupleKey::new(a, b).0
    }

    fn drain_oldest_first(t: &mut Table<u16>) -> Vec<u16> {
        let mut out = Vec::new();
        while let Some(at) = t.oldest() {
            out.push(t.remove(at).unwrap());
        }
        out
    }

    #[test]
    fn touch_reorders_and_remove_reuses_slots() {
        let mut t = Table::new();
        let a = t.insert(key(1), 1);
        let b = t.insert(key(2), 2);
        let c = t.insert(key(3), 3);
        assert_eq!(t.oldest(), Some(a));
        t.touch(a);
        assert_eq!(t.oldest(), Some(b));
        assert_eq!(t.remove(c), Some(3));
        assert_eq!(t.find(&key(3)), None);
        let d = t.insert(key(4), 4);
        assert_eq!(d, c, "freed slot reused");
        assert_eq!(t.len(), 3);
        assert_eq!(t.find(&key(4)), Some(d));
        assert_eq!(drain_oldest_first(&mut t), vec![2, 1, 4]);
        assert_eq!(t.len(), 0);
        assert_eq!(t.oldest(), None);
    }

    #[test]
    fn touching_the_oldest_of_two_swaps_them() {
        let mut t = Table::new();
        let a = t.insert(key(1), 1);
        t.insert(key(2), 2);
        t.touch(a);
        t.touch(a);
        assert_eq!(drain_oldest_first(&mut t), vec![2, 1]);
    }
}
