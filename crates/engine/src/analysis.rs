//! Drives the stages for one run: capture → packets → flows → messages → chains. The result,
//! [`Analysis`], is what every renderer reads. [`Analyzer`] is the same pipeline fed frame by
//! frame, for streams and live capture.

use crate::capture::{
    CaptureError, CaptureReader, DuplicateFilter, Frame, FrameOrigins, InputInfo, MergedCapture,
    Nanos,
};
use crate::chain::{
    Chain, ChainOptions, DirectorySession, Verdicts, build_running_chains, judge_clients,
};
use crate::flow::{Endpoint, TcpLimits, TcpTracker};
use crate::messages::{Collector, Exchanges, Warning, port_of_interest};
use crate::net::{Decoded, PacketDecoder, Transport, link_type_supported};
use crate::proto::ldap::DecodeOptions;
use crate::retirement::{Retired, Retirement, Retiring};
use crate::secrets::BindSecret;

/// Everything one run found.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub inputs: Vec<InputInfo>,
    /// Problems met while decoding, aggregated by kind (malformed packets, undecodable messages...).
    pub warnings: Vec<Warning>,
    pub exchanges: Exchanges,
    pub chains: Vec<Chain>,
    /// Clients with directory traffic but no Autodiscover lookup: outside the verdict.
    pub directory_sessions: Vec<DirectorySession>,
    /// Simple-bind passwords; always empty unless asked for with [`analyze_with`] (see
    /// [`crate::secrets`]).
    pub secrets: Vec<BindSecret>,
    /// With several inputs: each merged frame's file and its number there (frame numbers
    /// everywhere else are the merged ones); empty with one input. See [`crate::report::frames`].
    pub origins: FrameOrigins,
}

impl Analysis {
    /// Inputs that gave no complete packet because reading stopped early (a file cut inside
    /// its first record, a corrupt first record): nothing in them could be analysed, which is
    /// an input error (exit 2), not an empty capture. An intact capture of no packet is not one.
    pub fn unusable_inputs(&self) -> Vec<CaptureError> {
        self.inputs
            .iter()
            .filter(|i| i.packets == 0)
            .filter_map(|i| {
                let why = i.warnings.first()?;
                Some(CaptureError::new(
                    &i.path,
                    format!("no complete packet: {why}"),
                ))
            })
            .collect()
    }
}

/// Opens every path ("-" is standard input); the readable ones are analysed as one timeline and
/// each unreadable one is returned as an error.
pub fn analyze_paths(
    paths: &[std::path::PathBuf],
    opts: &ChainOptions,
) -> (Option<Analysis>, Vec<crate::capture::CaptureError>) {
    analyze_paths_with(paths, opts, DecodeOptions::default())
}

/// Opens every path ("-" is standard input) for reading: the readable inputs, and an error for
/// each unreadable one (including a pcap file whose one link type capdiag cannot decode).
pub fn open_inputs(paths: &[std::path::PathBuf]) -> (Vec<CaptureReader>, Vec<CaptureError>) {
    let mut readers = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match CaptureReader::open(p).and_then(refuse_unsupported_link_type) {
            Ok(r) => readers.push(r),
            Err(e) => errors.push(e),
        }
    }
    (readers, errors)
}

/// A pcap file has one link type for all its packets: if it cannot be decoded, nothing in the
/// file can, so say so up front instead of reporting an empty capture.
pub fn refuse_unsupported_link_type(r: CaptureReader) -> Result<CaptureReader, CaptureError> {
    match r.file_link_type() {
        Some(lt) if !link_type_supported(lt) => Err(CaptureError::new(
            &r.info().path,
            format!(
                "unsupported link type {lt} (capdiag reads Ethernet, Linux cooked SLL/SLL2, raw IP \
                 and BSD loopback captures)"
            ),
        )),
        _ => Ok(r),
    }
}

/// [`analyze_paths`] with the LDAP decoder's options (`--show-secrets` keeps passwords).
pub fn analyze_paths_with(
    paths: &[std::path::PathBuf],
    opts: &ChainOptions,
    decode: DecodeOptions,
) -> (Option<Analysis>, Vec<crate::capture::CaptureError>) {
    let (readers, errors) = open_inputs(paths);
    if readers.is_empty() {
        return (None, errors);
    }
    (
        Some(analyze_with(MergedCapture::new(readers), opts, decode)),
        errors,
    )
}

/// [`analyze_with`], handing out the verdicts of clients whose lookup is over while the
/// capture is still read ([`crate::retirement`]): memory follows the clients active at once.
/// The clients still there at the end are handed out too, in batches; the returned analysis
/// holds no chain, only the inputs, the warnings and the exchanges of the clients judged last.
pub fn analyze_streaming(
    mut capture: MergedCapture,
    opts: &ChainOptions,
    decode: DecodeOptions,
    rule: Retirement,
    on_retired: &mut dyn FnMut(Retired),
) -> Analysis {
    let mut analyzer = Analyzer::new(opts, decode).with_retirement(rule);
    while let Some(frame) = capture.next_frame() {
        analyzer.add_decryption_secrets(&capture.take_new_secrets());
        analyzer.push(frame);
        for retired in analyzer.take_retired() {
            on_retired(retired);
        }
    }
    let mut analysis = analyzer.finish_streaming(capture.inputs(), on_retired);
    analysis.origins = capture.take_origins();
    analysis
}

/// Runs the whole pipeline over one (merged) capture.
pub fn analyze(capture: MergedCapture, opts: &ChainOptions) -> Analysis {
    analyze_with(capture, opts, DecodeOptions::default())
}

/// [`analyze`] with the LDAP decoder's options.
pub fn analyze_with(
    mut capture: MergedCapture,
    opts: &ChainOptions,
    decode: DecodeOptions,
) -> Analysis {
    let mut analyzer = Analyzer::new(opts, decode);
    while let Some(frame) = capture.next_frame() {
        // A pcapng's key log (Decryption Secrets Block) comes before the packets it opens.
        analyzer.add_decryption_secrets(&capture.take_new_secrets());
        analyzer.push(frame);
    }
    let mut analysis = analyzer.finish(capture.inputs());
    analysis.origins = capture.take_origins();
    analysis
}

/// The pipeline fed one frame at a time, for streams and live capture: [`Analyzer::chains`]
/// judges what was seen so far without disturbing what is still buffered, and
/// [`Analyzer::finish`] gives exactly what [`analyze`] gives for the same frames.
///
/// A snapshot costs one pass of the chain stage over the exchanges kept so far (bounded per
/// client by [`crate::messages::collect::MAX_EXCHANGES_PER_CLIENT`]); nothing is decoded again, so taking
/// one after every batch of packets is affordable at live rates.
pub struct Analyzer {
    opts: ChainOptions,
    decoder: PacketDecoder,
    tcp: TcpTracker,
    collector: Collector,
    duplicates: DuplicateFilter,
    /// (frame, capture time) of every frame handed to the message stage, in frame order: what
    /// a snapshot needs to tell how long a stage has been waiting for its answer.
    times: Vec<(u64, Nanos)>,
    /// Only follow mode needs `times`: a file analysis keeps none (memory stays flat).
    track_times: bool,
    latest: Option<Nanos>,
    /// Some: clients whose lookup is over are judged and dropped as the capture is read.
    retiring: Option<Retiring>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("latest", &self.latest)
            .field("duplicates", &self.duplicates)
            .finish_non_exhaustive()
    }
}

impl Analyzer {
    pub fn new(opts: &ChainOptions, decode: DecodeOptions) -> Self {
        let mut collector = Collector::default();
        collector.decode_options = decode;
        // The domains the user named make their lookups matter from the first frame.
        collector.relevance = crate::messages::relevance::Relevance::with_domains(
            opts.domain.iter().chain(&opts.smtp_domain).cloned(),
        );
        if let Some(log) = &opts.tls_key_log {
            collector.add_tls_key_log(std::sync::Arc::clone(log));
        }
        if let Some(secrets) = &opts.ldap_secrets {
            collector.decryption = std::sync::Arc::clone(secrets);
        }
        Analyzer {
            opts: opts.clone(),
            decoder: PacketDecoder::new(),
            tcp: TcpTracker::new(TcpLimits::default()),
            collector,
            duplicates: DuplicateFilter::default(),
            times: Vec::new(),
            track_times: false,
            latest: None,
            retiring: None,
        }
    }

    /// Judges and drops the clients whose lookup is over while frames come
    /// ([`crate::retirement`]); [`Self::take_retired`] hands out their verdicts.
    pub fn with_retirement(mut self, rule: Retirement) -> Self {
        self.collector.track_activity();
        self.retiring = Some(Retiring::new(rule));
        self
    }

    /// The verdicts of the clients retired since the last call (none without retirement).
    pub fn take_retired(&mut self) -> Vec<Retired> {
        self.retiring
            .as_mut()
            .map(Retiring::take)
            .unwrap_or_default()
    }

    /// Also remember every frame's capture time, for [`Self::frame_ts`] (follow mode: how long
    /// a stage has waited). Costs 16 bytes per packet on the watched ports.
    pub fn with_frame_times(mut self) -> Self {
        self.track_times = true;
        self
    }

    /// Key logs read from the capture (pcapng Decryption Secrets Blocks): used for the
    /// TLS connections whose handshake comes after them.
    pub fn add_decryption_secrets(&mut self, blocks: &[crate::capture::DecryptionSecrets]) {
        if !blocks.is_empty() {
            self.collector.add_decryption_secrets(blocks);
        }
    }

    /// Takes the next frame (frames come in capture order, numbered by the caller).
    pub fn push(&mut self, frame: Frame) {
        let now = self.latest.map_or(frame.ts, |t| t.max(frame.ts));
        self.latest = Some(now);
        if let Some(retiring) = &mut self.retiring
            && retiring.due(now)
        {
            retiring.pass(&mut self.collector, &self.opts, now);
        }
        if self.duplicates.is_duplicate(&frame) {
            return;
        }
        let collector = &mut self.collector;
        collector.input = frame.input;
        let packet = match self.decoder.decode(&frame) {
            Decoded::Packet(p) => p,
            Decoded::Malformed(e) => {
                collector.warnings.add_kind(
                    frame.input,
                    format!("malformed packet: {}", e.kind()),
                    format!("malformed packet: {e}"),
                    frame.number,
                );
                return;
            }
            Decoded::Skipped | Decoded::FragmentHeld => return,
        };
        match &packet.transport {
            Transport::Udp {
                src_port,
                dst_port,
                payload,
            } if port_of_interest(*src_port, *dst_port) => {
                let src = Endpoint {
                    ip: packet.src,
                    port: *src_port,
                };
                let dst = Endpoint {
                    ip: packet.dst,
                    port: *dst_port,
                };
                if self.track_times {
                    self.times.push((packet.frame, packet.ts));
                }
                collector.udp(packet.frame, packet.ts, src, dst, payload);
            }
            Transport::Tcp(seg) => {
                if !tcp_of_interest(collector, packet.src, packet.dst, seg) {
                    return;
                }
                if self.track_times {
                    self.times.push((packet.frame, packet.ts));
                }
                self.tcp.segment(
                    packet.frame,
                    packet.ts,
                    packet.src,
                    packet.dst,
                    seg,
                    collector,
                );
            }
            _ => {}
        }
    }

    /// The latest capture time seen (None before the first frame).
    pub fn latest_ts(&self) -> Option<Nanos> {
        self.latest
    }

    /// Capture time of a frame that reached the message stage.
    pub fn frame_ts(&self, frame: u64) -> Option<Nanos> {
        self.times
            .binary_search_by_key(&frame, |(f, _)| *f)
            .ok()
            .and_then(|i| self.times.get(i))
            .map(|(_, ts)| *ts)
    }

    /// The chains judged from the exchanges so far, one per client with directory traffic
    /// whether or not it has shown an Autodiscover lookup yet (data still buffered in open TCP
    /// connections is not read yet; [`Self::finish`] reads it and tells chains from directory
    /// sessions).
    pub fn chains(&self) -> Vec<Chain> {
        build_running_chains(&self.collector.exchanges, &self.opts)
    }

    /// Everything so far as an [`Analysis`] (clones the exchanges; `inputs` is empty).
    pub fn snapshot(&self) -> Analysis {
        let verdicts = judge_clients(&self.collector.exchanges, &self.opts);
        Analysis {
            inputs: Vec::new(),
            warnings: self.collector.all_warnings(),
            exchanges: self.collector.exchanges.clone(),
            chains: verdicts.chains,
            directory_sessions: verdicts.directory_sessions,
            secrets: self.collector.secrets.clone(),
            origins: FrameOrigins::default(),
        }
    }

    /// End of input: reads what open connections still buffer and judges the chains. `inputs`
    /// describe the sources (see [`MergedCapture::inputs`]); the count of pktmon copies dropped
    /// is added to each one's warnings.
    pub fn finish(self, inputs: Vec<InputInfo>) -> Analysis {
        self.end_of_input(inputs, judge_clients)
    }

    /// [`Self::finish`] for a streamed analysis: the clients left are handed to `on_retired`
    /// in batches as they are judged instead of being collected (see
    /// [`crate::retirement::FINAL_BATCH`]); the analysis returned has no chain.
    pub fn finish_streaming(
        mut self,
        inputs: Vec<InputInfo>,
        on_retired: &mut dyn FnMut(Retired),
    ) -> Analysis {
        // The clients that left before the end come first, in the order they left.
        if let Some(retiring) = &mut self.retiring {
            for retired in retiring.take_all() {
                on_retired(retired);
            }
        }
        self.end_of_input(inputs, |ex, opts| {
            Retiring::retire_all(ex, opts, on_retired);
            Verdicts::default()
        })
    }

    /// Reads what open connections still buffer, adds the end-of-input warnings, and judges
    /// the clients with `judge`.
    fn end_of_input(
        mut self,
        mut inputs: Vec<InputInfo>,
        judge: impl FnOnce(&Exchanges, &ChainOptions) -> Verdicts,
    ) -> Analysis {
        let collector = &mut self.collector;
        self.tcp.finish(collector);
        collector.finish_decryption();
        for (link_type, count) in self.decoder.unsupported_link_types() {
            for _ in 0..*count {
                collector.warnings.add(
                    0,
                    format!("frames with unsupported link type {link_type} skipped"),
                    0,
                );
            }
        }
        for (i, input) in inputs.iter_mut().enumerate() {
            let n = self.duplicates.dropped(i);
            if n > 0 {
                input.warnings.push(DuplicateFilter::warning(n));
            }
        }
        let verdicts = judge(&collector.exchanges, &self.opts);
        Analysis {
            inputs,
            warnings: self.collector.all_warnings(),
            exchanges: self.collector.exchanges,
            chains: verdicts.chains,
            directory_sessions: verdicts.directory_sessions,
            secrets: self.collector.secrets,
            origins: FrameOrigins::default(),
        }
    }
}

/// Whether a TCP segment is read: a port of interest, or LDAP found by its content on another
/// port (the segment that shows it teaches the collector its server).
fn tcp_of_interest(
    collector: &mut Collector,
    src: std::net::IpAddr,
    dst: std::net::IpAddr,
    seg: &crate::net::TcpSegment<'_>,
) -> bool {
    if port_of_interest(seg.src_port, seg.dst_port) {
        return true;
    }
    let (a, b) = (
        Endpoint {
            ip: src,
            port: seg.src_port,
        },
        Endpoint {
            ip: dst,
            port: seg.dst_port,
        },
    );
    if collector.is_learned_ldap(a, b) {
        return true;
    }
    if !seg.payload.is_empty() && crate::messages::sniff::looks_like_ldap_request(&seg.payload) {
        collector.learn_ldap_server(b);
        return true;
    }
    false
}
