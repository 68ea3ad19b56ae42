//! MP4 muxing: AAC frames in, an M4A out, laid out for progressive playback (`moov` before
//! `mdat`, which Messenger's players want) with an edit list that hides the encoder delay, so
//! the note is exactly as long as the recording. Boxes are built by the `mp4` crate; this module
//! only moves `moov` to the front and adds the edit list, which that crate's writer lacks.

use std::io::Cursor;

use bytes::Bytes;
use mp4::{
    AacConfig, AudioObjectType, ChannelConfig, MediaConfig, Mp4Box, Mp4Config, Mp4Sample,
    Mp4Writer, SampleFreqIndex, TrackConfig, TrackType, WriteBox,
};

use crate::error::{Error, ErrorCode, Result};

/// Writes AAC access units into an M4A held in memory.
pub(crate) struct M4aMuxer {
    writer: Mp4Writer<Cursor<Vec<u8>>>,
    rate: u32,
    frame_len: u32,
    samples: u64,
}

/// What the muxer needs to know about the AAC stream.
pub(crate) struct AacTrack {
    /// MPEG-4 audio object type (2 = AAC-LC).
    pub object_type: u8,
    /// Sampling frequency index of the AudioSpecificConfig.
    pub freq_index: u8,
    /// Channel configuration (1 = mono, 2 = stereo).
    pub channel_config: u8,
    /// Sample rate in Hz (also the media timescale).
    pub rate: u32,
    /// Target bitrate, for the esds descriptor.
    pub bitrate: u32,
    /// Samples per AAC frame (1024).
    pub frame_len: u32,
}

impl M4aMuxer {
    /// Starts an M4A for one AAC track.
    pub(crate) fn new(track: &AacTrack) -> Result<Self> {
        let brand = |s: &str| s.parse().map_err(mux_err);
        let config = Mp4Config {
            major_brand: brand("M4A ")?,
            minor_version: 512,
            compatible_brands: vec![
                brand("M4A ")?,
                brand("isom")?,
                brand("iso2")?,
                brand("mp41")?,
            ],
            timescale: track.rate,
        };
        let mut writer =
            Mp4Writer::write_start(Cursor::new(Vec::new()), &config).map_err(mux_err)?;
        let aac = AacConfig {
            bitrate: track.bitrate,
            profile: AudioObjectType::try_from(track.object_type).map_err(mux_err)?,
            freq_index: SampleFreqIndex::try_from(track.freq_index).map_err(mux_err)?,
            chan_conf: ChannelConfig::try_from(track.channel_config).map_err(mux_err)?,
        };
        writer
            .add_track(&TrackConfig {
                track_type: TrackType::Audio,
                timescale: track.rate,
                language: "und".to_owned(),
                media_conf: MediaConfig::AacConfig(aac),
            })
            .map_err(mux_err)?;
        Ok(M4aMuxer {
            writer,
            rate: track.rate,
            frame_len: track.frame_len,
            samples: 0,
        })
    }

    /// Appends one raw AAC access unit.
    pub(crate) fn write_frame(&mut self, frame: &[u8]) -> Result<()> {
        let sample = Mp4Sample {
            start_time: self.samples * u64::from(self.frame_len),
            duration: self.frame_len,
            rendering_offset: 0,
            is_sync: true,
            bytes: Bytes::copy_from_slice(frame),
        };
        self.samples += 1;
        self.writer.write_sample(1, &sample).map_err(mux_err)
    }

    /// Number of access units written so far.
    pub(crate) fn frames(&self) -> u64 {
        self.samples
    }

    /// Finishes the file. With `edit = Some((delay, frames))`, playback starts `delay` samples
    /// into the media and lasts `frames` samples (the encoder's priming and padding are hidden).
    pub(crate) fn finish(mut self, edit: Option<(u32, u64)>) -> Result<Vec<u8>> {
        self.writer.write_end().map_err(mux_err)?;
        let file = self.writer.into_writer().into_inner();
        faststart(file, edit, self.rate)
    }
}

/// Rebuilds `ftyp mdat moov` as `ftyp moov mdat`, adding the edit list.
fn faststart(file: Vec<u8>, edit: Option<(u32, u64)>, rate: u32) -> Result<Vec<u8>> {
    let size = file.len() as u64;
    let reader = mp4::Mp4Reader::read_header(Cursor::new(&file), size).map_err(mux_err)?;
    let mut moov = reader.moov;
    let ftyp = reader.ftyp;
    let ftyp_size = ftyp.box_size() as usize;
    // The mdat runs from the end of ftyp to the start of the moov the writer appended.
    let old_moov_size = moov.box_size() as usize;
    let mdat = file
        .get(ftyp_size..file.len() - old_moov_size)
        .ok_or_else(|| mux_err("unexpected layout"))?;
    for trak in moov.traks.iter_mut() {
        trak.tkhd.flags = 0x3; // enabled, in movie
        if let Some((delay, frames)) = edit {
            let media_duration = trak.mdia.mdhd.duration;
            let frames = frames.min(media_duration.saturating_sub(u64::from(delay)));
            // The edts/elst types are not exported by `mp4`; build them through Default.
            let mut edts = trak.edts.take().unwrap_or_default();
            let mut elst = edts.elst.take().unwrap_or_default();
            elst.version = 0;
            elst.flags = 0;
            elst.entries.clear();
            elst.entries.push(Default::default());
            let entry = &mut elst.entries[0];
            entry.segment_duration = frames;
            entry.media_time = u64::from(delay);
            entry.media_rate = 1;
            entry.media_rate_fraction = 0;
            edts.elst = Some(elst);
            trak.edts = Some(edts);
            trak.tkhd.duration = frames;
            moov.mvhd.duration = frames;
        }
    }
    let _ = rate;
    let new_moov_size = moov.box_size();
    for trak in moov.traks.iter_mut() {
        if let Some(co64) = trak.mdia.minf.stbl.co64.as_mut() {
            for off in co64.entries.iter_mut() {
                *off += new_moov_size;
            }
        }
        if let Some(stco) = trak.mdia.minf.stbl.stco.as_mut() {
            for off in stco.entries.iter_mut() {
                *off += u32::try_from(new_moov_size).map_err(mux_err)?;
            }
        }
    }
    let mut out = Vec::with_capacity(file.len() + 64);
    ftyp.write_box(&mut out).map_err(mux_err)?;
    moov.write_box(&mut out).map_err(mux_err)?;
    if out.len() as u64 != ftyp_size as u64 + new_moov_size {
        return Err(mux_err("moov size changed while writing"));
    }
    fix_sl_config(&mut out);
    out.extend_from_slice(mdat);
    Ok(out)
}

/// `mp4` 0.14 writes the esds SLConfigDescriptor as `06 00 00` (length 0, then a stray byte);
/// ISO 14496-1 wants `06 01 02` (length 1, predefined = 2 for MP4). FFmpeg tolerates the former,
/// symphonia (and strict players) reject the whole file. Same length, so patch it in place.
fn fix_sl_config(header: &mut [u8]) {
    let Some(pos) = header.windows(4).position(|w| w == b"esds") else {
        return;
    };
    let Some(start) = pos.checked_sub(4) else {
        return;
    };
    let size = u32::from_be_bytes([
        header[start],
        header[start + 1],
        header[start + 2],
        header[start + 3],
    ]) as usize;
    let end = start + size;
    if end <= header.len() && end >= 3 && header[end - 3..end] == [0x06, 0x00, 0x00] {
        header[end - 3..end].copy_from_slice(&[0x06, 0x01, 0x02]);
    }
}

fn mux_err(e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::UnsupportedAudio,
        format!("could not write the M4A container: {e}"),
    )
}
