//! Reads and re-stamps the timing of an Ogg/Opus file (RFC 7845) without touching its packets:
//! how many logical streams it holds, the time offset its first audio page starts at (a stream
//! cut from a longer one or captured live does not start at zero, §4.5), and a copy whose
//! granule positions start at zero, so a player shows the length of the audio it holds.
//! Pages are read and written by the `ogg` crate.

use std::io::Cursor;

use ogg::reading::PacketReader;
use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use crate::error::{Error, Result};

/// The timing of a single-stream Ogg/Opus file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpusTiming {
    /// Granule position at which the first audio page's first packet starts (48 kHz samples):
    /// 0 for a stream that starts at zero, positive for one that starts at a time offset,
    /// negative for one that claims to start before zero (invalid except on a one-page stream).
    pub start: i64,
    /// Audio packets in the stream.
    pub packets: u64,
}

/// The samples (at 48 kHz) an Opus packet decodes to, from its TOC byte (RFC 6716 §3.1).
pub(crate) fn opus_packet_samples(packet: &[u8]) -> Option<u64> {
    let toc = *packet.first()?;
    let config = toc >> 3;
    let frame = match config {
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)],
        12..=15 => [480, 960][usize::from(config % 2)],
        _ => [120, 240, 480, 960][usize::from(config % 4)],
    };
    let frames = match toc & 0x03 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(*packet.get(1)? & 0x3F),
    };
    Some(frame * frames)
}

/// The timing of `bytes` when it is one Opus logical stream; `None` for several streams
/// (chained or multiplexed), a damaged page, or no audio.
pub(crate) fn opus_timing(bytes: &[u8]) -> Option<OpusTiming> {
    let mut reader = PacketReader::new(Cursor::new(bytes));
    let mut serial = None;
    let mut index = 0u64;
    let mut first_page: Option<(u64, u64)> = None; // (granule, samples on it)
    let mut in_first_page = 0u64;
    let mut packets = 0u64;
    loop {
        let packet = match reader.read_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(_) => return None,
        };
        if *serial.get_or_insert(packet.stream_serial()) != packet.stream_serial() {
            return None;
        }
        index += 1;
        if index <= 2 {
            continue; // OpusHead, OpusTags
        }
        packets += 1;
        if first_page.is_none() {
            in_first_page += opus_packet_samples(&packet.data)?;
            if packet.last_in_page() {
                first_page = Some((packet.absgp_page(), in_first_page));
            }
        }
    }
    let (granule, samples) = first_page?;
    let start = i64::try_from(granule).ok()? - i64::try_from(samples).ok()?;
    Some(OpusTiming { start, packets })
}

/// A copy of the single-stream Ogg/Opus `bytes` whose audio granule positions are `shift`
/// samples earlier (same packets, same page boundaries, new checksums).
pub(crate) fn restamp(bytes: &[u8], shift: u64) -> Result<Vec<u8>> {
    let mut reader = PacketReader::new(Cursor::new(bytes));
    let mut writer = PacketWriter::new(Vec::with_capacity(bytes.len()));
    let mut index = 0u64;
    let bad = |e: ogg::OggReadError| {
        Error::unsupported_audio(format!("this Ogg file could not be read to the end ({e})"))
    };
    let mut next = reader.read_packet().map_err(bad)?;
    while let Some(packet) = next {
        next = reader.read_packet().map_err(bad)?;
        index += 1;
        let end = if next.is_none() || packet.last_in_stream() {
            PacketWriteEndInfo::EndStream
        } else if packet.last_in_page() {
            PacketWriteEndInfo::EndPage
        } else {
            PacketWriteEndInfo::NormalPacket
        };
        let granule = if index <= 2 {
            packet.absgp_page()
        } else {
            packet.absgp_page().saturating_sub(shift)
        };
        let serial = packet.stream_serial();
        writer
            .write_packet(packet.data, serial, end, granule)
            .map_err(|e| Error::unsupported_audio(format!("could not write the Ogg file ({e})")))?;
        if end == PacketWriteEndInfo::EndStream {
            break;
        }
    }
    Ok(writer.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_durations_from_the_toc() {
        assert_eq!(opus_packet_samples(&[0x08 << 3 | 1]), Some(960)); // SILK WB, 2 x 10 ms
        assert_eq!(opus_packet_samples(&[(1 << 3) | 1]), Some(1920)); // 2 x 20 ms
        assert_eq!(opus_packet_samples(&[31 << 3]), Some(960)); // CELT FB 20 ms
        assert_eq!(opus_packet_samples(&[(3 << 3) | 3, 3]), Some(3 * 2880));
        assert_eq!(opus_packet_samples(&[]), None);
    }
}
