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

/// The fragment (after `#`) that opens `yaml` in the playground, in namespace `namespace`.
pub(crate) fn fragment(yaml: &str, namespace: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(yaml.as_bytes(), 9);
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
}
