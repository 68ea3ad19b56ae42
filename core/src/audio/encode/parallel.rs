//! Segment-parallel AAC encoding. FDK's encoder is single-threaded and takes ~80% of a
//! conversion's CPU time, so a recording is cut into segments on the 1024-sample AAC frame grid
//! that a small pool of threads encodes while the caller keeps decoding. Each segment's encoder
//! starts a few frames early (pre-roll) and reads a few frames past its end (post-roll); dropping
//! the frames outside the segment leaves frames that sit on the same grid as one encoder's, so
//! the stitched stream has the same priming delay, frame count and duration. The first segment
//! is exactly what a single encoder produces, and a note shorter than one segment is encoded on
//! the calling thread with no threads at all. At most a few segments of PCM are alive at once.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::aac::{AacEncoder, Tuning};
use crate::error::{Error, ErrorCode, Result};

/// AAC frames per segment (about 4.5 s at 44.1 kHz).
const SEGMENT_FRAMES: u64 = 192;
/// Frames of preceding audio each later segment's encoder sees first and whose output is dropped:
/// enough for the MDCT overlap, the encoder's look-ahead and its psychoacoustic state to settle.
const PRE_ROLL_FRAMES: u64 = 4;
/// Frames of following audio a segment's encoder reads so its last kept frame is complete.
const POST_ROLL_FRAMES: u64 = 4;
/// Upper bound on encoding threads.
const MAX_WORKERS: usize = 4;

/// Encoder settings shared by every segment.
#[derive(Clone, Copy)]
struct Config {
    rate: u32,
    channels: usize,
    tuning: Tuning,
}

/// One segment to encode: interleaved PCM starting on the frame grid.
struct Job {
    index: u64,
    pcm: Vec<i16>,
    /// Leading output frames that belong to the pre-roll.
    skip: usize,
    /// Frames to keep after `skip`; `None` for the last segment (flush and keep everything).
    keep: Option<usize>,
}

/// Encoded access units of one segment, back to back.
#[derive(Default)]
struct Frames {
    data: Vec<u8>,
    sizes: Vec<usize>,
}

/// A finished job.
struct Done {
    index: u64,
    frames: Result<Frames>,
}

/// Worker threads and their queues; created at the first segment that is not also the last.
struct Pool {
    jobs: Option<Sender<Job>>,
    /// Set when the conversion stops early, so queued segments are not encoded for nothing.
    cancel: Arc<AtomicBool>,
    results: Receiver<Done>,
    handles: Vec<JoinHandle<()>>,
}

/// An AAC-LC encoder with the interface of [`AacEncoder`] that encodes long input in parallel.
pub(crate) struct ParallelEncoder {
    config: Config,
    frame_len: usize,
    delay: u32,
    workers: usize,
    /// Interleaved samples from per-channel sample position `buf_start` on.
    buf: Vec<i16>,
    buf_start: u64,
    /// Next segment to hand out.
    next_segment: u64,
    /// Next segment whose frames go to the sink, and finished segments waiting for their turn.
    next_emit: u64,
    ready: BTreeMap<u64, Frames>,
    pool: Option<Pool>,
}

impl ParallelEncoder {
    /// Opens the encoder; `rate` must be one of the AAC rates, `channels` 1 or 2.
    pub(crate) fn new(rate: u32, channels: usize, tuning: Tuning) -> Result<Self> {
        // Validates the settings and reads the frame length and delay every segment will share.
        let probe = AacEncoder::new(rate, channels, tuning)?;
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_WORKERS);
        Ok(ParallelEncoder {
            config: Config {
                rate,
                channels,
                tuning,
            },
            frame_len: probe.frame_len() as usize,
            delay: probe.delay(),
            workers,
            buf: Vec::new(),
            buf_start: 0,
            next_segment: 0,
            next_emit: 0,
            ready: BTreeMap::new(),
            pool: None,
        })
    }

    /// Samples per channel in one AAC frame (1024 for AAC-LC).
    pub(crate) fn frame_len(&self) -> u32 {
        self.frame_len as u32
    }

    /// Encoder delay in samples per channel.
    pub(crate) fn delay(&self) -> u32 {
        self.delay
    }

    /// Feeds interleaved samples; `emit` receives finished access units in stream order.
    pub(crate) fn push(
        &mut self,
        interleaved: &[i16],
        emit: &mut impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        self.buf.extend_from_slice(interleaved);
        loop {
            let first = self.next_segment * SEGMENT_FRAMES;
            let end = (first + SEGMENT_FRAMES + POST_ROLL_FRAMES) * self.frame_len as u64;
            if self.buf_start + self.buffered() < end {
                break;
            }
            let start = first.saturating_sub(PRE_ROLL_FRAMES) * self.frame_len as u64;
            let next_start = (first + SEGMENT_FRAMES - PRE_ROLL_FRAMES) * self.frame_len as u64;
            let pcm = self.samples(start, end).to_vec();
            let job = Job {
                index: self.next_segment,
                pcm,
                skip: (first - start / self.frame_len as u64) as usize,
                keep: Some(SEGMENT_FRAMES as usize),
            };
            self.next_segment += 1;
            self.dispatch(job, emit)?;
            let drop =
                ((next_start - self.buf_start) as usize * self.config.channels).min(self.buf.len());
            self.buf.drain(..drop);
            self.buf_start = next_start;
        }
        self.collect(false, emit)
    }

    /// Encodes what is buffered as the last segment, flushes it and emits every remaining frame.
    pub(crate) fn finish(&mut self, emit: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let first = self.next_segment * SEGMENT_FRAMES;
        let start = first.saturating_sub(PRE_ROLL_FRAMES) * self.frame_len as u64;
        let pcm = self
            .samples(start, self.buf_start + self.buffered())
            .to_vec();
        self.buf = Vec::new();
        let job = Job {
            index: self.next_segment,
            pcm,
            skip: (first - start / self.frame_len as u64) as usize,
            keep: None,
        };
        self.next_segment += 1;
        if self.pool.is_none() {
            // Shorter than one segment: encode here, exactly as a single encoder would.
            let frames = encode_segment(self.config, &job)?;
            self.ready.insert(job.index, frames);
        } else {
            self.dispatch(job, emit)?;
        }
        self.collect(true, emit)?;
        self.shut_down()
    }

    /// Per-channel samples buffered.
    fn buffered(&self) -> u64 {
        (self.buf.len() / self.config.channels) as u64
    }

    /// Interleaved samples for per-channel positions `start..end` (both within the buffer).
    fn samples(&self, start: u64, end: u64) -> &[i16] {
        let ch = self.config.channels;
        let from = (start.saturating_sub(self.buf_start) as usize * ch).min(self.buf.len());
        let to = (end.saturating_sub(self.buf_start) as usize * ch).min(self.buf.len());
        &self.buf[from..to.max(from)]
    }

    /// Hands a segment to the pool (starting it if needed), or encodes it here without threads.
    fn dispatch(&mut self, job: Job, emit: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        if self.workers < 2 {
            let frames = encode_segment(self.config, &job)?;
            self.ready.insert(job.index, frames);
            return self.write_ready(emit);
        }
        if self.pool.is_none() {
            match start_pool(self.config, self.workers) {
                Ok(pool) => self.pool = Some(pool),
                Err(_) => {
                    // No threads to be had (a restricted sandbox): encode here instead.
                    self.workers = 1;
                    return self.dispatch(job, emit);
                }
            }
        }
        let sent = self
            .pool
            .as_ref()
            .and_then(|p| p.jobs.as_ref())
            .map(|jobs| jobs.send(job).is_ok());
        if sent != Some(true) {
            return Err(worker_failed("its worker threads stopped"));
        }
        // Bound the PCM and frames alive: at most two segments queued per worker.
        while self.in_flight() > 2 * self.workers as u64 {
            self.receive_one()?;
            self.write_ready(emit)?;
        }
        Ok(())
    }

    /// Segments handed out whose frames have not been emitted yet.
    fn in_flight(&self) -> u64 {
        self.next_segment - self.next_emit
    }

    /// Writes out whatever is ready; with `all`, waits for every outstanding segment.
    fn collect(&mut self, all: bool, emit: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        if let Some(pool) = &self.pool {
            while let Ok(done) = pool.results.try_recv() {
                self.ready.insert(done.index, done.frames?);
            }
        }
        self.write_ready(emit)?;
        while all && self.in_flight() > 0 {
            self.receive_one()?;
            self.write_ready(emit)?;
        }
        Ok(())
    }

    /// Blocks until one segment comes back from the pool.
    fn receive_one(&mut self) -> Result<()> {
        let done = match &self.pool {
            Some(pool) => pool
                .results
                .recv()
                .map_err(|_| worker_failed("its worker threads stopped"))?,
            None => return Err(worker_failed("a segment went missing")),
        };
        self.ready.insert(done.index, done.frames?);
        Ok(())
    }

    /// Emits finished segments in order.
    fn write_ready(&mut self, emit: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        while let Some(frames) = self.ready.remove(&self.next_emit) {
            let mut at = 0;
            for &size in &frames.sizes {
                emit(&frames.data[at..at + size])?;
                at += size;
            }
            self.next_emit += 1;
        }
        Ok(())
    }

    /// Closes the job queue and joins the workers, turning a panicked worker into an error.
    fn shut_down(&mut self) -> Result<()> {
        let Some(mut pool) = self.pool.take() else {
            return Ok(());
        };
        pool.jobs = None;
        let mut panicked = false;
        for handle in pool.handles.drain(..) {
            panicked |= handle.join().is_err();
        }
        if panicked {
            return Err(worker_failed("a worker thread panicked"));
        }
        Ok(())
    }
}

impl Drop for ParallelEncoder {
    fn drop(&mut self) {
        // On an early stop (an error, a duration limit) the workers finish their current
        // segment, skip what is queued and exit.
        if let Some(pool) = &self.pool {
            pool.cancel.store(true, Ordering::Relaxed);
        }
        let _ = self.shut_down();
    }
}

fn start_pool(config: Config, workers: usize) -> Result<Pool> {
    let (jobs_tx, jobs_rx) = channel::<Job>();
    let (results_tx, results_rx) = channel::<Done>();
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    let cancel = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::with_capacity(workers);
    for n in 0..workers {
        let jobs = Arc::clone(&jobs_rx);
        let results = results_tx.clone();
        let cancel = Arc::clone(&cancel);
        let handle = std::thread::Builder::new()
            .name(format!("svara-aac-{n}"))
            .spawn(move || worker(config, &jobs, &results, &cancel))
            .map_err(|e| worker_failed(&format!("no thread could be started ({e})")))?;
        handles.push(handle);
    }
    Ok(Pool {
        jobs: Some(jobs_tx),
        cancel,
        results: results_rx,
        handles,
    })
}

fn worker(
    config: Config,
    jobs: &Mutex<Receiver<Job>>,
    results: &Sender<Done>,
    cancel: &AtomicBool,
) {
    loop {
        let job = {
            let queue = match jobs.lock() {
                Ok(q) => q,
                Err(poisoned) => poisoned.into_inner(),
            };
            queue.recv()
        };
        let Ok(job) = job else {
            return;
        };
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let frames = catch_unwind(AssertUnwindSafe(|| encode_segment(config, &job)))
            .unwrap_or_else(|_| Err(worker_failed("the encoder panicked")));
        if results
            .send(Done {
                index: job.index,
                frames,
            })
            .is_err()
        {
            return;
        }
    }
}

/// Encodes one segment with a fresh encoder, keeping only the segment's own frames.
fn encode_segment(config: Config, job: &Job) -> Result<Frames> {
    let mut encoder = AacEncoder::new(config.rate, config.channels, config.tuning)?;
    let mut out = Frames::default();
    let seen = Cell::new(0usize);
    let wanted = job.keep.map(|k| job.skip + k);
    let mut take = |frame: &[u8]| -> Result<()> {
        let n = seen.get();
        if n >= job.skip && wanted.is_none_or(|w| n < w) {
            out.data.extend_from_slice(frame);
            out.sizes.push(frame.len());
        }
        seen.set(n + 1);
        Ok(())
    };
    encoder.push(&job.pcm, &mut take)?;
    match wanted {
        None => encoder.finish(&mut take)?,
        Some(w) if seen.get() < w => {
            // The post-roll did not cover the encoder's buffering; padding the tail is the
            // best that can be done (not expected with FDK's AAC-LC delays).
            encoder.finish(&mut take)?;
        }
        Some(_) => {}
    }
    if let Some(k) = job.keep {
        if out.sizes.len() != k {
            return Err(worker_failed(&format!(
                "a segment produced {} frames instead of {k}",
                out.sizes.len()
            )));
        }
    }
    Ok(out)
}

fn worker_failed(why: &str) -> Error {
    Error::new(
        ErrorCode::UnsupportedAudio,
        format!("the AAC encoder failed: {why}; this is a bug in svara, please report it"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::decode::decode_stream;
    use crate::audio::demux;
    use crate::audio::detect::sniff;
    use crate::audio::encode::aac::freq_index;
    use crate::audio::mux::m4a::{AacTrack, M4aMuxer};

    /// A deterministic speech-like signal: voiced syllables with a gliding pitch and formant-ish
    /// harmonics, unvoiced noise bursts and pauses, so the encoder sees transients and silence.
    fn speech_like(rate: u32, seconds: f64, channels: usize) -> Vec<i16> {
        let n = (f64::from(rate) * seconds) as usize;
        let mut out = Vec::with_capacity(n * channels);
        let mut noise = 0x1234_5678u32;
        let mut phase = 0.0f64;
        for i in 0..n {
            let t = i as f64 / f64::from(rate);
            let syllable = (t * 4.0).fract();
            let which = (t * 4.0) as u64;
            noise ^= noise << 13;
            noise ^= noise >> 17;
            noise ^= noise << 5;
            let white = f64::from(noise) / f64::from(u32::MAX) * 2.0 - 1.0;
            let pitch = 110.0 + 40.0 * (t * 1.3).sin() + (which % 5) as f64 * 12.0;
            phase += pitch / f64::from(rate);
            let env = if which % 7 == 6 {
                0.0
            } else {
                (syllable * std::f64::consts::PI).sin().powi(2)
            };
            let voiced: f64 = (1..=12)
                .map(|h| {
                    let f = pitch * h as f64;
                    let formant = (-((f - 700.0) / 400.0).powi(2)).exp()
                        + 0.6 * (-((f - 1300.0) / 500.0).powi(2)).exp()
                        + 0.1;
                    formant * (2.0 * std::f64::consts::PI * phase * h as f64).sin() / h as f64
                })
                .sum();
            let sample = if which % 3 == 1 && syllable < 0.25 {
                0.25 * white * env
            } else {
                0.45 * voiced * env
            };
            for c in 0..channels {
                let v = if c == 0 { sample } else { sample * 0.8 };
                out.push((v.clamp(-1.0, 1.0) * 32767.0) as i16);
            }
        }
        out
    }

    fn single(rate: u32, ch: usize, pcm: &[i16]) -> Vec<Vec<u8>> {
        let mut enc = AacEncoder::new(rate, ch, Tuning::default_at(64_000)).unwrap();
        let mut frames = Vec::new();
        for chunk in pcm.chunks(4410 * ch) {
            enc.push(chunk, &mut |f: &[u8]| {
                frames.push(f.to_vec());
                Ok(())
            })
            .unwrap();
        }
        enc.finish(&mut |f: &[u8]| {
            frames.push(f.to_vec());
            Ok(())
        })
        .unwrap();
        frames
    }

    fn parallel(rate: u32, ch: usize, pcm: &[i16]) -> Vec<Vec<u8>> {
        let mut enc = ParallelEncoder::new(rate, ch, Tuning::default_at(64_000)).unwrap();
        let mut frames = Vec::new();
        for chunk in pcm.chunks(4410 * ch) {
            enc.push(chunk, &mut |f: &[u8]| {
                frames.push(f.to_vec());
                Ok(())
            })
            .unwrap();
        }
        enc.finish(&mut |f: &[u8]| {
            frames.push(f.to_vec());
            Ok(())
        })
        .unwrap();
        frames
    }

    /// Muxes raw frames and decodes them back (first channel), as a player would see the media.
    fn decode(rate: u32, ch: usize, frames: &[Vec<u8>]) -> Vec<f32> {
        let mut muxer = M4aMuxer::new(AacTrack {
            object_type: 2,
            freq_index: freq_index(rate).unwrap(),
            channel_config: ch as u8,
            rate,
            bitrate: 64_000,
            frame_len: 1024,
        })
        .unwrap();
        for f in frames {
            muxer.write_frame(f).unwrap();
        }
        let bytes = muxer.finish(None).unwrap();
        let mut demuxed = demux::open(&bytes, sniff(&bytes)).unwrap();
        let mut decoder = demux::make_decoder(&demuxed.params, demuxed.container).unwrap();
        let mut out = Vec::new();
        let stats = decode_stream(&mut demuxed, decoder.as_mut(), |chunk| {
            out.extend_from_slice(&chunk.planes[0]);
            Ok(())
        })
        .unwrap();
        assert_eq!(stats.packets_failed, 0);
        out
    }

    /// SNR in dB of `decoded[delay + i]` against `input[i]` (first channel) over `range`.
    fn snr(
        input: &[i16],
        ch: usize,
        decoded: &[f32],
        delay: usize,
        range: std::ops::Range<usize>,
    ) -> f64 {
        let (mut sig, mut err) = (0.0f64, 0.0f64);
        for i in range {
            let x = f64::from(input[i * ch]) / 32768.0;
            let y = f64::from(decoded[delay + i]);
            sig += x * x;
            err += (x - y) * (x - y);
        }
        10.0 * (sig / err.max(1e-12)).log10()
    }

    /// A real speech fixture (16-bit mono WAV) looped to `seconds`.
    fn looped_fixture(name: &str, seconds: f64) -> (u32, Vec<i16>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures")
            .join(name);
        let wav = std::fs::read(path).unwrap();
        let rate = u32::from_le_bytes([wav[24], wav[25], wav[26], wav[27]]);
        assert_eq!(&wav[22..24], &[1, 0], "mono");
        let data = wav.windows(4).position(|w| w == b"data").unwrap() + 8;
        let speech: Vec<i16> = wav[data..]
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let n = (f64::from(rate) * seconds) as usize;
        (rate, (0..n).map(|i| speech[i % speech.len()]).collect())
    }

    fn check_joins(rate: u32, ch: usize, seconds: f64) {
        check_joins_on(rate, ch, &speech_like(rate, seconds, ch));
    }

    fn check_joins_on(rate: u32, ch: usize, pcm: &[i16]) {
        let pcm = pcm.to_vec();
        let n = pcm.len() / ch;
        let one = single(rate, ch, &pcm);
        let par = parallel(rate, ch, &pcm);
        assert_eq!(par.len(), one.len(), "same frame count as one encoder");
        let k = SEGMENT_FRAMES as usize;
        assert_eq!(
            par[..k],
            one[..k],
            "the first segment is exactly one encoder's"
        );
        let differing = par.iter().zip(&one).filter(|(x, y)| x != y).count();
        eprintln!(
            "{differing} of {} frames differ from one encoder's",
            one.len()
        );
        assert!(differing > 0, "later segments come from other encoders");
        let delay = AacEncoder::new(rate, ch, Tuning::default_at(64_000))
            .unwrap()
            .delay() as usize;
        let a = decode(rate, ch, &one);
        let b = decode(rate, ch, &par);
        assert_eq!(a.len(), b.len());
        let whole_one = snr(&pcm, ch, &a, delay, 0..n);
        let whole_par = snr(&pcm, ch, &b, delay, 0..n);
        eprintln!(
            "{rate} Hz x{ch}: whole-file SNR single {whole_one:.2} dB, parallel {whole_par:.2} dB"
        );
        assert!(whole_par >= whole_one - 0.3, "{whole_par} vs {whole_one}");
        // Every join: 4096 samples either side, against the single encoder on the same samples.
        let mut worst = f64::INFINITY;
        let mut joins = 0;
        let mut join = k * 1024;
        while join + 4096 < n + delay {
            let centre = join.saturating_sub(delay);
            let range = centre.saturating_sub(4096)..(centre + 4096).min(n);
            let s1 = snr(&pcm, ch, &a, delay, range.clone());
            let s2 = snr(&pcm, ch, &b, delay, range.clone());
            let e1 = range
                .clone()
                .map(|i| (a[delay + i] - f32::from(pcm[i * ch]) / 32768.0).abs())
                .fold(0.0, f32::max);
            let e2 = range
                .clone()
                .map(|i| (b[delay + i] - f32::from(pcm[i * ch]) / 32768.0).abs())
                .fold(0.0, f32::max);
            eprintln!("join at {join}: SNR {s2:.2} dB, one encoder {s1:.2} dB");
            worst = worst.min(s2 - s1);
            assert!(
                s2 >= s1 - 1.5,
                "join at {join}: SNR {s2:.2} dB vs one encoder {s1:.2} dB"
            );
            assert!(
                e2 <= e1 * 1.5 + 0.01,
                "join at {join}: peak error {e2} vs {e1} (a click)"
            );
            joins += 1;
            join += k * 1024;
        }
        eprintln!("{joins} joins, worst local SNR difference {worst:.2} dB");
        assert!(joins >= 2);
    }

    #[test]
    fn joins_match_one_encoder_mono_44k() {
        check_joins(44_100, 1, 30.0);
    }

    #[test]
    fn joins_match_one_encoder_real_speech_16k() {
        let (rate, pcm) = looped_fixture("speech-s16-16k.wav", 75.0);
        check_joins_on(rate, 1, &pcm);
    }

    #[test]
    fn joins_match_one_encoder_stereo_48k() {
        check_joins(48_000, 2, 14.0);
    }

    #[test]
    fn a_sink_error_stops_the_workers_and_comes_back() {
        let pcm = speech_like(44_100, 40.0, 1);
        let mut enc = ParallelEncoder::new(44_100, 1, Tuning::default_at(64_000)).unwrap();
        let mut written = 0;
        let mut sink = |_: &[u8]| -> Result<()> {
            written += 1;
            if written > 300 {
                Err(Error::new(ErrorCode::AudioTooLarge, "full"))
            } else {
                Ok(())
            }
        };
        let mut outcome = Ok(());
        for chunk in pcm.chunks(4410) {
            outcome = enc.push(chunk, &mut sink);
            if outcome.is_err() {
                break;
            }
        }
        if outcome.is_ok() {
            outcome = enc.finish(&mut sink);
        }
        assert_eq!(outcome.unwrap_err().code(), ErrorCode::AudioTooLarge);
        assert_eq!(written, 301, "no frame after the error");
        drop(enc); // joins the workers; must not hang or panic
    }

    #[test]
    fn short_note_is_exactly_one_encoder() {
        let pcm = speech_like(16_000, 3.0, 1);
        assert_eq!(parallel(16_000, 1, &pcm), single(16_000, 1, &pcm));
        assert!(parallel(16_000, 1, &[]).len() == single(16_000, 1, &[]).len());
    }
}
