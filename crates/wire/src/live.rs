//! Live capture (cargo feature `live`, libpcap through the `pcap` crate): opens an interface
//! with a BPF filter, reads packets on a thread of its own and sends them as numbered
//! [`Frame`]s, optionally writing them to a pcap file, until asked to stop or the duration ends.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::capture::{Frame, InputInfo, InputWarning, Nanos};

/// The default capture filter: DNS, Kerberos, LDAP/CLDAP, global catalog (plain and TLS),
/// LDAPS, HTTP and HTTPS, plus IPv4 fragments after the first (they carry no port, and a large
/// Kerberos or CLDAP datagram needs them).
pub const DEFAULT_FILTER: &str = "port 53 or port 88 or port 389 or port 3268 or port 3269 \
                                  or port 636 or port 80 or port 443 \
                                  or (ip and ip[6:2] & 0x1fff != 0)";

/// How long the reader sleeps when no packet is waiting. The capture is non-blocking because a
/// blocking read on Linux may wait forever for the first packet (pcap(3PCAP): the read timeout
/// may not start before a packet arrives), and Ctrl-C or --duration must not wait for one.
const IDLE_SLEEP: Duration = Duration::from_millis(5);

/// Bytes kept of each packet: whole packets.
const SNAPLEN: i32 = 262_144;

/// What to capture.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    pub interface: String,
    pub filter: String,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Also write every captured packet to this file (classic pcap, microsecond timestamps).
    pub write: Option<PathBuf>,
}

/// A running capture: frames arrive on the channel given to [`start`]; `stop` ends it.
pub struct Live {
    pub stop: Arc<AtomicBool>,
    handle: JoinHandle<InputInfo>,
    /// The link type of the interface (LINKTYPE_*).
    pub link_type: u32,
}

impl Live {
    /// Waits for the reader to end (after `stop` or the duration) and describes the input.
    pub fn join(self) -> InputInfo {
        self.handle.join().unwrap_or_else(|_| InputInfo {
            path: String::new(),
            format: "live".into(),
            packets: 0,
            warnings: vec![InputWarning::LiveThreadLost],
            comments: Vec::new(),
            decryption_secrets: Vec::new(),
        })
    }
}

type Opened = (pcap::Capture<pcap::Active>, Option<pcap::Savefile>, u32);

fn open(opts: &LiveOptions) -> Result<Opened, String> {
    let iface = &opts.interface;
    let mut cap = pcap::Capture::from_device(iface.as_str())
        .and_then(|c| c.promisc(true).snaplen(SNAPLEN).immediate_mode(true).open())
        .and_then(|c| c.setnonblock())
        .map_err(|e| format!("cannot capture on {iface}: {e}"))?;
    cap.filter(&opts.filter, true)
        .map_err(|e| format!("capture filter {:?}: {e}", opts.filter))?;
    let save = match &opts.write {
        Some(path) => Some(
            cap.savefile(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let link_type = u32::try_from(cap.get_datalink().0).unwrap_or(0);
    Ok((cap, save, link_type))
}

/// Opens the interface (errors come back as one line) and starts reading on a thread.
pub fn start(opts: LiveOptions, tx: Sender<Frame>) -> Result<Live, String> {
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = mpsc::channel();
    let flag = Arc::clone(&stop);
    let handle = std::thread::spawn(move || {
        let mut info = InputInfo {
            path: format!("live:{}", opts.interface),
            format: "pcap (live)".into(),
            packets: 0,
            warnings: Vec::new(),
            comments: Vec::new(),
            decryption_secrets: Vec::new(),
        };
        let (mut cap, mut save, link_type) = match open(&opts) {
            Ok(o) => o,
            Err(e) => {
                let _ = ready_tx.send(Err(e));
                return info;
            }
        };
        let _ = ready_tx.send(Ok(link_type));
        let deadline = opts.duration.and_then(|d| Instant::now().checked_add(d));
        while !flag.load(Ordering::Relaxed) && deadline.is_none_or(|d| Instant::now() < d) {
            let packet = match cap.next_packet() {
                Ok(p) => p,
                Err(pcap::Error::TimeoutExpired) => {
                    std::thread::sleep(IDLE_SLEEP);
                    continue;
                }
                Err(e) => {
                    let reason = e.to_string();
                    info.warnings.push(InputWarning::LiveStopped { reason });
                    break;
                }
            };
            if let Some(s) = save.as_mut() {
                s.write(&packet);
            }
            info.packets = info.packets.saturating_add(1);
            let h = packet.header;
            let ts = Nanos::from(h.ts.tv_sec)
                .saturating_mul(1_000_000_000)
                .saturating_add(Nanos::from(h.ts.tv_usec).saturating_mul(1_000));
            let frame = Frame {
                number: info.packets,
                input: 0,
                ts,
                link_type,
                orig_len: h.len,
                data: packet.data.to_vec(),
            };
            if tx.send(frame).is_err() {
                break;
            }
        }
        if let Some(Err(e)) = save.as_mut().map(pcap::Savefile::flush) {
            let reason = e.to_string();
            info.warnings.push(InputWarning::SaveFailed { reason });
        }
        if let Ok(s) = cap.stats()
            && (s.dropped > 0 || s.if_dropped > 0)
        {
            let count = u64::from(s.dropped).saturating_add(u64::from(s.if_dropped));
            info.warnings.push(InputWarning::KernelDrops { count });
        }
        info
    });
    match ready_rx.recv() {
        Ok(Ok(link_type)) => Ok(Live {
            stop,
            handle,
            link_type,
        }),
        Ok(Err(e)) => {
            let _ = handle.join();
            Err(e)
        }
        Err(_) => Err("the capture thread stopped unexpectedly".into()),
    }
}
