//! M4A muxing: AAC access units in, an M4A out, laid out for progressive playback (`ftyp moov
//! mdat`: Messenger's players want the index first) with an edit list that hides the encoder
//! delay, so the note lasts exactly as long as the recording. Every box is written by `mp4-atom`;
//! this module only decides their values.

use mp4_atom::esds::{DecoderConfig, DecoderSpecific, EsDescriptor, SLConfig};
use mp4_atom::{
    Audio, Codec, Dinf, Dref, Elst, ElstEntry, Encode, Esds, FixedPoint, FourCC, Ftyp, Hdlr,
    Header, Mdhd, Mdia, Minf, Moov, Mp4a, Mvhd, Smhd, Stbl, Stco, Stsc, StscEntry, Stsd, Stsz,
    StszSamples, Stts, SttsEntry, Tkhd, Trak, Url,
};

use crate::error::{Error, ErrorCode, Result};

/// Access units per MP4 chunk (one `stco` entry each), about a second of audio.
const FRAMES_PER_CHUNK: u32 = 32;

/// What the muxer needs to know about the AAC stream.
pub(crate) struct AacTrack {
    /// MPEG-4 audio object type (2 = AAC-LC).
    pub object_type: u8,
    /// Sampling frequency index of the AudioSpecificConfig.
    pub freq_index: u8,
    /// Channel configuration (1 = mono, 2 = stereo).
    pub channel_config: u8,
    /// Sample rate in Hz (also the media and movie timescale).
    pub rate: u32,
    /// Target bitrate, for the esds descriptor (0 when unknown).
    pub bitrate: u32,
    /// Samples per AAC frame (1024).
    pub frame_len: u32,
}

/// Writes AAC access units into an M4A held in memory.
pub(crate) struct M4aMuxer {
    track: AacTrack,
    /// The `mdat` payload: every access unit back to back.
    data: Vec<u8>,
    sizes: Vec<u32>,
}

impl M4aMuxer {
    /// Starts an M4A for one AAC track.
    pub(crate) fn new(track: AacTrack) -> Result<Self> {
        if track.rate == 0 || track.rate > u32::from(u16::MAX) || track.frame_len == 0 {
            return Err(mux_err(format!(
                "an MP4 sample entry cannot carry {} Hz",
                track.rate
            )));
        }
        Ok(M4aMuxer {
            track,
            data: Vec::new(),
            sizes: Vec::new(),
        })
    }

    /// Appends one raw AAC access unit.
    pub(crate) fn write_frame(&mut self, frame: &[u8]) -> Result<()> {
        let size = u32::try_from(frame.len()).map_err(mux_err)?;
        self.data.extend_from_slice(frame);
        self.sizes.push(size);
        Ok(())
    }

    /// Number of access units written so far.
    pub(crate) fn frames(&self) -> u64 {
        self.sizes.len() as u64
    }

    /// Finishes the file. With `edit = Some((delay, frames))`, playback starts `delay` samples
    /// into the media and lasts `frames` samples (the encoder's priming and padding are hidden).
    pub(crate) fn finish(self, edit: Option<(u32, u64)>) -> Result<Vec<u8>> {
        let ftyp = Ftyp {
            major_brand: FourCC::new(b"M4A "),
            minor_version: 512,
            compatible_brands: [b"M4A ", b"isom", b"iso2", b"mp41"]
                .into_iter()
                .map(FourCC::new)
                .collect(),
        };
        let mut head = Vec::with_capacity(1024 + self.sizes.len() * 4);
        ftyp.encode(&mut head).map_err(mux_err)?;
        // The chunk offsets depend on the size of `moov`, which does not depend on their values:
        // lay it out once to measure it, then again with the real offsets.
        let probe = self.moov(edit, 0)?;
        let mut measured = Vec::new();
        probe.encode(&mut measured).map_err(mux_err)?;
        let mdat_header = mdat_header(self.data.len())?;
        let first_sample = (head.len() + measured.len() + mdat_header.len()) as u64;
        self.moov(edit, first_sample)?
            .encode(&mut head)
            .map_err(mux_err)?;
        head.extend_from_slice(&mdat_header);
        if head.len() as u64 != first_sample {
            return Err(mux_err("the moov box changed size between layouts"));
        }
        // Put the header in front of the media without a second copy of it.
        let mut out = self.data;
        let media = out.len();
        out.resize(media + head.len(), 0);
        out.copy_within(..media, head.len());
        out[..head.len()].copy_from_slice(&head);
        Ok(out)
    }

    /// The `moov` box for samples that start at byte `first_sample` of the file.
    fn moov(&self, edit: Option<(u32, u64)>, first_sample: u64) -> Result<Moov> {
        let t = &self.track;
        let count = u32::try_from(self.sizes.len()).map_err(mux_err)?;
        let media_duration = u64::from(count) * u64::from(t.frame_len);
        let (presented, edts) = match edit {
            Some((delay, frames)) => {
                let frames = frames.min(media_duration.saturating_sub(u64::from(delay)));
                let elst = Elst {
                    entries: vec![ElstEntry {
                        segment_duration: frames,
                        media_time: Some(u64::from(delay)),
                        media_rate: FixedPoint::from(1i16),
                    }],
                };
                (frames, Some(mp4_atom::Edts { elst: Some(elst) }))
            }
            None => (media_duration, None),
        };
        let chunks = count.div_ceil(FRAMES_PER_CHUNK);
        let mut offsets = Vec::with_capacity(chunks as usize);
        let mut at = first_sample;
        for (i, size) in self.sizes.iter().enumerate() {
            if (i as u32).is_multiple_of(FRAMES_PER_CHUNK) {
                offsets.push(at);
            }
            at += u64::from(*size);
        }
        let mut stsc = vec![StscEntry {
            first_chunk: 1,
            samples_per_chunk: FRAMES_PER_CHUNK,
            sample_description_index: 1,
        }];
        let last = count % FRAMES_PER_CHUNK;
        if last != 0 {
            stsc.push(StscEntry {
                first_chunk: chunks,
                samples_per_chunk: last,
                sample_description_index: 1,
            });
            if chunks == 1 {
                stsc.remove(0);
            }
        }
        if count == 0 {
            stsc.clear();
        }
        let stco = offsets
            .iter()
            .map(|&o| u32::try_from(o).map_err(mux_err))
            .collect::<Result<Vec<u32>>>()?;
        let stts = if count == 0 {
            Vec::new()
        } else {
            vec![SttsEntry {
                sample_count: count,
                sample_delta: t.frame_len,
            }]
        };
        let bitrate = if t.bitrate > 0 {
            t.bitrate
        } else {
            // An ADTS stream carried as is: state what it really averages.
            let seconds = media_duration as f64 / f64::from(t.rate);
            (self.data.len() as f64 * 8.0 / seconds.max(0.001)) as u32
        };
        let esds = Esds {
            es_desc: EsDescriptor {
                es_id: 1,
                dec_config: DecoderConfig {
                    object_type_indication: 0x40, // MPEG-4 audio
                    stream_type: 0x05,            // audio stream
                    up_stream: 0,
                    buffer_size_db: Default::default(),
                    max_bitrate: bitrate,
                    avg_bitrate: bitrate,
                    dec_specific: Some(DecoderSpecific {
                        profile: t.object_type,
                        freq_index: t.freq_index,
                        chan_conf: t.channel_config,
                        raw: Vec::new(),
                    }),
                },
                sl_config: SLConfig::default(),
                ..Default::default()
            },
        };
        let channels = if t.channel_config == 7 {
            8
        } else {
            u16::from(t.channel_config)
        };
        let sample_entry = Mp4a {
            audio: Audio {
                data_reference_index: 1,
                channel_count: channels,
                sample_size: 16,
                sample_rate: FixedPoint::new(t.rate as u16, 0),
            },
            esds,
            btrt: None,
            taic: None,
        };
        let stbl = Stbl {
            stsd: Stsd {
                codecs: vec![Codec::Mp4a(sample_entry)],
            },
            stts: Stts { entries: stts },
            stsc: Stsc { entries: stsc },
            stsz: Stsz {
                samples: StszSamples::Different {
                    sizes: self.sizes.clone(),
                },
            },
            stco: Some(Stco { entries: stco }),
            ..Default::default()
        };
        let trak = Trak {
            tkhd: Tkhd {
                track_id: 1,
                duration: presented,
                enabled: true,
                in_movie: true,
                volume: FixedPoint::from(1u8),
                ..Default::default()
            },
            edts,
            mdia: Mdia {
                mdhd: Mdhd {
                    timescale: t.rate,
                    duration: media_duration,
                    language: "und".to_owned(),
                    ..Default::default()
                },
                hdlr: Hdlr {
                    handler: FourCC::new(b"soun"),
                    name: "SoundHandler".to_owned(),
                },
                minf: Minf {
                    smhd: Some(Smhd::default()),
                    dinf: Dinf {
                        dref: Dref {
                            entries: vec![Url::default().into()],
                        },
                    },
                    stbl,
                    ..Default::default()
                },
            },
            ..Default::default()
        };
        Ok(Moov {
            mvhd: Mvhd {
                timescale: t.rate,
                duration: presented,
                rate: FixedPoint::from(1u16),
                volume: FixedPoint::from(1u8),
                next_track_id: 2,
                ..Default::default()
            },
            trak: vec![trak],
            ..Default::default()
        })
    }
}

/// The 8-byte (or 16-byte, over 4 GB) `mdat` header for `len` bytes of media.
fn mdat_header(len: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(16);
    Header {
        kind: FourCC::new(b"mdat"),
        size: Some(len),
    }
    .encode(&mut out)
    .map_err(mux_err)?;
    Ok(out)
}

fn mux_err(e: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::UnsupportedAudio,
        format!("could not write the M4A container: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mp4_atom::Decode;

    fn track() -> AacTrack {
        AacTrack {
            object_type: 2,
            freq_index: 8,
            channel_config: 1,
            rate: 16_000,
            bitrate: 64_000,
            frame_len: 1024,
        }
    }

    #[test]
    fn layout_is_ftyp_moov_mdat_with_offsets_into_mdat() {
        let mut m = M4aMuxer::new(track()).unwrap();
        let frames: Vec<Vec<u8>> = (0..70u8).map(|i| vec![i; 10 + usize::from(i)]).collect();
        for f in &frames {
            m.write_frame(f).unwrap();
        }
        let out = m.finish(Some((2048, 70 * 1024 - 3000))).unwrap();
        let mut buf = out.as_slice();
        let ftyp = Ftyp::decode(&mut buf).unwrap();
        assert_eq!(ftyp.major_brand, FourCC::new(b"M4A "));
        let moov = Moov::decode(&mut buf).unwrap();
        let mdat_at = out.len() - buf.len();
        assert_eq!(&buf[4..8], b"mdat");
        let trak = &moov.trak[0];
        let elst = trak.edts.as_ref().unwrap().elst.as_ref().unwrap();
        assert_eq!(elst.entries[0].media_time, Some(2048));
        assert_eq!(elst.entries[0].segment_duration, 70 * 1024 - 3000);
        let stbl = &trak.mdia.minf.stbl;
        let offsets = &stbl.stco.as_ref().unwrap().entries;
        assert_eq!(offsets.len(), 3, "70 frames in chunks of 32");
        assert_eq!(offsets[0] as usize, mdat_at + 8);
        // Every chunk offset points at its first frame's bytes.
        for (c, &off) in offsets.iter().enumerate() {
            let f = &frames[c * 32];
            assert_eq!(&out[off as usize..off as usize + f.len()], f.as_slice());
        }
        assert_eq!(stbl.stsc.entries.len(), 2);
        // The SLConfigDescriptor is `06 01 02` (predefined = 2), which strict readers require.
        assert!(out.windows(3).any(|w| w == [0x06, 0x01, 0x02]));
    }

    #[test]
    fn empty_and_single_chunk_notes_are_consistent() {
        let empty = M4aMuxer::new(track()).unwrap().finish(None).unwrap();
        let mut buf = empty.as_slice();
        Ftyp::decode(&mut buf).unwrap();
        let moov = Moov::decode(&mut buf).unwrap();
        assert!(moov.trak[0].mdia.minf.stbl.stsc.entries.is_empty());
        let mut m = M4aMuxer::new(track()).unwrap();
        for _ in 0..5 {
            m.write_frame(&[1, 2, 3]).unwrap();
        }
        let out = m.finish(None).unwrap();
        let mut buf = out.as_slice();
        Ftyp::decode(&mut buf).unwrap();
        let moov = Moov::decode(&mut buf).unwrap();
        let stsc = &moov.trak[0].mdia.minf.stbl.stsc.entries;
        assert_eq!(stsc.len(), 1);
        assert_eq!(stsc[0].samples_per_chunk, 5);
    }
}
