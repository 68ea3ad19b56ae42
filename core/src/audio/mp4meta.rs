//! Reads the few MP4 boxes symphonia ignores but a voice note's length depends on: the movie
//! timescale (`mvhd`) and the audio track's edit list (`elst`), which hides the encoder delay.

/// The presentation length of the first track with an edit list, in milliseconds.
pub(crate) fn presentation_ms(bytes: &[u8]) -> Option<u64> {
    let moov = child(bytes, b"moov")?;
    let mvhd = child(moov, b"mvhd")?;
    let timescale = if *mvhd.first()? == 1 {
        be32(mvhd.get(20..24)?)
    } else {
        be32(mvhd.get(12..16)?)
    };
    if timescale == 0 {
        return None;
    }
    let mut rest = moov;
    while let Some((kind, body, next)) = next_box(rest) {
        rest = next;
        if kind != *b"trak" {
            continue;
        }
        let Some(elst) = child(body, b"edts").and_then(|e| child(e, b"elst")) else {
            continue;
        };
        let version = *elst.first()?;
        let count = be32(elst.get(4..8)?) as usize;
        let entry = if version == 1 { 20 } else { 12 };
        let mut total = 0u64;
        for i in 0..count.min(64) {
            let off = 8 + i * entry;
            let dur = if version == 1 {
                be64(elst.get(off..off + 8)?)
            } else {
                u64::from(be32(elst.get(off..off + 4)?))
            };
            total = total.saturating_add(dur);
        }
        return Some(total.saturating_mul(1000) / u64::from(timescale));
    }
    None
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be64(b: &[u8]) -> u64 {
    u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Splits the next box off `data`: (type, body, rest).
fn next_box(data: &[u8]) -> Option<([u8; 4], &[u8], &[u8])> {
    let size = u64::from(be32(data.get(0..4)?));
    let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
    let (header, size) = match size {
        0 => (8, data.len() as u64),
        1 => (16, be64(data.get(8..16)?)),
        s => (8, s),
    };
    let size = usize::try_from(size).ok()?;
    if size < header || size > data.len() {
        return None;
    }
    Some((kind, &data[header..size], &data[size..]))
}

/// The body of the first child box of type `kind` (full-box bodies include version and flags).
pub(crate) fn child<'a>(mut data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    while let Some((k, body, rest)) = next_box(data) {
        if &k == kind {
            return Some(body);
        }
        data = rest;
    }
    None
}
