//! RFC 4120 section 7.5.1 and RFC 4121 section 2 key usage numbers, named for the message they
//! protect, so the engine says which one it decrypts.

/// AS-REQ PA-ENC-TIMESTAMP, with the client's long-term key.
pub const PA_ENC_TIMESTAMP: u32 = 1;
/// A ticket's EncTicketPart, with the service's long-term key (the keytab key).
pub const TICKET: u32 = 2;
/// The AS-REP EncASRepPart, with the client's long-term key.
pub const AS_REP_ENC_PART: u32 = 3;
/// A TGS-REQ's PA-TGS-REQ authenticator (holding the TGS subkey), with the TGT session key.
pub const TGS_REQ_AUTHENTICATOR: u32 = 7;
/// The TGS-REP EncTGSRepPart, with the TGT session key.
pub const TGS_REP_ENC_PART_SESSION_KEY: u32 = 8;
/// The TGS-REP EncTGSRepPart, with the TGS-REQ authenticator subkey.
pub const TGS_REP_ENC_PART_SUBKEY: u32 = 9;
/// An AP-REQ Authenticator (holding the client's subkey), with the ticket's session key.
pub const AP_REQ_AUTHENTICATOR: u32 = 11;
/// The AP-REP EncAPRepPart (holding the server's subkey), with the ticket's session key.
pub const AP_REP_ENC_PART: u32 = 12;
/// RFC 4121 wrap token sealed by the acceptor.
pub const ACCEPTOR_SEAL: u32 = 22;
/// RFC 4121 wrap or MIC token signed by the acceptor.
pub const ACCEPTOR_SIGN: u32 = 23;
/// RFC 4121 wrap token sealed by the initiator.
pub const INITIATOR_SEAL: u32 = 24;
/// RFC 4121 wrap or MIC token signed by the initiator.
pub const INITIATOR_SIGN: u32 = 25;
/// RFC 6113 KrbFastResponse in a FAST-armored KDC reply, with the armor key.
pub const FAST_REP: u32 = 52;
