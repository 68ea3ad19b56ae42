//! Ogg/Opus muxing (RFC 7845): an `OpusHead` page (with the encoder's pre-skip), an `OpusTags`
//! page, then audio pages of up to a second each, every page stamped with the granule position
//! of its last packet, and the last page's granule position trimmed to the input's length so a
//! player stops exactly where the recording ends. Pages are written by the `ogg` crate.

use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use crate::error::{Error, ErrorCode, Result};

/// Audio packets per page (a second of 20 ms packets, as opusenc does).
const PACKETS_PER_PAGE: usize = 50;

/// Packets held back from the writer, so the last page has enough audio to carry the end trim
/// (RFC 7845 §4.5: end trimming only removes samples of the last page).
const HELD_BACK: usize = 2;

/// What the `OpusHead` states.
pub(crate) struct OpusStream {
    /// Ogg logical stream serial number.
    pub serial: u32,
    /// Channel count (1 for voice notes).
    pub channels: u8,
    /// Samples at 48 kHz the decoder discards at the start (the encoder's look-ahead).
    pub pre_skip: u16,
    /// The original input's sample rate (informational).
    pub input_rate: u32,
    /// Samples at 48 kHz in one packet (960 for 20 ms).
    pub packet_samples: u64,
}

/// Writes Opus packets into an Ogg file held in memory.
pub(crate) struct OggMuxer {
    writer: PacketWriter<'static, Vec<u8>>,
    stream: OpusStream,
    /// Packets not yet handed to the writer, with their samples at 48 kHz.
    held: std::collections::VecDeque<(Vec<u8>, u64)>,
    /// Packets written to the current page.
    in_page: usize,
    /// Samples (48 kHz, pre-skip included) of the packets handed to the writer so far.
    granule: u64,
}

impl OggMuxer {
    /// Starts the stream: writes the two header pages.
    pub(crate) fn new(stream: OpusStream) -> Result<Self> {
        let mut writer = PacketWriter::new(Vec::new());
        let mut head = Vec::with_capacity(19);
        head.extend_from_slice(b"OpusHead");
        head.push(1); // version
        head.push(stream.channels);
        head.extend_from_slice(&stream.pre_skip.to_le_bytes());
        head.extend_from_slice(&stream.input_rate.to_le_bytes());
        head.extend_from_slice(&0i16.to_le_bytes()); // output gain
        head.push(0); // channel mapping family 0: mono or stereo
        writer
            .write_packet(head, stream.serial, PacketWriteEndInfo::EndPage, 0)
            .map_err(mux_err)?;
        writer
            .write_packet(tags(), stream.serial, PacketWriteEndInfo::EndPage, 0)
            .map_err(mux_err)?;
        Ok(OggMuxer {
            writer,
            stream,
            held: std::collections::VecDeque::new(),
            in_page: 0,
            granule: 0,
        })
    }

    /// Bytes written so far (pages completed), plus the packets not yet in a page.
    pub(crate) fn len(&self) -> u64 {
        let held: usize = self.held.iter().map(|(p, _)| p.len()).sum();
        (self.writer.inner().len() + held) as u64
    }

    /// Appends one Opus packet of [`OpusStream::packet_samples`].
    pub(crate) fn write_packet(&mut self, packet: &[u8]) -> Result<()> {
        self.write_packet_of(packet, self.stream.packet_samples)
    }

    /// Appends one Opus packet that decodes to `samples` samples at 48 kHz.
    pub(crate) fn write_packet_of(&mut self, packet: &[u8], samples: u64) -> Result<()> {
        self.held.push_back((packet.to_vec(), samples));
        while self.held.len() > HELD_BACK {
            let Some((next, samples)) = self.held.pop_front() else {
                break;
            };
            self.in_page += 1;
            let end = if self.in_page == PACKETS_PER_PAGE {
                self.in_page = 0;
                PacketWriteEndInfo::EndPage
            } else {
                PacketWriteEndInfo::NormalPacket
            };
            // The samples decodable from the packets so far, pre-skip included (RFC 7845 §4).
            self.granule += samples;
            self.writer
                .write_packet(next, self.stream.serial, end, self.granule)
                .map_err(mux_err)?;
        }
        Ok(())
    }

    /// Ends the stream: the last page's granule position says the stream holds exactly
    /// `samples` samples at 48 kHz after the pre-skip (the rest of the last page is trimmed).
    pub(crate) fn finish(mut self, samples: u64) -> Result<Vec<u8>> {
        let last = u64::from(self.stream.pre_skip) + samples;
        let count = self.held.len();
        for (i, (packet, samples)) in std::mem::take(&mut self.held).into_iter().enumerate() {
            self.granule += samples;
            let end = if i + 1 == count {
                PacketWriteEndInfo::EndStream
            } else {
                PacketWriteEndInfo::NormalPacket
            };
            self.writer
                .write_packet(packet, self.stream.serial, end, self.granule.min(last))
                .map_err(mux_err)?;
        }
        Ok(self.writer.into_inner())
    }
}

/// The `OpusTags` packet: vendor string (the libopus version) and one comment naming Svara.
fn tags() -> Vec<u8> {
    let vendor = opusic_c::version().as_bytes();
    let comment = format!("ENCODER=svara {}", env!("CARGO_PKG_VERSION"));
    let mut out = Vec::with_capacity(8 + 4 + vendor.len() + 8 + comment.len());
    out.extend_from_slice(b"OpusTags");
    out.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    out.extend_from_slice(vendor);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(comment.len() as u32).to_le_bytes());
    out.extend_from_slice(comment.as_bytes());
    out
}

fn mux_err(e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::UnsupportedAudio,
        format!("could not write the Ogg container: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (granule position, flags, packet count) of every page.
    fn pages(bytes: &[u8]) -> Vec<(u64, u8, usize)> {
        let mut out = Vec::new();
        let mut at = 0;
        while at + 27 <= bytes.len() {
            assert_eq!(&bytes[at..at + 4], b"OggS");
            let granule = u64::from_le_bytes(bytes[at + 6..at + 14].try_into().unwrap());
            let segments = usize::from(bytes[at + 26]);
            let lacing = &bytes[at + 27..at + 27 + segments];
            let packets = lacing.iter().filter(|&&l| l < 255).count();
            out.push((granule, bytes[at + 5], packets));
            at += 27 + segments + lacing.iter().map(|&l| usize::from(l)).sum::<usize>();
        }
        assert_eq!(at, bytes.len());
        out
    }

    #[test]
    fn pages_carry_granules_and_the_end_trim() {
        let mut m = OggMuxer::new(OpusStream {
            serial: 7,
            channels: 1,
            pre_skip: 312,
            input_rate: 16_000,
            packet_samples: 960,
        })
        .unwrap();
        for i in 0..101u32 {
            m.write_packet(&[0x08, i as u8]).unwrap();
        }
        let samples = 101 * 960 - 312 - 500;
        let out = m.finish(samples).unwrap();
        let p = pages(&out);
        assert_eq!(p[0], (0, 0x02, 1), "OpusHead alone on a BOS page");
        assert_eq!(p[1], (0, 0x00, 1), "OpusTags alone");
        assert_eq!(
            p[2],
            (50 * 960, 0, 50),
            "granule counts the pre-skip samples"
        );
        assert_eq!(p[3], (312 + samples, 0x04, 51), "EOS page, trimmed");
        assert_eq!(p.len(), 4);
        assert!(out.windows(8).any(|w| w == b"OpusTags"));
    }
}
