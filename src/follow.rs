//! Following a capture as it grows (`analyze --follow`, `live`): frames arrive on a channel from
//! a reader thread, go into an [`Analyzer`], and after each batch the chains are judged again
//! and the [`Follower`] turns what changed into lines handed to the caller (who prints them).

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::analysis::Analyzer;
use crate::capture::{Frame, Nanos};
use crate::chain::pending::Clock;
use crate::report::follow::Follower;

/// Most frames taken into one batch before the chains are judged again: at high rates batches
/// grow to this (one chain pass per batch), at low rates every frame is judged at once.
pub const MAX_BATCH: usize = 256;

/// How often the chains are judged again while no frame comes (live only: a capture clock does
/// not move without frames).
const IDLE_TICK: Duration = Duration::from_millis(200);

/// Which clock says how long a stage has waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockKind {
    /// The capture time of the latest frame (a stream replayed at any speed judges the same).
    Capture,
    /// The wall clock, at least the latest frame's time (a live capture, whose timestamps are
    /// wall-clock times, must judge a silent wait even when no frame comes).
    Wall,
}

/// How to follow.
#[derive(Debug, Clone, Copy)]
pub struct FollowOptions {
    /// How long a client waits for an answer before the stage counts as failed.
    pub wait: Nanos,
    pub clock: ClockKind,
}

fn wall_now() -> Nanos {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| Nanos::try_from(d.as_nanos()).unwrap_or(Nanos::MAX))
}

/// The lines for what changed in the chains at this moment.
pub fn judge_now(analyzer: &Analyzer, follower: &mut Follower, opts: FollowOptions) -> Vec<String> {
    let latest = analyzer.latest_ts();
    let now = match opts.clock {
        ClockKind::Capture => latest,
        ClockKind::Wall => Some(latest.unwrap_or(Nanos::MIN).max(wall_now())),
    };
    let Some(now) = now else {
        return Vec::new();
    };
    let clock = Clock {
        now,
        wait: opts.wait,
    };
    follower.update(&analyzer.chains(), Some(clock), &|f| analyzer.frame_ts(f))
}

/// Feeds every frame from `rx` into `analyzer` until the sender hangs up, giving `emit` each
/// event line as soon as it is known. Stops early with the error `emit` returns (e.g. a closed
/// standard output).
pub fn run<E>(
    rx: &Receiver<Frame>,
    analyzer: &mut Analyzer,
    follower: &mut Follower,
    opts: FollowOptions,
    emit: &mut dyn FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    loop {
        let first = match rx.recv_timeout(IDLE_TICK) {
            Ok(frame) => frame,
            Err(RecvTimeoutError::Timeout) => {
                if opts.clock == ClockKind::Wall {
                    for line in judge_now(analyzer, follower, opts) {
                        emit(&line)?;
                    }
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        analyzer.push(first);
        for _ in 1..MAX_BATCH {
            match rx.try_recv() {
                Ok(frame) => analyzer.push(frame),
                Err(_) => break,
            }
        }
        for line in judge_now(analyzer, follower, opts) {
            emit(&line)?;
        }
    }
}
