//! Host names for addresses, as the capture's own DNS answers gave them, so recipes can name a
//! server the way an admin would type it: the timeline's one table.

pub use crate::timeline::host_names;
