//! Header repairs, before and after symphonia opens a file, for recordings real tools write that
//! symphonia misreads:
//! - WAV whose RIFF and `data` sizes are placeholders (`0`, `0x7FFFF000`, `0xFFFFFFFF`) because
//!   the recorder or streaming writer did not know the length: symphonia is shown sizes that
//!   match the bytes present (the file is never copied: the patched words overlay it);
//! - CAF holding G.711 (`alaw`/`ulaw`): symphonia's CAF reader passes their 8 coded bits as the
//!   decoded width, which its PCM decoder refuses; the widths are implied by the codec;
//! - CAF holding FLAC without a magic cookie (FFmpeg writes none): the decoder needs a
//!   STREAMINFO block, rebuilt here from the CAF description and the first frame header.

use std::io::{Read, Seek, SeekFrom};

use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_FLAC, CODEC_ID_PCM_ALAW, CODEC_ID_PCM_MULAW,
};
use symphonia::core::codecs::audio::AudioCodecParameters;
use symphonia::core::io::MediaSource;

/// A byte buffer seen through a few overlaid 4-byte words.
pub(crate) struct Patched<'a> {
    bytes: &'a [u8],
    patches: Vec<(usize, [u8; 4])>,
    pos: u64,
}

impl<'a> Patched<'a> {
    /// `bytes` with each `(offset, word)` of `patches` written over it.
    pub(crate) fn new(bytes: &'a [u8], patches: Vec<(usize, [u8; 4])>) -> Self {
        Patched {
            bytes,
            patches,
            pos: 0,
        }
    }
}

impl Read for Patched<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = usize::try_from(self.pos)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        let n = buf.len().min(self.bytes.len() - start);
        buf[..n].copy_from_slice(&self.bytes[start..start + n]);
        for (at, word) in &self.patches {
            for (i, b) in word.iter().enumerate() {
                let p = at + i;
                if p >= start && p < start + n {
                    buf[p - start] = *b;
                }
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Patched<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let len = self.bytes.len() as i128;
        let target = match to {
            SeekFrom::Start(p) => i128::from(p),
            SeekFrom::End(d) => len + i128::from(d),
            SeekFrom::Current(d) => i128::from(self.pos) + i128::from(d),
        };
        if target < 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the start",
            ));
        }
        self.pos = u64::try_from(target).unwrap_or(u64::MAX);
        Ok(self.pos)
    }
}

impl MediaSource for Patched<'_> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.bytes.len() as u64)
    }
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The words to overlay on a RIFF/WAVE file whose RIFF or `data` size does not describe the
/// bytes present: the `data` chunk then runs to the end of the file (what every player does with
/// such files) and the RIFF size covers it. Empty for a consistent file (or not a RIFF/WAVE).
pub(crate) fn wav_patches(bytes: &[u8]) -> Vec<(usize, [u8; 4])> {
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Vec::new();
    }
    let len = bytes.len() as u64;
    let mut patches = Vec::new();
    // Walk the chunks up to `data`; a damaged chunk before it is left for symphonia to refuse.
    let mut at = 12usize;
    while let (Some(id), Some(size)) = (bytes.get(at..at + 4), le32(bytes, at + 4)) {
        let body = at as u64 + 8;
        let remaining = len.saturating_sub(body);
        if id == b"data" {
            if size == 0 || u64::from(size) > remaining {
                let fits = u32::try_from(remaining).unwrap_or(u32::MAX - 1);
                patches.push((at + 4, fits.to_le_bytes()));
            }
            break;
        }
        if u64::from(size) > remaining {
            return Vec::new();
        }
        at = usize::try_from(body + u64::from(size) + u64::from(size & 1)).unwrap_or(usize::MAX);
    }
    let riff = le32(bytes, 4).unwrap_or(0);
    let whole = u32::try_from(len - 8).unwrap_or(u32::MAX - 1);
    let inconsistent = !patches.is_empty() || riff < 4 || u64::from(riff) + 8 > len;
    if inconsistent && riff != whole {
        patches.push((4, whole.to_le_bytes()));
    }
    patches
}

/// Fixes codec parameters symphonia's CAF reader gets wrong (see the module docs).
pub(crate) fn caf_params(params: &mut AudioCodecParameters, bytes: &[u8]) {
    if params.codec == CODEC_ID_PCM_ALAW || params.codec == CODEC_ID_PCM_MULAW {
        // G.711 codes 8 bits and decodes to 16: the codec says so, the header need not.
        params.bits_per_sample = None;
        params.bits_per_coded_sample = None;
    }
    if params.codec == CODEC_ID_FLAC && params.extra_data.is_none() {
        if let Some(info) = flac_stream_info(params, bytes) {
            params.extra_data = Some(info.into());
        }
    }
}

/// A FLAC STREAMINFO block for a CAF file without a magic cookie: the rate and channels of the
/// CAF description, the sample size of the first frame header, lengths left unknown.
fn flac_stream_info(params: &AudioCodecParameters, bytes: &[u8]) -> Option<Vec<u8>> {
    let rate = params.sample_rate.filter(|&r| r > 0 && r < 1 << 20)?;
    let channels = params.channels.as_ref().map(|c| c.count())?;
    if !(1..=8).contains(&channels) {
        return None;
    }
    let frame = caf_data(bytes)?;
    if frame.len() < 4 || frame[0] != 0xFF || frame[1] & 0xFE != 0xF8 {
        return None;
    }
    let bits: u64 = match (frame[3] >> 1) & 0x07 {
        1 => 8,
        2 => 12,
        4 => 16,
        5 => 20,
        6 => 24,
        7 => 32,
        _ => u64::from(params.bits_per_sample.filter(|&b| (4..=32).contains(&b))?),
    };
    let mut info = Vec::with_capacity(34);
    info.extend_from_slice(&16u16.to_be_bytes()); // min block size: the smallest allowed
    info.extend_from_slice(&u16::MAX.to_be_bytes()); // max block size: the largest allowed
    info.extend_from_slice(&[0; 6]); // min and max frame sizes: unknown
                                     // rate (20 bits), channels - 1 (3), bits - 1 (5), total samples (36): unknown = 0.
    let packed = (u64::from(rate) << 44) | ((channels as u64 - 1) << 41) | ((bits - 1) << 36);
    info.extend_from_slice(&packed.to_be_bytes());
    info.extend_from_slice(&[0; 16]); // no MD5
    Some(info)
}

/// The audio bytes of a CAF file's `data` chunk (after its edit count).
fn caf_data(bytes: &[u8]) -> Option<&[u8]> {
    let mut at = 8usize;
    while let Some(header) = bytes.get(at..at + 12) {
        let size = i64::from_be_bytes(header[4..12].try_into().ok()?);
        let body = at + 12;
        if &header[..4] == b"data" {
            return bytes.get(body + 4..);
        }
        at = body.checked_add(usize::try_from(size).ok()?)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(riff: u32, data: u32, pcm: usize) -> Vec<u8> {
        let mut w = Vec::new();
        w.extend_from_slice(b"RIFF");
        w.extend_from_slice(&riff.to_le_bytes());
        w.extend_from_slice(b"WAVEfmt ");
        w.extend_from_slice(&16u32.to_le_bytes());
        w.extend_from_slice(&[1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0]);
        w.extend_from_slice(b"data");
        w.extend_from_slice(&data.to_le_bytes());
        w.extend(std::iter::repeat_n(0u8, pcm));
        w
    }

    #[test]
    fn consistent_wav_is_left_alone() {
        assert!(wav(36 + 1000, 1000, 1000).len() == 1044);
        assert!(wav_patches(&wav(36 + 1000, 1000, 1000)).is_empty());
        assert!(wav_patches(b"RIFF").is_empty());
        assert!(wav_patches(b"not a wav at all").is_empty());
    }

    #[test]
    fn placeholder_sizes_are_replaced_by_what_is_there() {
        for (riff, data) in [
            (0xFFFF_FFFF, 0xFFFF_FFFF),
            (0x7FFF_F000, 0x7FFF_F000),
            (0, 0),
            (0xFFFF_FFFF, 0x7FFF_F000),
            (36, 0),
        ] {
            let file = wav(riff, data, 1000);
            let patches = wav_patches(&file);
            let mut seen = Vec::new();
            Patched::new(&file, patches).read_to_end(&mut seen).unwrap();
            assert_eq!(le32(&seen, 4), Some(1036), "{riff:#x}/{data:#x}: RIFF size");
            assert_eq!(
                le32(&seen, 40),
                Some(1000),
                "{riff:#x}/{data:#x}: data size"
            );
            assert_eq!(seen[44..], file[44..]);
        }
    }

    #[test]
    fn patched_reads_and_seeks_anywhere() {
        let bytes: Vec<u8> = (0..64).collect();
        let mut p = Patched::new(&bytes, vec![(10, [0xAA; 4])]);
        p.seek(SeekFrom::Start(8)).unwrap();
        let mut four = [0u8; 4];
        p.read_exact(&mut four).unwrap();
        assert_eq!(four, [8, 9, 0xAA, 0xAA]);
        p.seek(SeekFrom::End(-2)).unwrap();
        let mut rest = Vec::new();
        p.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, vec![62, 63]);
    }
}
