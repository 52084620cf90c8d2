//! The one place that knows the playground link format: `<base>playground/#yaml=<deflate-raw, base64url>`.
//! Browsers inflate it with `DecompressionStream("deflate-raw")`; no library is needed on either side.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64url(bytes: &[u8]) -> String {
    encode(bytes, ALPHABET)
}

/// Standard base64 with padding (RFC 4648 §4), as a Content-Security-Policy hash source is written.
pub(crate) fn base64(bytes: &[u8]) -> String {
    let mut out = encode(bytes, STANDARD);
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

fn encode(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
fn unbase64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Raw deflate at the best level. The compressor's tables (about 200 KB) are kept per thread and cleared for
/// each link: allocating them afresh for each of a big site's thousands of examples cost more than compressing.
fn deflate_raw(input: &[u8]) -> Vec<u8> {
    use miniz_oxide::deflate::core::{
        CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
    };
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Box<CompressorOxide>> =
            std::cell::RefCell::new(Box::new(CompressorOxide::new(create_comp_flags_from_zip_params(9, 0, 0))));
    }
    COMPRESSOR.with_borrow_mut(|c| {
        c.reset();
        let mut out = vec![0u8; input.len() / 2 + 128];
        let (mut read, mut written) = (0, 0);
        loop {
            let (status, r, w) = compress(c, &input[read..], &mut out[written..], TDEFLFlush::Finish);
            read += r;
            written += w;
            match status {
                TDEFLStatus::Done => {
                    out.truncate(written);
                    return out;
                }
                // Okay with input left or the output full: give it more room and go on.
                TDEFLStatus::Okay => out.resize(out.len() * 2, 0),
                // Only a bad parameter can fail, and the parameters are fixed above.
                TDEFLStatus::BadParam | TDEFLStatus::PutBufFailed => {
                    return miniz_oxide::deflate::compress_to_vec(input, 9);
                }
            }
        }
    })
}

/// The fragment (after `#`) that opens `yaml` in the playground, in namespace `namespace`.
pub(crate) fn fragment(yaml: &str, namespace: &str) -> String {
    let packed = deflate_raw(yaml.as_bytes());
    let mut f = format!("yaml={}", base64url(&packed));
    if namespace != "default" {
        f.push_str("&ns=");
        f.push_str(&base64url(namespace.as_bytes()));
    }
    f
}

/// The playground URL for `yaml`, below the site's base URL.
pub(crate) fn url(base_url: &str, yaml: &str, namespace: &str) -> String {
    format!("{base_url}playground/#{}", fragment(yaml, namespace))
}

/// Reads a fragment back; `None` when it is not one of ours.
#[cfg(test)]
pub(crate) fn decode(fragment: &str) -> Option<String> {
    let data = fragment.split('&').find_map(|p| p.strip_prefix("yaml="))?;
    let packed = unbase64url(data)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, 8 * 1024 * 1024).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_and_are_url_safe() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"<web>&\"\n";
        let f = fragment(yaml, "default");
        assert!(f.chars().all(|c| c.is_ascii_alphanumeric() || "=-_&".contains(c)), "{f}");
        assert_eq!(decode(&f).as_deref(), Some(yaml));
        assert!(url("/", yaml, "team").starts_with("/playground/#yaml="));
        assert!(url("/", yaml, "team").contains("&ns="));
        for n in 0..5 {
            let s = "x".repeat(n);
            assert_eq!(unbase64url(&base64url(s.as_bytes())).unwrap(), s.as_bytes());
        }
        // RFC 4648's test vectors.
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn the_reused_compressor_gives_what_a_fresh_one_gives() {
        // Pseudo-random bytes do not compress, so the output outgrows its first buffer; the short and the
        // repetitive ones after it show that the reset leaves nothing of the previous input behind.
        let mut x = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let inputs: [&[u8]; 5] = [b"", b"apiVersion: v1\n", &noise, &[b'a'; 70_000], b"kind: Pod\nkind: Pod\n"];
        for input in inputs {
            let packed = deflate_raw(input);
            assert_eq!(packed, miniz_oxide::deflate::compress_to_vec(input, 9), "{} bytes", input.len());
            assert_eq!(miniz_oxide::inflate::decompress_to_vec(&packed).ok().as_deref(), Some(input));
        }
    }
}
