//! Content sniffing: says what a byte buffer is from its magic bytes, before any decoder sees it,
//! so that non-audio (images, web pages, random bytes) is refused with a precise message and
//! never reaches a demuxer that would hunt for a sync word in noise.

/// What the first bytes of a buffer say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// ISO BMFF (MP4, M4A, MOV, 3GP): `ftyp`/`moov`/... box at offset 0.
    Mp4 { three_gp: bool },
    /// Raw AAC in ADTS frames.
    Adts,
    /// MPEG audio (MP3/MP2/MP1), possibly behind an ID3v2 tag.
    Mpeg,
    /// Ogg, with the codec of its first stream.
    Ogg(OggCodec),
    /// EBML: WebM or Matroska.
    Matroska { webm: bool },
    /// RIFF/WAVE, RF64 or BW64.
    Wav,
    /// Native FLAC.
    Flac,
    /// Apple Core Audio Format.
    Caf,
    /// AIFF or AIFF-C.
    Aiff,
    /// Recognised, but nothing here can decode it; the string names it for the error message.
    Refused(&'static str),
}

/// The codec announced by the first Ogg page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OggCodec {
    Opus,
    Vorbis,
    Flac,
    Unknown,
}

/// Why a buffer is refused outright: a description for the `unsupported_audio` message.
pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.is_empty() {
        return Sniffed::Refused("an empty file (0 bytes)");
    }
    let head = &bytes[..bytes.len().min(64)];
    let at = |off: usize, magic: &[u8]| {
        bytes.len() >= off + magic.len() && &bytes[off..off + magic.len()] == magic
    };

    if at(0, b"#!AMR-WB\n") {
        return Sniffed::Refused(
            "AMR-WB audio (an Android voice recorder format), which is not supported",
        );
    }
    if at(0, b"#!AMR") {
        return Sniffed::Refused(
            "AMR-NB audio (an Android voice recorder format), which is not supported",
        );
    }
    if at(4, b"ftyp") {
        let brand = bytes.get(8..12).unwrap_or(b"");
        return Sniffed::Mp4 {
            three_gp: brand.starts_with(b"3g"),
        };
    }
    if at(4, b"moov") || at(4, b"mdat") || at(4, b"free") || at(4, b"wide") || at(4, b"skip") {
        return Sniffed::Mp4 { three_gp: false };
    }
    if at(0, b"OggS") {
        return Sniffed::Ogg(ogg_codec(bytes));
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        let doc = &bytes[..bytes.len().min(128)];
        return Sniffed::Matroska {
            webm: find(doc, b"webm").is_some(),
        };
    }
    if (at(0, b"RIFF") || at(0, b"RIFX")) && at(8, b"WAVE") || at(0, b"RF64") || at(0, b"BW64") {
        return Sniffed::Wav;
    }
    if at(0, b"RIFF") && at(8, b"AVI ") {
        return Sniffed::Refused("an AVI video file, not an audio recording");
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return Sniffed::Refused("a WebP image, not audio");
    }
    if at(0, b"fLaC") {
        return Sniffed::Flac;
    }
    if at(0, b"caff") {
        return Sniffed::Caf;
    }
    if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        return Sniffed::Aiff;
    }
    if at(0, &[0x89, b'P', b'N', b'G']) {
        return Sniffed::Refused("a PNG image, not audio");
    }
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Refused("a JPEG image, not audio");
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Sniffed::Refused("a GIF image, not audio");
    }
    if at(0, b"%PDF") {
        return Sniffed::Refused("a PDF document, not audio");
    }
    if at(0, b"PK\x03\x04") {
        return Sniffed::Refused("a ZIP archive, not audio");
    }
    if at(0, b"MThd") {
        return Sniffed::Refused("a MIDI file (notes, not a recording), which is not supported");
    }
    if at(0, b".snd") {
        return Sniffed::Refused("Sun/NeXT .au audio, which is not supported");
    }
    if at(0, b"0&\xB2\x75\x8E\x66\xCF\x11") {
        return Sniffed::Refused("a Windows Media (ASF/WMA) file, which is not supported");
    }
    if at(0, b"ID3") {
        return after_id3(bytes);
    }
    if is_adts_at(bytes, 0) {
        return Sniffed::Adts;
    }
    if is_mpeg_audio_at(bytes, 0) {
        return Sniffed::Mpeg;
    }
    if let Some(kind) = markup(head) {
        return Sniffed::Refused(kind);
    }
    // Some MP3 files start with a few bytes of junk: accept a run of valid frames close to the start.
    let window = bytes.len().min(4096);
    if (1..window).any(|i| bytes[i] == 0xFF && is_mpeg_audio_at(bytes, i)) {
        return Sniffed::Mpeg;
    }
    if bytes.len() < 12 {
        return Sniffed::Refused("a file too short to hold any audio (a truncated header)");
    }
    if head
        .iter()
        .all(|&b| b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7F).contains(&b))
    {
        return Sniffed::Refused("plain text, not audio");
    }
    Sniffed::Refused("unrecognised data: no known audio signature at the start of the file")
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn ogg_codec(bytes: &[u8]) -> OggCodec {
    // The first page's first packet starts after the 27-byte header and the segment table.
    let first = &bytes[..bytes.len().min(256)];
    if find(first, b"OpusHead").is_some() {
        OggCodec::Opus
    } else if find(first, b"\x01vorbis").is_some() {
        OggCodec::Vorbis
    } else if find(first, b"\x7FFLAC").is_some() {
        OggCodec::Flac
    } else {
        OggCodec::Unknown
    }
}

fn markup(head: &[u8]) -> Option<&'static str> {
    let text: Vec<u8> = head
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xEF || **b == 0xBB || **b == 0xBF)
        .take(32)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    if text.starts_with(b"<!doctype html")
        || text.starts_with(b"<html")
        || text.starts_with(b"<head")
    {
        Some("an HTML page, not audio (a URL that served a web page instead of the recording?)")
    } else if text.starts_with(b"<?xml") || text.starts_with(b"<svg") {
        Some("an XML/SVG document, not audio")
    } else if text.starts_with(b"{") || text.starts_with(b"[") {
        Some("JSON text, not audio (an API error response instead of the recording?)")
    } else {
        None
    }
}

fn after_id3(bytes: &[u8]) -> Sniffed {
    if bytes.len() < 10 {
        return Sniffed::Refused("a truncated ID3 tag with no audio after it");
    }
    let size = bytes[6..10]
        .iter()
        .fold(0usize, |acc, &b| (acc << 7) | usize::from(b & 0x7F));
    let footer = if bytes[5] & 0x10 != 0 { 10 } else { 0 };
    let start = 10 + size + footer;
    if start >= bytes.len() {
        return Sniffed::Refused("an ID3 tag with no audio after it (a truncated MP3)");
    }
    let rest = &bytes[start..];
    // Padding after a tag is common: skip zero bytes.
    let skip = rest.iter().take(64 * 1024).take_while(|&&b| b == 0).count();
    if is_adts_at(rest, skip) {
        return Sniffed::Adts;
    }
    if rest[skip..].starts_with(b"fLaC") {
        return Sniffed::Flac;
    }
    // Trust the tag: MPEG audio with an ID3 tag is by far the common case, and the MPEG
    // demuxer resynchronises on its own.
    Sniffed::Mpeg
}

/// An ADTS header at `off` (and, when the buffer is long enough, another one right after it).
pub(crate) fn is_adts_at(bytes: &[u8], off: usize) -> bool {
    let Some(h) = bytes.get(off..off + 7) else {
        return false;
    };
    if h[0] != 0xFF || h[1] & 0xF6 != 0xF0 {
        return false;
    }
    let sf_index = (h[2] >> 2) & 0x0F;
    if sf_index > 12 {
        return false;
    }
    let len = adts_frame_len(h);
    if len < 7 {
        return false;
    }
    let next = off + len;
    if next + 2 <= bytes.len() {
        bytes[next] == 0xFF && bytes[next + 1] & 0xF6 == 0xF0
    } else {
        true
    }
}

/// The frame length field of an ADTS header (header included).
pub(crate) fn adts_frame_len(h: &[u8]) -> usize {
    (usize::from(h[3] & 0x03) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5)
}

/// Three consecutive valid MPEG audio frame headers starting at `off` (fewer if the buffer ends).
fn is_mpeg_audio_at(bytes: &[u8], off: usize) -> bool {
    let mut pos = off;
    for i in 0..3 {
        match mpeg_frame_len(bytes.get(pos..pos + 4)) {
            Some(len) => pos += len,
            None => return i > 0 && pos >= bytes.len(),
        }
    }
    true
}

fn mpeg_frame_len(h: Option<&[u8]>) -> Option<usize> {
    let h = h?;
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 0x03; // 0: 2.5, 2: 2, 3: 1
    let layer = (h[1] >> 1) & 0x03; // 1: III, 2: II, 3: I
    let br_index = usize::from(h[2] >> 4);
    let sr_index = usize::from((h[2] >> 2) & 0x03);
    if version == 1 || layer == 0 || br_index == 0 || br_index == 15 || sr_index == 3 {
        return None;
    }
    let padding = usize::from((h[2] >> 1) & 0x01);
    const BR_V1: [[usize; 15]; 3] = [
        [
            0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ],
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ],
        [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ],
    ];
    const BR_V2: [[usize; 15]; 2] = [
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];
    const SR: [usize; 3] = [44100, 48000, 32000];
    let v1 = version == 3;
    let rate = SR[sr_index]
        >> if v1 {
            0
        } else if version == 2 {
            1
        } else {
            2
        };
    let kbps = match (v1, layer) {
        (true, 3) => BR_V1[0][br_index],
        (true, 2) => BR_V1[1][br_index],
        (true, _) => BR_V1[2][br_index],
        (false, 3) => BR_V2[0][br_index],
        (false, _) => BR_V2[1][br_index],
    };
    let bps = kbps * 1000;
    let len = match layer {
        3 => (12 * bps / rate + padding) * 4,
        1 if !v1 => 72 * bps / rate + padding,
        _ => 144 * bps / rate + padding,
    };
    (len >= 4).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_non_audio_with_a_name() {
        assert_eq!(sniff(b""), Sniffed::Refused("an empty file (0 bytes)"));
        assert!(
            matches!(sniff(b"\x89PNG\r\n\x1a\n0000000000"), Sniffed::Refused(s) if s.contains("PNG"))
        );
        assert!(
            matches!(sniff(b"  <!DOCTYPE html><html>"), Sniffed::Refused(s) if s.contains("HTML"))
        );
        assert!(
            matches!(sniff(b"#!AMR\n\x3c\x00\x00"), Sniffed::Refused(s) if s.contains("AMR-NB"))
        );
    }

    #[test]
    fn recognises_containers() {
        assert_eq!(
            sniff(b"\0\0\0\x20ftypM4A \0\0\0\0"),
            Sniffed::Mp4 { three_gp: false }
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftyp3gp4\0\0\0\0"),
            Sniffed::Mp4 { three_gp: true }
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Sniffed::Wav);
        assert_eq!(sniff(b"fLaC\0\0\0\x22"), Sniffed::Flac);
    }
}
