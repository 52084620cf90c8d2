//! `net.IP` and `net.CIDR` as Go's `net/netip` parses and prints them (Kubernetes refusing zones and
//! IPv4-mapped IPv6 addresses), and `kubernetes.URL` as Go's `net/url` parses it.

use std::fmt;

use super::go_quote;
use crate::cel::{Key, MapValue, Str, Value};

/// An IPv4 or IPv6 address (IPv4 in the low 32 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ip {
    addr: u128,
    v4: bool,
}

fn addr_error(input: &str, msg: &str, at: &str) -> String {
    let at = if at.is_empty() { String::new() } else { format!(" (at {})", go_quote(at)) };
    format!("ParseAddr({}): {msg}{at}", go_quote(input))
}

/// `netip.ParseAddr`, with its messages; a zone is returned beside the address.
fn parse_addr(s: &str) -> Result<(Ip, bool), String> {
    match s.bytes().find(|b| matches!(b, b'.' | b':' | b'%')) {
        Some(b'.') => parse_v4(s).map(|a| (Ip { addr: u128::from(a), v4: true }, false)),
        Some(b':') => parse_v6(s),
        Some(_) => Err(addr_error(s, "missing IPv6 address", "")),
        None => Err(addr_error(s, "unable to parse IP", "")),
    }
}

fn parse_v4(s: &str) -> Result<u32, String> {
    let b = s.as_bytes();
    let (mut addr, mut val, mut digits, mut fields) = (0u32, 0u32, 0, 0);
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            if digits == 1 && val == 0 {
                return Err(addr_error(s, "IPv4 field has octet with leading zero", ""));
            }
            val = val * 10 + u32::from(c - b'0');
            digits += 1;
            if val > 255 {
                return Err(addr_error(s, "IPv4 field has value >255", ""));
            }
        } else if c == b'.' {
            if i == 0 || i == b.len() - 1 || b[i - 1] == b'.' {
                return Err(addr_error(s, "IPv4 field must have at least one digit", &s[i..]));
            }
            if fields == 3 {
                return Err(addr_error(s, "IPv4 address too long", ""));
            }
            addr = addr << 8 | val;
            fields += 1;
            val = 0;
            digits = 0;
        } else {
            return Err(addr_error(s, "unexpected character", &s[i..]));
        }
    }
    if fields < 3 {
        return Err(addr_error(s, "IPv4 address too short", ""));
    }
    Ok(addr << 8 | val)
}

fn parse_v6(input: &str) -> Result<(Ip, bool), String> {
    let (mut s, zone) = match input.split_once('%') {
        Some((_, "")) => return Err(addr_error(input, "zone must be a non-empty string", "")),
        Some((a, _)) => (a, true),
        None => (input, false),
    };
    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if let Some(rest) = s.strip_prefix("::") {
        ellipsis = Some(0);
        s = rest;
        if s.is_empty() {
            return Ok((Ip { addr: 0, v4: false }, zone));
        }
    }
    let mut i = 0;
    while i < 16 {
        let hex = s.bytes().take_while(u8::is_ascii_hexdigit).count();
        let mut acc = 0u32;
        for c in s[..hex].chars() {
            acc = acc << 4 | c.to_digit(16).unwrap_or(0);
            if acc > 0xffff {
                return Err(addr_error(input, "IPv6 field has value >=2^16", s));
            }
        }
        if hex == 0 {
            return Err(addr_error(input, "each colon-separated field must have at least one digit", s));
        }
        if s[hex..].starts_with('.') {
            if ellipsis.is_none() && i != 12 {
                return Err(addr_error(
                    input,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    s,
                ));
            }
            if i + 4 > 16 {
                return Err(addr_error(
                    input,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    s,
                ));
            }
            let v4 = parse_v4(s).map_err(|e| addr_error(input, &e, s))?;
            ip[i..i + 4].copy_from_slice(&v4.to_be_bytes());
            s = "";
            i += 4;
            break;
        }
        ip[i] = (acc >> 8) as u8;
        ip[i + 1] = acc as u8;
        i += 2;
        s = &s[hex..];
        if s.is_empty() {
            break;
        }
        if !s.starts_with(':') {
            return Err(addr_error(input, "unexpected character, want colon", s));
        }
        if s.len() == 1 {
            return Err(addr_error(input, "colon must be followed by more characters", s));
        }
        s = &s[1..];
        if s.starts_with(':') {
            if ellipsis.is_some() {
                return Err(addr_error(input, "multiple :: in address", s));
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(addr_error(input, "trailing garbage after address", s));
    }
    match ellipsis {
        Some(e) if i < 16 => {
            let n = 16 - i;
            ip.copy_within(e..i, e + n);
            ip[e..e + n].fill(0);
        }
        Some(_) => return Err(addr_error(input, "the :: must expand to at least one field of zeros", "")),
        None if i < 16 => return Err(addr_error(input, "address string too short", "")),
        None => {}
    }
    Ok((Ip { addr: u128::from_be_bytes(ip), v4: false }, zone))
}

impl Ip {
    /// `ip(s)`: an IPv4 or IPv6 address without a zone, not IPv4-mapped, with Kubernetes' messages.
    pub(super) fn parse(s: &str) -> Result<Ip, String> {
        let (ip, zone) = parse_addr(s)
            .map_err(|e| format!("IP Address {} parse error during conversion from string: {e}", go_quote(s)))?;
        if zone {
            return Err(format!("IP address {} with zone value is not allowed", go_quote(s)));
        }
        if ip.is_4in6() {
            return Err(format!("IPv4-mapped IPv6 address {} is not allowed", go_quote(s)));
        }
        Ok(ip)
    }

    fn is_4in6(&self) -> bool {
        !self.v4 && self.addr >> 32 == 0xffff
    }

    fn bits(&self) -> u8 {
        if self.v4 { 32 } else { 128 }
    }

    pub(super) fn byte_len(&self) -> i64 {
        i64::from(self.bits() / 8)
    }

    /// The first 16 bits of an IPv6 address.
    fn head(&self) -> u16 {
        (self.addr >> 112) as u16
    }

    fn octet(&self, i: u32) -> u8 {
        (self.addr >> (24 - 8 * i)) as u8
    }

    fn is_loopback(&self) -> bool {
        if self.v4 { self.octet(0) == 127 } else { self.addr == 1 }
    }

    fn is_multicast(&self) -> bool {
        if self.v4 { self.octet(0) & 0xf0 == 0xe0 } else { self.head() >> 8 == 0xff }
    }

    fn is_link_local_unicast(&self) -> bool {
        if self.v4 { self.octet(0) == 169 && self.octet(1) == 254 } else { self.head() & 0xffc0 == 0xfe80 }
    }

    /// `family()` and the `is...()` predicates, as `netip.Addr` has them.
    pub(super) fn property<'a>(&self, name: &str) -> Value<'a> {
        Value::Bool(match name {
            "family" => return Value::Int(if self.v4 { 4 } else { 6 }),
            "isUnspecified" => self.addr == 0,
            "isLoopback" => self.is_loopback(),
            "isLinkLocalMulticast" if self.v4 => self.addr >> 8 == 0xe0_00_00,
            "isLinkLocalMulticast" => self.head() & 0xff0f == 0xff02,
            "isLinkLocalUnicast" => self.is_link_local_unicast(),
            _ => {
                !(self.addr == 0
                    || self.v4 && self.addr == 0xffff_ffff
                    || self.is_loopback()
                    || self.is_multicast()
                    || self.is_link_local_unicast())
            }
        })
    }
}

/// The canonical form: dotted quad, or RFC 5952 (lower case, the longest run of two or more zero groups as
/// `::`).
impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.v4 {
            return write!(f, "{}.{}.{}.{}", self.octet(0), self.octet(1), self.octet(2), self.octet(3));
        }
        let group = |i: usize| (self.addr >> (112 - 16 * i)) as u16;
        let (mut zs, mut ze) = (8, 8);
        let mut i = 0;
        while i < 8 {
            let j = (i..8).find(|&j| group(j) != 0).unwrap_or(8);
            if j - i >= 2 && j - i > ze - zs {
                (zs, ze) = (i, j);
            }
            i = j.max(i + 1);
        }
        let mut i = 0;
        while i < 8 {
            if i == zs {
                f.write_str("::")?;
                i = ze;
                continue;
            }
            if i > 0 && i != ze {
                f.write_str(":")?;
            }
            write!(f, "{:x}", group(i))?;
            i += 1;
        }
        Ok(())
    }
}

/// A network: an address (not necessarily masked) and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    ip: Ip,
    bits: u8,
}

impl Cidr {
    /// `cidr(s)`, with Kubernetes' (doubled) message prefix.
    pub(super) fn parse(s: &str) -> Result<Cidr, String> {
        const PREFIX: &str = "network address parse error during conversion from string: ";
        let fail = |e: String| format!("{PREFIX}{PREFIX}netip.ParsePrefix({}): {e}", go_quote(s));
        let (addr, bits) = s.rsplit_once('/').ok_or_else(|| fail("no '/'".into()))?;
        let (ip, zone) = parse_addr(addr).map_err(fail)?;
        if zone {
            return Err(fail("IPv6 zones cannot be present in a prefix".into()));
        }
        let digits_ok =
            !bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit()) && !(bits.len() > 1 && bits.starts_with('0'));
        let bits: u8 = match bits.parse::<u64>() {
            Ok(n) if digits_ok => u8::try_from(n).ok().filter(|&n| n <= ip.bits()),
            _ => return Err(fail(format!("bad bits after slash: {}", go_quote(bits)))),
        }
        .ok_or_else(|| fail("prefix length out of range".into()))?;
        if ip.is_4in6() {
            return Err(format!("{PREFIX}IPv4-mapped IPv6 address {} is not allowed", go_quote(s)));
        }
        Ok(Cidr { ip, bits })
    }

    pub(super) fn prefix_length(&self) -> u8 {
        self.bits
    }

    pub(super) fn ip(&self) -> Ip {
        self.ip
    }

    /// The host bits of an address of this family cleared.
    fn mask(&self, ip: Ip) -> u128 {
        let host = u32::from(ip.bits() - self.bits);
        ip.addr.checked_shr(host).map_or(0, |a| a << host)
    }

    fn masked(&self) -> Cidr {
        Cidr { ip: Ip { addr: self.mask(self.ip), v4: self.ip.v4 }, bits: self.bits }
    }

    fn contains(&self, ip: Ip) -> bool {
        ip.v4 == self.ip.v4 && self.mask(ip) == self.mask(self.ip)
    }

    /// `containsIP`, `containsCIDR` (each of an IP/CIDR or a string), `masked()`, `prefixLength()`; `None`
    /// for arguments of other types.
    pub(super) fn method<'a>(&self, name: &str, args: &[Value<'a>]) -> Option<Result<Value<'a>, crate::cel::Error>> {
        let err = crate::cel::Error::new;
        let ext = |e: super::Ext| Value::Ext(std::rc::Rc::new(e));
        Some(match (name, args) {
            ("masked", []) => Ok(ext(super::Ext::Cidr(self.masked()))),
            ("prefixLength", []) => Ok(Value::Int(i64::from(self.bits))),
            // Kubernetes loses the parse error of a string IP here: it is "no such overload".
            ("containsIP", [Value::String(s)]) => {
                Ip::parse(s).map(|ip| Value::Bool(self.contains(ip))).map_err(|_| err("no such overload"))
            }
            ("containsCIDR", [Value::String(s)]) => {
                Cidr::parse(s).map(|c| Value::Bool(self.covers(&c))).map_err(crate::cel::Error::new)
            }
            ("containsIP" | "containsCIDR", [Value::Ext(e)]) => match (name, &**e) {
                ("containsIP", super::Ext::Ip(ip)) => Ok(Value::Bool(self.contains(*ip))),
                ("containsCIDR", super::Ext::Cidr(c)) => Ok(Value::Bool(self.covers(c))),
                _ => return None,
            },
            _ => return None,
        })
    }

    /// Whether `other` lies within this network (same family, at least as long a prefix, overlapping).
    fn covers(&self, other: &Cidr) -> bool {
        self.ip.v4 == other.ip.v4 && self.bits <= other.bits && self.contains(other.ip)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ip, self.bits)
    }
}

/// A URL as Go's `url.URL` holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Url {
    scheme: String,
    opaque: String,
    /// The user name and, when given, the password.
    user: Option<(String, Option<String>)>,
    host: String,
    path: String,
    raw_path: String,
    force_query: bool,
    raw_query: String,
    fragment: String,
    raw_fragment: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Path,
    Host,
    Zone,
    User,
    Query,
    Fragment,
}

fn should_escape(c: u8, part: Part) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(part, Part::Host | Part::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match part {
            Part::Path => c == b'?',
            Part::User => matches!(c, b'@' | b'/' | b'?' | b':'),
            Part::Query => true,
            Part::Fragment => false,
            Part::Host | Part::Zone => true,
        },
        b'!' | b'(' | b')' | b'*' if part == Part::Fragment => false,
        _ => true,
    }
}

fn escape(s: &str, part: Part) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c == b' ' && part == Part::Query {
            out.push('+');
        } else if should_escape(c, part) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(char::from(c));
        }
    }
    // Only ASCII was pushed unescaped; multi-byte characters were escaped byte by byte.
    out
}

/// Go's `unescape`, with its errors: `%` must start two hex digits, hosts escape only non-ASCII bytes.
fn unescape(s: &str, part: Part) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: Option<&u8>| c.and_then(|&c| char::from(c).to_digit(16));
                let (Some(hi), Some(lo)) = (hex(b.get(i + 1)), hex(b.get(i + 2))) else {
                    let end = (i + 3).min(b.len());
                    return Err(format!("invalid URL escape {}", go_quote(&String::from_utf8_lossy(&b[i..end]))));
                };
                let v = (hi << 4 | lo) as u8;
                let is25 = &b[i..i + 3] == b"%25";
                if part == Part::Host && hi < 8 && !is25
                    || part == Part::Zone && !is25 && v != b' ' && should_escape(v, Part::Host)
                {
                    return Err(format!("invalid URL escape {}", go_quote(&s[i..i + 3])));
                }
                out.push(v);
                i += 3;
            }
            b'+' if part == Part::Query => {
                out.push(b' ');
                i += 1;
            }
            c => {
                if matches!(part, Part::Host | Part::Zone) && c < 0x80 && should_escape(c, part) {
                    return Err(format!("invalid character {} in host name", go_quote(&s[i..i + 1])));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `validEncoded`: nothing that would need escaping, besides sub-delimiters, brackets and escapes.
fn valid_encoded(s: &str, part: Part) -> bool {
    s.bytes().all(|b| b"!$&'()*+,;=:@[]%".contains(&b) || !should_escape(b, part))
}

fn valid_port(p: &str) -> bool {
    p.is_empty() || p.strip_prefix(':').is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

fn parse_host(host: &str) -> Result<String, String> {
    let bad_port = |p: &str| format!("invalid port {} after host", go_quote(p));
    if host.starts_with('[') {
        let i = host.rfind(']').ok_or("missing ']' in host")?;
        if !valid_port(&host[i + 1..]) {
            return Err(bad_port(&host[i + 1..]));
        }
        if let Some(z) = host[..i].find("%25") {
            return Ok(unescape(&host[..z], Part::Host)?
                + &unescape(&host[z..i], Part::Zone)?
                + &unescape(&host[i..], Part::Host)?);
        }
    } else if let Some(i) = host.rfind(':') {
        if !valid_port(&host[i..]) {
            return Err(bad_port(&host[i..]));
        }
    }
    unescape(host, Part::Host)
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&b))
}

impl Url {
    /// Go's `url.parse`: `request` is `ParseRequestURI`'s reading (an absolute URI or an absolute path).
    fn parse_go(raw: &str, request: bool) -> Result<Url, String> {
        if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
            return Err("net/url: invalid control character in URL".into());
        }
        if raw.is_empty() && request {
            return Err("empty url".into());
        }
        let mut u = Url::default();
        if raw == "*" {
            u.path = "*".into();
            return Ok(u);
        }
        let mut rest = raw;
        let scheme_end = raw.bytes().position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')));
        if let Some(i) = scheme_end.filter(|&i| raw.as_bytes()[i] == b':') {
            if i == 0 {
                return Err("missing protocol scheme".into());
            }
            if raw.as_bytes()[0].is_ascii_alphabetic() {
                u.scheme = raw[..i].to_ascii_lowercase();
                rest = &raw[i + 1..];
            }
        }
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            u.force_query = true;
            rest = &rest[..rest.len() - 1];
        } else if let Some((r, q)) = rest.split_once('?') {
            u.raw_query = q.into();
            rest = r;
        }
        if !rest.starts_with('/') {
            if !u.scheme.is_empty() {
                u.opaque = rest.into();
                return Ok(u);
            }
            if request {
                return Err("invalid URI for request".into());
            }
            if rest.split('/').next().is_some_and(|seg| seg.contains(':')) {
                return Err("first path segment in URL cannot contain colon".into());
            }
        }
        if (!u.scheme.is_empty() || !request && !rest.starts_with("///")) && rest.starts_with("//") {
            let (authority, path) = rest[2..].find('/').map_or((&rest[2..], ""), |i| rest[2..].split_at(i));
            rest = path;
            let (userinfo, host) = authority.rsplit_once('@').map_or((None, authority), |(u, h)| (Some(u), h));
            u.host = parse_host(host)?;
            if let Some(info) = userinfo {
                if !valid_userinfo(info) {
                    return Err("net/url: invalid userinfo".into());
                }
                u.user = Some(match info.split_once(':') {
                    Some((name, pw)) => (unescape(name, Part::User)?, Some(unescape(pw, Part::User)?)),
                    None => (unescape(info, Part::User)?, None),
                });
            }
        }
        u.path = unescape(rest, Part::Path)?;
        if escape(&u.path, Part::Path) != rest {
            u.raw_path = rest.into();
        }
        Ok(u)
    }

    /// `url(s)`: `s` must pass `url.ParseRequestURI`; the value is `url.Parse`'s (which keeps a fragment).
    pub(super) fn parse_request(s: &str) -> Result<Url, String> {
        let fail =
            |e: String, at: &str| format!("URL parse error during conversion from string: parse {}: {e}", go_quote(at));
        Url::parse_go(s, true).map_err(|e| fail(e, s))?;
        let (before, frag) = s.split_once('#').map_or((s, None), |(a, f)| (a, Some(f)));
        let mut u = Url::parse_go(before, false).map_err(|e| fail(e, before))?;
        if let Some(f) = frag.filter(|f| !f.is_empty()) {
            u.fragment = unescape(f, Part::Fragment).map_err(|e| fail(e, s))?;
            if escape(&u.fragment, Part::Fragment) != f {
                u.raw_fragment = f.into();
            }
        }
        Ok(u)
    }

    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(&self.raw_path, Part::Path)
            && unescape(&self.raw_path, Part::Path).is_ok_and(|p| p == self.path)
        {
            return self.raw_path.clone();
        }
        if self.path == "*" {
            return "*".into();
        }
        escape(&self.path, Part::Path)
    }

    /// `host[:port]` split as Go's `url.splitHostPort` does: a port only when it is numeric.
    fn host_port(&self) -> (&str, &str) {
        let (mut host, mut port) = (&*self.host, "");
        if let Some(i) = host.rfind(':').filter(|&i| valid_port(&host[i..])) {
            (host, port) = (&self.host[..i], &self.host[i + 1..]);
        }
        if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
            host = &host[1..host.len() - 1];
        }
        (host, port)
    }

    /// `getScheme()`, `getHost()`, `getHostname()`, `getPort()`, `getEscapedPath()`, `getQuery()`.
    pub(super) fn component<'a>(&self, name: &str) -> Value<'a> {
        match name {
            "getScheme" => Value::string(&*self.scheme),
            "getHost" => Value::string(&*self.host),
            "getHostname" => Value::string(self.host_port().0),
            "getPort" => Value::string(self.host_port().1),
            "getEscapedPath" => Value::string(self.escaped_path()),
            _ => self.query(),
        }
    }

    /// The query's values by key, unescaped; pairs that do not unescape, or hold a `;`, are left out (as
    /// Go's `URL.Query` leaves them).
    fn query<'a>(&self) -> Value<'a> {
        let mut entries: Vec<(String, Vec<Value<'a>>)> = Vec::new();
        for pair in self.raw_query.split('&').filter(|p| !p.is_empty() && !p.contains(';')) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (Ok(k), Ok(v)) = (unescape(k, Part::Query), unescape(v, Part::Query)) else { continue };
            match entries.iter_mut().find(|(key, _)| *key == k) {
                Some((_, values)) => values.push(Value::string(v)),
                None => entries.push((k, vec![Value::string(v)])),
            }
        }
        let entries = entries.into_iter().map(|(k, v)| (Key::String(Str::Owned(k.into())), Value::list(v))).collect();
        Value::Map(MapValue::Owned(std::rc::Rc::new(entries)))
    }
}

/// Go's `URL.String`.
impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    out.push_str("//");
                }
                if let Some((name, password)) = &self.user {
                    out.push_str(&escape(name, Part::User));
                    if let Some(pw) = password {
                        out.push(':');
                        out.push_str(&escape(pw, Part::User));
                    }
                    out.push('@');
                }
                out.push_str(&escape(&self.host, Part::Host));
            }
            let path = self.escaped_path();
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                out.push('/');
            }
            if out.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
                out.push_str("./");
            }
            out.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            out.push('?');
            out.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            out.push('#');
            let valid_raw = !self.raw_fragment.is_empty()
                && valid_encoded(&self.raw_fragment, Part::Fragment)
                && unescape(&self.raw_fragment, Part::Fragment).is_ok_and(|x| x == self.fragment);
            out.push_str(&if valid_raw { self.raw_fragment.clone() } else { escape(&self.fragment, Part::Fragment) });
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{global, global_value, method, s};
    use crate::cel::Value;

    fn ip(x: &str) -> Value<'static> {
        global_value("ip", x)
    }

    fn cidr(x: &str) -> Value<'static> {
        global_value("cidr", x)
    }

    fn url(x: &str) -> Value<'static> {
        global_value("url", x)
    }

    #[test]
    fn parses_ips_as_netip_does() {
        for ok in [
            "127.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "2001:db8::abcd",
            "2001:DB8::ABCD",
            "1:2:3:4:5:6:7:8",
            "::1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "fe80::1",
        ] {
            assert_eq!(global("isIP", vec![s(ok)]), "true", "{ok}");
        }
        let e = |x: &str| global("ip", vec![s(x)]);
        assert_eq!(
            e("127.0.0.256"),
            "error: IP Address \"127.0.0.256\" parse error during conversion from string: ParseAddr(\"127.0.0.256\"): IPv4 field has value >255"
        );
        assert_eq!(
            e(":::1"),
            "error: IP Address \":::1\" parse error during conversion from string: ParseAddr(\":::1\"): each colon-separated field must have at least one digit (at \":1\")"
        );
        assert!(e("01.2.3.4").contains("IPv4 field has octet with leading zero"));
        assert!(e("1.2.3").contains("IPv4 address too short"));
        assert!(e("1.2.3.4.5").contains("IPv4 address too long"));
        assert!(e("1..2.3").contains("IPv4 field must have at least one digit (at \".2.3\")"));
        assert!(e("1.2.3.x").contains("unexpected character (at \"x\")"));
        assert!(e("abc").contains("ParseAddr(\"abc\"): unable to parse IP"));
        assert!(e("%eth0").contains("missing IPv6 address"));
        assert!(e("1:2").contains("address string too short"));
        assert!(e("1::2::3").contains("multiple :: in address (at \":3\")"));
        assert!(e("1:2:3:4:5:6:7:8::").contains("the :: must expand to at least one field of zeros"));
        assert!(e("12345::").contains("IPv6 field has value >=2^16"));
        assert!(e("1:2:3:4:5:6:7:8:9").contains("trailing garbage after address (at \"9\")"));
        assert!(e("1:").contains("colon must be followed by more characters (at \":\")"));
        assert!(e("1:2:3.4.5.6").contains("embedded IPv4 address must replace the final 2 fields"));
        assert_eq!(e("fe80::1%eth0"), "error: IP address \"fe80::1%eth0\" with zone value is not allowed");
        assert!(e("fe80::1%").contains("zone must be a non-empty string"));
        assert_eq!(e("::ffff:1.2.3.4"), "error: IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed");
        assert_eq!(global("isIP", vec![s("::ffff:1.2.3.4")]), "false");
    }

    #[test]
    fn prints_ips_canonically() {
        let canon = |x: &str| global("ip.isCanonical", vec![s(x)]);
        assert_eq!(canon("127.0.0.1"), "true");
        assert_eq!(canon("2001:db8::abcd"), "true");
        assert_eq!(canon("2001:DB8::ABCD"), "false");
        assert_eq!(canon("2001:db8::0:0:0:abcd"), "false");
        assert!(canon("1.2.3").starts_with("error: IP Address"));
        assert_eq!(ip("2001:db8:0:0:1:0:0:1").to_string(), "2001:db8::1:0:0:1");
        assert_eq!(ip("2001:0:0:1:0:0:0:1").to_string(), "2001:0:0:1::1");
        assert_eq!(ip("1:0:2:3:4:5:6:7").to_string(), "1:0:2:3:4:5:6:7");
        assert_eq!(ip("::").to_string(), "::");
        assert_eq!(ip("1::").to_string(), "1::");
        assert_eq!(ip("::1.2.3.4").to_string(), "::102:304");
        assert_eq!(ip("10.0.0.1").to_string(), "10.0.0.1");
        assert!(ip("::1").equals(&ip("0::1")));
        assert!(!ip("::").equals(&ip("0.0.0.0")));
    }

    #[test]
    fn ip_properties() {
        let p = |x: &str, name: &str| method(name, ip(x), vec![]);
        assert_eq!(p("127.0.0.1", "family"), "4");
        assert_eq!(p("::1", "family"), "6");
        assert_eq!(p("0.0.0.0", "isUnspecified"), "true");
        assert_eq!(p("127.0.0.1", "isUnspecified"), "false");
        assert_eq!(p("::", "isUnspecified"), "true");
        assert_eq!(p("::1", "isUnspecified"), "false");
        assert_eq!(p("127.0.0.1", "isLoopback"), "true");
        assert_eq!(p("127.9.9.9", "isLoopback"), "true");
        assert_eq!(p("192.168.0.1", "isLoopback"), "false");
        assert_eq!(p("::1", "isLoopback"), "true");
        assert_eq!(p("2001:db8::abcd", "isLoopback"), "false");
        assert_eq!(p("224.0.0.1", "isLinkLocalMulticast"), "true");
        assert_eq!(p("224.0.1.1", "isLinkLocalMulticast"), "false");
        assert_eq!(p("ff02::1", "isLinkLocalMulticast"), "true");
        assert_eq!(p("ff32::1", "isLinkLocalMulticast"), "true");
        assert_eq!(p("fd00::1", "isLinkLocalMulticast"), "false");
        assert_eq!(p("169.254.169.254", "isLinkLocalUnicast"), "true");
        assert_eq!(p("192.168.0.1", "isLinkLocalUnicast"), "false");
        assert_eq!(p("fe80::1", "isLinkLocalUnicast"), "true");
        assert_eq!(p("febf::1", "isLinkLocalUnicast"), "true");
        assert_eq!(p("fd80::1", "isLinkLocalUnicast"), "false");
        assert_eq!(p("192.168.0.1", "isGlobalUnicast"), "true");
        assert_eq!(p("255.255.255.255", "isGlobalUnicast"), "false");
        assert_eq!(p("0.0.0.0", "isGlobalUnicast"), "false");
        assert_eq!(p("224.0.0.1", "isGlobalUnicast"), "false");
        assert_eq!(p("2001:db8::abcd", "isGlobalUnicast"), "true");
        assert_eq!(p("ff00::1", "isGlobalUnicast"), "false");
        assert_eq!(p("fe80::1", "isGlobalUnicast"), "false");
        assert_eq!(p("::", "isGlobalUnicast"), "false");
        assert_eq!(method("family", s("1.2.3.4"), vec![]), "error: no such overload: family(string)");
    }

    #[test]
    fn cidrs() {
        assert_eq!(global("isCIDR", vec![s("192.168.0.0/16")]), "true");
        assert_eq!(global("isCIDR", vec![s("::1/128")]), "true");
        assert_eq!(global("isCIDR", vec![s("192.168.0.1/16")]), "true");
        assert_eq!(global("isCIDR", vec![s("192.168.0.0/33")]), "false");
        assert_eq!(global("isCIDR", vec![s("::1/129")]), "false");
        let e = |x: &str| global("cidr", vec![s(x)]);
        let p = "error: network address parse error during conversion from string: network address parse error during conversion from string: ";
        assert_eq!(
            e("192.168.0.0/33"),
            format!("{p}netip.ParsePrefix(\"192.168.0.0/33\"): prefix length out of range")
        );
        assert_eq!(e("10.0.0.0"), format!("{p}netip.ParsePrefix(\"10.0.0.0\"): no '/'"));
        assert_eq!(e("10.0.0.0/+8"), format!("{p}netip.ParsePrefix(\"10.0.0.0/+8\"): bad bits after slash: \"+8\""));
        assert_eq!(e("10.0.0.0/08"), format!("{p}netip.ParsePrefix(\"10.0.0.0/08\"): bad bits after slash: \"08\""));
        assert_eq!(e("10.0.0.0/"), format!("{p}netip.ParsePrefix(\"10.0.0.0/\"): bad bits after slash: \"\""));
        assert_eq!(
            e("10.0.0/8"),
            format!("{p}netip.ParsePrefix(\"10.0.0/8\"): ParseAddr(\"10.0.0\"): IPv4 address too short")
        );
        assert_eq!(
            e("fe80::%eth0/64"),
            format!("{p}netip.ParsePrefix(\"fe80::%eth0/64\"): IPv6 zones cannot be present in a prefix")
        );
        assert_eq!(
            e("::ffff:1.2.3.4/24"),
            "error: network address parse error during conversion from string: IPv4-mapped IPv6 address \"::ffff:1.2.3.4/24\" is not allowed"
        );
        let c = cidr("192.168.0.0/24");
        assert_eq!(method("containsIP", c.clone(), vec![ip("192.168.0.1")]), "true");
        assert_eq!(method("containsIP", c.clone(), vec![ip("192.168.1.1")]), "false");
        assert_eq!(method("containsIP", c.clone(), vec![s("192.168.0.1")]), "true");
        assert_eq!(method("containsIP", c.clone(), vec![s("192.168.1.1")]), "false");
        assert_eq!(method("containsIP", c.clone(), vec![ip("::1")]), "false");
        assert_eq!(method("containsIP", c.clone(), vec![s("x")]), "error: no such overload");
        assert_eq!(method("containsCIDR", cidr("192.168.0.0/16"), vec![cidr("192.168.10.0/24")]), "true");
        assert_eq!(method("containsCIDR", cidr("192.168.1.0/24"), vec![cidr("192.168.2.0/24")]), "false");
        assert_eq!(method("containsCIDR", cidr("192.168.0.0/16"), vec![s("192.168.10.0/24")]), "true");
        assert_eq!(method("containsCIDR", cidr("192.168.1.0/24"), vec![s("192.168.0.0/16")]), "false");
        assert_eq!(method("containsCIDR", cidr("192.168.0.0/24"), vec![s("192.168.0.0/24")]), "true");
        assert_eq!(method("containsCIDR", cidr("0.0.0.0/0"), vec![s("10.0.0.0/8")]), "true");
        assert_eq!(method("containsCIDR", cidr("::/0"), vec![s("10.0.0.0/8")]), "false");
        assert!(method("containsCIDR", c.clone(), vec![s("x")]).starts_with("error: network address parse error"));
        assert_eq!(
            method("containsIP", c.clone(), vec![Value::Int(1)]),
            "error: no such overload: containsIP(net.CIDR, int)"
        );
        assert_eq!(method("ip", cidr("192.168.0.1/24"), vec![]), "192.168.0.1");
        assert_eq!(method("family", method_value("ip", cidr("::1/128")), vec![]), "6");
        assert_eq!(method("masked", cidr("192.168.0.1/24"), vec![]), "192.168.0.0/24");
        assert_eq!(method("masked", cidr("2001:db8::1/32"), vec![]), "2001:db8::/32");
        assert_eq!(method("masked", cidr("10.1.2.3/0"), vec![]), "0.0.0.0/0");
        assert_eq!(method("masked", cidr("10.1.2.3/32"), vec![]), "10.1.2.3/32");
        assert!(cidr("192.168.0.0/24").equals(&method_value("masked", cidr("192.168.0.0/24"))));
        assert!(!cidr("192.168.0.1/24").equals(&method_value("masked", cidr("192.168.0.1/24"))));
        assert_eq!(method("prefixLength", cidr("192.168.0.0/16"), vec![]), "16");
        assert_eq!(method("prefixLength", cidr("::1/128"), vec![]), "128");
        assert_eq!(cidr("2001:DB8::/32").to_string(), "2001:db8::/32");
    }

    fn method_value(name: &str, target: Value<'static>) -> Value<'static> {
        super::super::tests::run(name, Some(target), vec![]).unwrap_or(Value::Null)
    }

    #[test]
    fn urls() {
        let u = || url("https://user:pass@example.com:80/path?query=val#fragment");
        assert_eq!(method("getScheme", u(), vec![]), "\"https\"");
        assert_eq!(method("getHost", u(), vec![]), "\"example.com:80\"");
        assert_eq!(u().to_string(), "https://user:pass@example.com:80/path?query=val#fragment");
        assert_eq!(method("getScheme", url("/path"), vec![]), "\"\"");
        assert_eq!(method("getHost", url("https://example.com/"), vec![]), "\"example.com\"");
        assert_eq!(method("getHost", url("https://[::1]:80/"), vec![]), "\"[::1]:80\"");
        assert_eq!(method("getHost", url("https://[::1]/"), vec![]), "\"[::1]\"");
        assert_eq!(method("getHost", url("/path"), vec![]), "\"\"");
        assert_eq!(method("getHostname", url("https://example.com:80/"), vec![]), "\"example.com\"");
        assert_eq!(method("getHostname", url("https://127.0.0.1:80/"), vec![]), "\"127.0.0.1\"");
        assert_eq!(method("getHostname", url("https://[::1]:80/"), vec![]), "\"::1\"");
        assert_eq!(method("getHostname", url("/path"), vec![]), "\"\"");
        assert_eq!(method("getPort", url("https://example.com:80/"), vec![]), "\"80\"");
        assert_eq!(method("getPort", url("https://example.com/"), vec![]), "\"\"");
        assert_eq!(method("getPort", url("/path"), vec![]), "\"\"");
        assert_eq!(method("getEscapedPath", url("https://example.com/path"), vec![]), "\"/path\"");
        assert_eq!(
            method("getEscapedPath", url("https://example.com/path with spaces/"), vec![]),
            "\"/path%20with%20spaces/\""
        );
        assert_eq!(method("getEscapedPath", url("https://example.com/a%2fb"), vec![]), "\"/a%2fb\"");
        assert_eq!(method("getEscapedPath", url("https://example.com"), vec![]), "\"\"");
        assert_eq!(
            method("getQuery", url("https://example.com/path?k1=a&k2=b&k2=c"), vec![]),
            "{\"k1\": [\"a\"], \"k2\": [\"b\", \"c\"]}"
        );
        assert_eq!(
            method("getQuery", url("https://example.com/path?key with spaces=value with spaces"), vec![]),
            "{\"key with spaces\": [\"value with spaces\"]}"
        );
        assert_eq!(
            method("getQuery", url("https://example.com/path?a=%41+b&c;d=1&e=%zz&f"), vec![]),
            "{\"a\": [\"A b\"], \"f\": [\"\"]}"
        );
        assert_eq!(method("getQuery", url("https://example.com/path?"), vec![]), "{}");
        assert_eq!(method("getQuery", url("https://example.com/path"), vec![]), "{}");
        assert_eq!(method("getScheme", url("HTTP://x/"), vec![]), "\"http\"");
        assert_eq!(url("mailto:someone@example.com").to_string(), "mailto:someone@example.com");
        assert!(url("https://a/b").equals(&url("https://a/b")));
        assert!(!url("https://a/b").equals(&url("https://a/c")));
    }

    #[test]
    fn invalid_urls() {
        let e = |x: &str| global("url", vec![s(x)]);
        assert_eq!(
            e("https://a:b:c/"),
            "error: URL parse error during conversion from string: parse \"https://a:b:c/\": invalid port \":c\" after host"
        );
        assert_eq!(
            e("../relative-path"),
            "error: URL parse error during conversion from string: parse \"../relative-path\": invalid URI for request"
        );
        assert_eq!(e(""), "error: URL parse error during conversion from string: parse \"\": empty url");
        assert_eq!(
            e(":x"),
            "error: URL parse error during conversion from string: parse \":x\": missing protocol scheme"
        );
        assert!(e("http://a b/").contains("invalid character \" \" in host name"));
        assert!(e("http://[::1/").contains("missing ']' in host"));
        assert!(e("/a%zzb").contains("invalid URL escape \"%zz\""));
        assert!(e("/a\nb").contains("net/url: invalid control character in URL"));
        assert!(e("http://a^b@host/").contains("net/url: invalid userinfo"));
        assert_eq!(global("isURL", vec![s("https://user:pass@example.com:80/path?query=val#fragment")]), "true");
        assert_eq!(global("isURL", vec![s("/absolute-path")]), "true");
        assert_eq!(global("isURL", vec![s("https://a:b:c/")]), "false");
        assert_eq!(global("isURL", vec![s("../relative-path")]), "false");
        assert_eq!(global("isURL", vec![s("example.com")]), "false");
        assert_eq!(global("isURL", vec![s("*")]), "true");
    }
}
