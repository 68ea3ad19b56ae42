//! Reads the few MP4 facts symphonia does not give us but a voice note depends on: the audio
//! track's edit list (`elst`, which hides the encoder delay, so it states the playable length)
//! and the sample entries' four-cc codes (to name a codec nobody can decode). The boxes are
//! parsed by `mp4-atom`; a `moov` it cannot parse simply yields no answer.

use mp4_atom::{Any, Atom, Codec, Decode, DecodeMaybe, Moov};

/// The parsed `moov` box of an MP4, if it has one that parses.
fn moov(bytes: &[u8]) -> Option<Moov> {
    let mut buf = bytes;
    loop {
        match Any::decode_maybe(&mut buf) {
            Ok(Some(Any::Moov(moov))) => return Some(moov),
            Ok(Some(_)) => continue,
            // A truncated top-level box (an mdat cut short) or garbage: no moov after it.
            Ok(None) | Err(_) => return moov_after_error(bytes),
        }
    }
}

/// Finds `moov` by its header when a sibling box does not parse (mp4-atom is strict about
/// boxes it knows, and the `moov` is all we need).
fn moov_after_error(bytes: &[u8]) -> Option<Moov> {
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let mut buf = &bytes[at..];
        let header = mp4_atom::Header::decode(&mut buf).ok()?;
        let header_len = bytes.len() - at - buf.len();
        let size = header.size.unwrap_or(buf.len());
        if header.kind == Moov::KIND {
            let end = (at + header_len).checked_add(size)?;
            return Moov::decode(&mut bytes.get(at..end)?).ok();
        }
        at = (at + header_len).checked_add(size)?;
    }
    None
}

/// The presentation length of the first track with an edit list, in milliseconds.
pub(crate) fn presentation_ms(bytes: &[u8]) -> Option<u64> {
    let moov = moov(bytes)?;
    let timescale = u64::from(moov.mvhd.timescale);
    if timescale == 0 {
        return None;
    }
    let elst = moov
        .trak
        .iter()
        .find_map(|t| t.edts.as_ref().and_then(|e| e.elst.as_ref()))?;
    let total = elst
        .entries
        .iter()
        .take(64)
        .fold(0u64, |sum, e| sum.saturating_add(e.segment_duration));
    Some(total.saturating_mul(1000) / timescale)
}

/// The four-cc codes of every track's sample entries.
pub(crate) fn sample_entries(bytes: &[u8]) -> Vec<[u8; 4]> {
    let Some(moov) = moov(bytes) else {
        return Vec::new();
    };
    moov.trak
        .iter()
        .flat_map(|t| t.mdia.minf.stbl.stsd.codecs.iter())
        .map(|c| match c {
            Codec::Unknown(kind, _) => (*kind).into(),
            Codec::Samr(_) => *b"samr",
            Codec::Ac3(_) => *b"ac-3",
            Codec::Eac3(_) => *b"ec-3",
            _ => [0; 4],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_edit_list_of_our_own_output() {
        let mut m = crate::audio::mux::m4a::M4aMuxer::new(crate::audio::mux::m4a::AacTrack {
            object_type: 2,
            freq_index: 8,
            channel_config: 1,
            rate: 16_000,
            bitrate: 32_000,
            frame_len: 1024,
        })
        .unwrap();
        for _ in 0..40 {
            m.write_frame(&[0x21, 0x10, 0x04]).unwrap();
        }
        let out = m.finish(Some((2048, 32_000))).unwrap();
        assert_eq!(presentation_ms(&out), Some(2000));
        assert_eq!(presentation_ms(b"\0\0\0\x08free"), None);
        assert!(sample_entries(&out).iter().all(|k| k == &[0; 4]));
    }
}
