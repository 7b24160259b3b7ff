//! The diagram's model: the parties (lifelines), the messages between them with how each is
//! drawn, the notes and stage headings, in diagram order. Built by [`super::sequence`] from the
//! engine's timeline; the roles and stage headings are the timeline's.

use std::net::IpAddr;

use crate::timeline::Judged;
pub use crate::timeline::{Role, StageHead};

/// One lifeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub role: Role,
    pub ip: IpAddr,
    /// The DNS name the capture gave (for a web host: the name the client looked up).
    pub name: Option<String>,
}

impl Party {
    /// One line for people: "Web host mail.contoso.test (10.99.0.3)".
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{} {n} ({})", self.role.title(), self.ip),
            None => format!("{} {}", self.role.title(), self.ip),
        }
    }
}

/// How a message is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ok,
    /// Evidence of a failure a fallback made good, or of a failed fallback.
    Failed,
    /// Evidence of the failure the verdict names: the chain broke here.
    Break,
    /// Traffic wrapped in a SASL security layer.
    Sealed,
}

impl From<Judged> for Mark {
    fn from(j: Judged) -> Mark {
        match j {
            Judged::Ok => Mark::Ok,
            Judged::Failed => Mark::Failed,
            Judged::Break => Mark::Break,
            Judged::Sealed => Mark::Sealed,
        }
    }
}

impl Mark {
    pub fn id(self) -> &'static str {
        match self {
            Mark::Ok => "ok",
            Mark::Failed => "failed",
            Mark::Break => "break",
            Mark::Sealed => "sealed",
        }
    }
}

/// One arrow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub from: usize,
    pub to: usize,
    pub label: String,
    /// The frames that carried it, first one first.
    pub frames: Vec<u64>,
    /// An answer to an earlier message (drawn dashed).
    pub reply: bool,
    pub mark: Mark,
    pub stage: Option<StageHead>,
}

/// A finding shown next to the message that proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub mark: Mark,
    /// The parties it spans (the message's two ends, or the client alone).
    pub from: usize,
    pub to: usize,
    pub code: String,
    pub summary: String,
    pub frames: Vec<u64>,
}

/// A row of the diagram, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// The messages below belong to this stage (until the next `Stage`).
    Stage(StageHead),
    Message(Message),
    Note(Note),
}

/// One chain's diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    pub client: IpAddr,
    pub parties: Vec<Party>,
    pub items: Vec<Item>,
}

impl Sequence {
    pub fn messages(&self) -> impl Iterator<Item = &Message> {
        self.items.iter().filter_map(|i| match i {
            Item::Message(m) => Some(m),
            _ => None,
        })
    }
}
