//! RFC 3961 section 5.1 n-fold: stretch or shrink a constant to the cipher's block size by
//! concatenating copies rotated 13 bits each and adding them up in ones' complement.

/// n-fold of `input` to `out_len` bytes. An empty input folds to zeros.
pub(crate) fn n_fold(input: &[u8], out_len: usize) -> Vec<u8> {
    let mut sum = vec![0u8; out_len];
    let in_len = input.len();
    if in_len == 0 || out_len == 0 {
        return sum;
    }
    // lcm(in_len, out_len) bytes of rotated copies, added out_len bytes at a time.
    let lcm_len = lcm(in_len, out_len);
    let in_bits = in_len.wrapping_mul(8);
    let mut stretched = Vec::with_capacity(lcm_len);
    for copy in 0..lcm_len.checked_div(in_len).unwrap_or(0) {
        let rotation = copy.wrapping_mul(13).checked_rem(in_bits).unwrap_or(0);
        stretched.extend(rotate_right_bits(input, rotation));
    }
    for chunk in stretched.chunks(out_len) {
        ones_complement_add(&mut sum, chunk);
    }
    sum
}

/// `input` as a bit string rotated right by `rotation` bits (`rotation` < its bit length).
fn rotate_right_bits(input: &[u8], rotation: usize) -> Vec<u8> {
    let in_bits = input.len().wrapping_mul(8);
    (0..input.len())
        .map(|byte_index| {
            (0..8).fold(0u8, |byte, bit_in_byte| {
                let out_bit = byte_index.wrapping_mul(8).wrapping_add(bit_in_byte);
                // Output bit i is input bit (i - rotation) mod in_bits.
                let in_bit = out_bit
                    .wrapping_add(in_bits)
                    .wrapping_sub(rotation)
                    .checked_rem(in_bits)
                    .unwrap_or(0);
                let bit = input
                    .get(in_bit / 8)
                    .map_or(0, |b| (b >> 7usize.wrapping_sub(in_bit % 8)) & 1);
                (byte << 1) | bit
            })
        })
        .collect()
}

/// `sum += addend` as big-endian numbers with the end-around carry of ones' complement.
fn ones_complement_add(sum: &mut [u8], addend: &[u8]) {
    let mut carry = 0u16;
    for (s, a) in sum.iter_mut().rev().zip(addend.iter().rev()) {
        let [high, low] = u16::from(*s)
            .wrapping_add(u16::from(*a))
            .wrapping_add(carry)
            .to_be_bytes();
        *s = low;
        carry = u16::from(high);
    }
    while carry != 0 {
        for s in sum.iter_mut().rev() {
            let [high, low] = u16::from(*s).wrapping_add(carry).to_be_bytes();
            *s = low;
            carry = u16::from(high);
            if carry == 0 {
                break;
            }
        }
    }
}

fn lcm(a: usize, b: usize) -> usize {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x.checked_rem(y).unwrap_or(0));
    }
    a.checked_div(x).unwrap_or(0).wrapping_mul(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_hex::hex;

    /// RFC 3961 appendix A.1, every vector.
    #[test]
    fn rfc3961_appendix_a1_vectors() {
        let vectors: &[(&str, usize, &str)] = &[
            ("012345", 64, "be072631276b1955"),
            ("password", 56, "78a07b6caf85fa"),
            ("Rough Consensus, and Running Code", 64, "bb6ed30870b7f0e0"),
            (
                "password",
                168,
                "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e",
            ),
            (
                "MASSACHVSETTS INSTITVTE OF TECHNOLOGY",
                192,
                "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b",
            ),
            ("Q", 168, "518a54a215a8452a518a54a215a8452a518a54a215"),
            ("ba", 168, "fb25d531ae8974499f52fd92ea9857c4ba24cf297e"),
            ("kerberos", 64, "6b65726265726f73"),
            ("kerberos", 128, "6b65726265726f737b9b5b2b93132b93"),
            (
                "kerberos",
                168,
                "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4",
            ),
            (
                "kerberos",
                256,
                "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4",
            ),
        ];
        for (input, bits, expected) in vectors {
            assert_eq!(
                n_fold(input.as_bytes(), bits / 8),
                hex(expected),
                "{bits}-fold({input:?})"
            );
        }
    }
}
