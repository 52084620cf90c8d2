//! The one place that knows the playground link format: `<base>playground/#yaml=<deflate-raw, base64url>`.
//! Browsers inflate it with `DecompressionStream("deflate-raw")`; no library is needed on either side.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

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
    let mut f = format!("yaml={}", URL_SAFE_NO_PAD.encode(packed));
    if namespace != "default" {
        f.push_str("&ns=");
        f.push_str(&URL_SAFE_NO_PAD.encode(namespace));
    }
    f
}

/// The playground URL for `yaml`, below the site's base URL.
pub(crate) fn url(base_url: &str, yaml: &str, namespace: &str) -> String {
    format!("{base_url}playground/#{}", fragment(yaml, namespace))
}

/// Reads a fragment back; `None` when it is not one of ours.
pub fn decode(fragment: &str) -> Option<String> {
    let data = fragment.split('&').find_map(|p| p.strip_prefix("yaml="))?;
    let packed = URL_SAFE_NO_PAD.decode(data).ok()?;
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
        // The namespace is base64url too, without padding.
        assert!(url("/", yaml, "a?b").ends_with("&ns=YT9i"), "{}", url("/", yaml, "a?b"));
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
