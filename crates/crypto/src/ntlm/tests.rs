//! NTLM tests against MS-NLMP section 4.2.4 (NTLMv2 with user "User", domain "Domain",
//! password "Password", server challenge 01 23 45 67 89 ab cd ef, client challenge aa × 8,
//! random session key 55 × 16), plus multi-message round trips.

use super::*;
use crate::hashes::utf16le;
use crate::test_hex::hex;

const SERVER_CHALLENGE: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
/// The CHALLENGE message's NegotiateFlags, 33 82 8a e2 (KEY_EXCH, 128, ESS, SEAL, SIGN, ...).
const FLAGS: NegotiateFlags = NegotiateFlags(0xe28a_8233);
/// 4.2.4.1.3 `temp`: the NTLMv2 client challenge blob with the Domain/Server AV pairs.
const TEMP: &str = "01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000
                    02000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000";
const NT_PROOF_STR: &str = "68cd0ab851e51c96aabc927bebef6a1c";

fn ms_nlmp_exported_key() -> Secret16 {
    let ntowf = ntowf_v2("Password", "User", "Domain");
    let response = [hex(NT_PROOF_STR), hex(TEMP)].concat();
    let base = verify_ntlmv2_response(&ntowf, &SERVER_CHALLENGE, &response).unwrap();
    exported_session_key(&base, FLAGS, &hex("c5dad2544fc9799094ce1ce90bc9d03e")).unwrap()
}

#[test]
fn ms_nlmp_4_2_4_ntowfv2_and_session_base_key() {
    let ntowf = ntowf_v2("Password", "User", "Domain");
    assert_eq!(
        ntowf.bytes().to_vec(),
        hex("0c868a403bfd7a93a3001ef22ef02e3f")
    );
    assert_eq!(
        nt_hash("Password").bytes().to_vec(),
        hex("a4f49c406510bdcab6824ee7c30fd852")
    );
    let response = [hex(NT_PROOF_STR), hex(TEMP)].concat();
    let base = verify_ntlmv2_response(&ntowf, &SERVER_CHALLENGE, &response).unwrap();
    assert_eq!(
        base.bytes().to_vec(),
        hex("8de40ccadbc14a82f15cb0ad0de95ca3")
    );
}

#[test]
fn ms_nlmp_4_2_4_exported_session_key_is_the_random_session_key() {
    assert_eq!(ms_nlmp_exported_key().bytes(), &[0x55; 16]);
    // Without KEY_EXCH the exported key is KXKEY itself.
    let base = Secret16::new([7; 16]);
    let plain = exported_session_key(&base, NegotiateFlags(0x0008_0000), &[]).unwrap();
    assert_eq!(plain, base);
    assert_eq!(
        exported_session_key(&base, FLAGS, &[1; 8]),
        Err(NtlmError::EncryptedKeyLength(8))
    );
}

#[test]
fn ms_nlmp_4_2_4_4_sealing_and_signing_keys() {
    let keys =
        SealingKeys::derive(&ms_nlmp_exported_key(), FLAGS, Direction::ClientToServer).unwrap();
    assert_eq!(
        keys.sealing_key.bytes().to_vec(),
        hex("59f600973cc4960a25480a7c196e4c58")
    );
    assert_eq!(
        keys.signing_key.bytes().to_vec(),
        hex("4788dc861b4782f35d43fd98fe1a2d39")
    );
    assert_eq!(
        SealingKeys::derive(
            &ms_nlmp_exported_key(),
            NegotiateFlags(0xe202_8233),
            Direction::ClientToServer
        ),
        Err(NtlmError::NoExtendedSessionSecurity)
    );
}

#[test]
fn ms_nlmp_4_2_4_4_sealed_plaintext_unseals_and_verifies() {
    let signature = hex("010000007fb38ec5c55d497600000000");
    let sealed = hex("54e50165bf1936dc996020c1811b0f06fb5f");
    let mut stream =
        UnsealStream::new(&ms_nlmp_exported_key(), FLAGS, Direction::ClientToServer).unwrap();
    let unsealed = stream.unseal(&signature, &sealed).unwrap();
    assert_eq!(unsealed.plaintext, utf16le("Plaintext"));
    assert_eq!(unsealed.sequence_number, 0);

    // The same message as an LDAP SASL buffer: 4-byte big-endian length first.
    let mut buffer = 34u32.to_be_bytes().to_vec();
    buffer.extend(&signature);
    buffer.extend(&sealed);
    let mut stream =
        UnsealStream::new(&ms_nlmp_exported_key(), FLAGS, Direction::ClientToServer).unwrap();
    assert_eq!(
        stream.unseal_sasl_buffer(&buffer).unwrap().plaintext,
        utf16le("Plaintext")
    );

    // The other direction's keys do not verify it.
    let mut wrong =
        UnsealStream::new(&ms_nlmp_exported_key(), FLAGS, Direction::ServerToClient).unwrap();
    assert_eq!(
        wrong.unseal(&signature, &sealed),
        Err(NtlmError::BadSignature)
    );
}

#[test]
fn the_rc4_stream_runs_across_messages_and_a_missing_message_breaks_it() {
    let key = ms_nlmp_exported_key();
    let mut sender = UnsealStream::new(&key, FLAGS, Direction::ServerToClient).unwrap();
    let messages: Vec<([u8; 16], Vec<u8>)> = (0..3u32)
        .map(|seq| sender.seal(seq, format!("LDAP message {seq}").as_bytes()))
        .collect();
    let mut receiver = UnsealStream::new(&key, FLAGS, Direction::ServerToClient).unwrap();
    for (seq, (signature, sealed)) in messages.iter().enumerate() {
        let unsealed = receiver.unseal(signature, sealed).unwrap();
        assert_eq!(unsealed.plaintext, format!("LDAP message {seq}").as_bytes());
        assert_eq!(unsealed.sequence_number, seq as u32);
    }
    let mut skipping = UnsealStream::new(&key, FLAGS, Direction::ServerToClient).unwrap();
    assert_eq!(
        skipping.unseal(&messages[1].0, &messages[1].1),
        Err(NtlmError::BadSignature)
    );
}

#[test]
fn wrong_password_bad_lengths_and_versions_are_errors() {
    let ntowf = ntowf_v2("Passw0rd", "User", "Domain");
    let response = [hex(NT_PROOF_STR), hex(TEMP)].concat();
    assert_eq!(
        verify_ntlmv2_response(&ntowf, &SERVER_CHALLENGE, &response),
        Err(NtlmError::WrongPassword)
    );
    assert_eq!(
        verify_ntlmv2_response(&ntowf, &SERVER_CHALLENGE, &[0; 24]),
        Err(NtlmError::ResponseTooShort(24))
    );
    let mut stream =
        UnsealStream::new(&ms_nlmp_exported_key(), FLAGS, Direction::ClientToServer).unwrap();
    assert_eq!(
        stream.unseal(&[1; 10], b"x"),
        Err(NtlmError::MessageTooShort(10))
    );
    assert_eq!(
        stream.unseal(&[2; 16], b"x"),
        Err(NtlmError::SignatureVersion(0x0202_0202))
    );
    assert_eq!(
        stream.unseal_sasl_buffer(&[0, 0, 0, 40, 1, 2]),
        Err(NtlmError::SaslLength {
            declared: 40,
            actual: 2
        })
    );
    assert_eq!(
        stream.unseal_sasl_buffer(&[0, 0]),
        Err(NtlmError::MessageTooShort(2))
    );
}

#[test]
fn secrets_never_print() {
    let shown = format!("{:?}", ntowf_v2("Password", "User", "Domain"));
    assert_eq!(shown, "Secret16(<redacted>)");
    let keys =
        SealingKeys::derive(&ms_nlmp_exported_key(), FLAGS, Direction::ClientToServer).unwrap();
    assert!(!format!("{keys:?}").contains("89"), "{keys:?}");
}
