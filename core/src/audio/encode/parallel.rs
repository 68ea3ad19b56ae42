//! Segment-parallel encoding, for AAC (FDK) and Opus (libopus). Both encoders are
//! single-threaded and take ~80% of a conversion's CPU time, so a recording is cut into segments
//! on the encoder's frame grid (1024 samples for AAC, 20 ms for Opus) that a small pool of
//! threads encodes while the caller keeps decoding. Each segment's encoder starts a few frames
//! early (pre-roll, so its state has settled on the same audio) and reads a few frames past its
//! end (post-roll); dropping the frames outside the segment leaves frames that sit on the same
//! grid as one encoder's, so the stitched stream has the same delay, frame count and duration.
//! (Opus packets are coded independently of the previous packet by design, for packet loss;
//! only the decoder's prediction memory carries over, and it has converged on the same audio.)
//! The first segment is exactly what a single encoder produces, and a note shorter than one
//! segment is encoded on the calling thread with no threads at all. At most a few segments of
//! PCM are alive at once.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::aac::{AacEncoder, Tuning};
use super::opus::{OpusEncoder, OpusTuning};
use crate::error::{Error, ErrorCode, Result};

/// Upper bound on encoding threads.
const MAX_WORKERS: usize = 4;

/// An encoder that can encode a recording in independent segments.
pub(crate) trait SegmentEncoder: Sized + 'static {
    /// Settings shared by every segment.
    type Config: Copy + Send + 'static;
    /// Interleaved input sample type.
    type Sample: Copy + Send + 'static;
    /// Frames per segment.
    const SEGMENT_FRAMES: u64;
    /// Frames of preceding audio each later segment's encoder sees first and whose output is
    /// dropped: enough for the transform overlap, the look-ahead and the encoder's state.
    const PRE_ROLL_FRAMES: u64;
    /// Frames of following audio a segment's encoder reads so its last kept frame is complete.
    const POST_ROLL_FRAMES: u64;
    /// Opens one encoder.
    fn open(config: Self::Config) -> Result<Self>;
    /// Input samples per channel per output frame.
    fn frame_samples(&self) -> usize;
    /// Input channels.
    fn channel_count(&self) -> usize;
    /// Feeds interleaved samples; `emit` receives each finished frame.
    fn feed(
        &mut self,
        samples: &[Self::Sample],
        emit: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()>;
    /// Encodes what is buffered and flushes the encoder.
    fn flush(&mut self, emit: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()>;
}

/// AAC-LC: frames of 1024 samples; 192 of them are about 4.5 s at 44.1 kHz (8 s at 24 kHz).
impl SegmentEncoder for AacEncoder {
    type Config = (u32, usize, Tuning);
    type Sample = i16;
    const SEGMENT_FRAMES: u64 = 192;
    const PRE_ROLL_FRAMES: u64 = 4;
    const POST_ROLL_FRAMES: u64 = 4;

    fn open((rate, channels, tuning): Self::Config) -> Result<Self> {
        AacEncoder::new(rate, channels, tuning)
    }
    fn frame_samples(&self) -> usize {
        self.frame_len() as usize
    }
    fn channel_count(&self) -> usize {
        self.channels()
    }
    fn feed(
        &mut self,
        samples: &[i16],
        mut emit: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        self.push(samples, &mut emit)
    }
    fn flush(&mut self, mut emit: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        self.finish(&mut emit)
    }
}

/// Opus: 20 ms packets; 250 are 5 s. Half a second of pre-roll lets the mode, bandwidth and
/// bitrate decisions (which look at the recent past) settle as one encoder's would.
impl SegmentEncoder for OpusEncoder {
    type Config = (u32, OpusTuning);
    type Sample = f32;
    const SEGMENT_FRAMES: u64 = 250;
    const PRE_ROLL_FRAMES: u64 = 25;
    const POST_ROLL_FRAMES: u64 = 2;

    fn open((rate, tuning): Self::Config) -> Result<Self> {
        OpusEncoder::new(rate, tuning)
    }
    fn frame_samples(&self) -> usize {
        self.frame_len()
    }
    fn channel_count(&self) -> usize {
        1
    }
    fn feed(
        &mut self,
        samples: &[f32],
        mut emit: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        self.push(samples, &mut emit)
    }
    fn flush(&mut self, mut emit: &mut dyn FnMut(&[u8]) -> Result<()>) -> Result<()> {
        self.finish(&mut emit)
    }
}

/// One segment to encode: interleaved samples starting on the frame grid.
struct Job<T> {
    index: u64,
    pcm: Vec<T>,
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
struct Pool<T> {
    jobs: Option<Sender<Job<T>>>,
    /// Set when the conversion stops early, so queued segments are not encoded for nothing.
    cancel: Arc<AtomicBool>,
    results: Receiver<Done>,
    handles: Vec<JoinHandle<()>>,
}

/// An encoder that encodes long input in segments in parallel: [`AacEncoder`] or
/// [`OpusEncoder`], with the same frames as one encoder would make.
pub(crate) struct ParallelEncoder<E: SegmentEncoder> {
    config: E::Config,
    frame_len: usize,
    channels: usize,
    workers: usize,
    /// Interleaved samples from per-channel sample position `buf_start` on.
    buf: Vec<E::Sample>,
    buf_start: u64,
    /// Next segment to hand out.
    next_segment: u64,
    /// Next segment whose frames go to the sink, and finished segments waiting for their turn.
    next_emit: u64,
    ready: BTreeMap<u64, Frames>,
    pool: Option<Pool<E::Sample>>,
}

impl<E: SegmentEncoder> ParallelEncoder<E> {
    /// Opens the encoder; returns it with one encoder of the same settings, whose frame length,
    /// delay and the like every segment shares.
    pub(crate) fn new(config: E::Config) -> Result<(Self, E)> {
        let probe = E::open(config)?;
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_WORKERS);
        let encoder = ParallelEncoder {
            config,
            frame_len: probe.frame_samples(),
            channels: probe.channel_count(),
            workers,
            buf: Vec::new(),
            buf_start: 0,
            next_segment: 0,
            next_emit: 0,
            ready: BTreeMap::new(),
            pool: None,
        };
        Ok((encoder, probe))
    }

    /// Feeds interleaved samples; `emit` receives finished frames in stream order.
    pub(crate) fn push(
        &mut self,
        interleaved: &[E::Sample],
        emit: &mut impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        self.buf.extend_from_slice(interleaved);
        loop {
            let first = self.next_segment * E::SEGMENT_FRAMES;
            let end = (first + E::SEGMENT_FRAMES + E::POST_ROLL_FRAMES) * self.frame_len as u64;
            if self.buf_start + self.buffered() < end {
                break;
            }
            let start = first.saturating_sub(E::PRE_ROLL_FRAMES) * self.frame_len as u64;
            let next_start =
                (first + E::SEGMENT_FRAMES - E::PRE_ROLL_FRAMES) * self.frame_len as u64;
            let pcm = self.samples(start, end).to_vec();
            let job = Job {
                index: self.next_segment,
                pcm,
                skip: (first - start / self.frame_len as u64) as usize,
                keep: Some(E::SEGMENT_FRAMES as usize),
            };
            self.next_segment += 1;
            self.dispatch(job, emit)?;
            let drop = ((next_start - self.buf_start) as usize * self.channels).min(self.buf.len());
            self.buf.drain(..drop);
            self.buf_start = next_start;
        }
        self.collect(false, emit)
    }

    /// Encodes what is buffered as the last segment, flushes it and emits every remaining frame.
    pub(crate) fn finish(&mut self, emit: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let first = self.next_segment * E::SEGMENT_FRAMES;
        let start = first.saturating_sub(E::PRE_ROLL_FRAMES) * self.frame_len as u64;
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
            let frames = encode_segment::<E>(self.config, &job)?;
            self.ready.insert(job.index, frames);
        } else {
            self.dispatch(job, emit)?;
        }
        self.collect(true, emit)?;
        self.shut_down()
    }

    /// Per-channel samples buffered.
    fn buffered(&self) -> u64 {
        (self.buf.len() / self.channels) as u64
    }

    /// Interleaved samples for per-channel positions `start..end` (both within the buffer).
    fn samples(&self, start: u64, end: u64) -> &[E::Sample] {
        let ch = self.channels;
        let from = (start.saturating_sub(self.buf_start) as usize * ch).min(self.buf.len());
        let to = (end.saturating_sub(self.buf_start) as usize * ch).min(self.buf.len());
        &self.buf[from..to.max(from)]
    }

    /// Hands a segment to the pool (starting it if needed), or encodes it here without threads.
    fn dispatch(
        &mut self,
        job: Job<E::Sample>,
        emit: &mut impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        if self.workers < 2 {
            let frames = encode_segment::<E>(self.config, &job)?;
            self.ready.insert(job.index, frames);
            return self.write_ready(emit);
        }
        if self.pool.is_none() {
            match start_pool::<E>(self.config, self.workers) {
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

impl<E: SegmentEncoder> Drop for ParallelEncoder<E> {
    fn drop(&mut self) {
        // On an early stop (an error, a duration limit) the workers finish their current
        // segment, skip what is queued and exit.
        if let Some(pool) = &self.pool {
            pool.cancel.store(true, Ordering::Relaxed);
        }
        let _ = self.shut_down();
    }
}

fn start_pool<E: SegmentEncoder>(config: E::Config, workers: usize) -> Result<Pool<E::Sample>> {
    let (jobs_tx, jobs_rx) = channel::<Job<E::Sample>>();
    let (results_tx, results_rx) = channel::<Done>();
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    let cancel = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::with_capacity(workers);
    for n in 0..workers {
        let jobs = Arc::clone(&jobs_rx);
        let results = results_tx.clone();
        let cancel = Arc::clone(&cancel);
        let handle = std::thread::Builder::new()
            .name(format!("svara-encode-{n}"))
            .spawn(move || worker::<E>(config, &jobs, &results, &cancel))
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

fn worker<E: SegmentEncoder>(
    config: E::Config,
    jobs: &Mutex<Receiver<Job<E::Sample>>>,
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
        let frames = catch_unwind(AssertUnwindSafe(|| encode_segment::<E>(config, &job)))
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
fn encode_segment<E: SegmentEncoder>(config: E::Config, job: &Job<E::Sample>) -> Result<Frames> {
    let mut encoder = E::open(config)?;
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
    encoder.feed(&job.pcm, &mut take)?;
    match wanted {
        None => encoder.flush(&mut take)?,
        Some(w) if seen.get() < w => {
            // The post-roll did not cover the encoder's buffering; padding the tail is the
            // best that can be done (not expected with FDK's AAC-LC or libopus delays).
            encoder.flush(&mut take)?;
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

    /// Every frame of `pcm` encoded in 100 ms chunks, by one encoder or by the parallel one.
    fn frames<E: SegmentEncoder>(
        config: E::Config,
        pcm: &[E::Sample],
        parallel: bool,
    ) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut keep = |f: &[u8]| {
            out.push(f.to_vec());
            Ok(())
        };
        let one = E::open(config).unwrap();
        let chunk = one.frame_samples() * 4 * one.channel_count();
        if parallel {
            let (mut enc, _) = ParallelEncoder::<E>::new(config).unwrap();
            for c in pcm.chunks(chunk) {
                enc.push(c, &mut keep).unwrap();
            }
            enc.finish(&mut keep).unwrap();
        } else {
            let mut enc = one;
            for c in pcm.chunks(chunk) {
                enc.feed(c, &mut keep).unwrap();
            }
            enc.flush(&mut keep).unwrap();
        }
        out
    }

    fn aac(rate: u32, ch: usize) -> (u32, usize, Tuning) {
        (rate, ch, Tuning::default_at(64_000))
    }

    fn single(rate: u32, ch: usize, pcm: &[i16]) -> Vec<Vec<u8>> {
        frames::<AacEncoder>(aac(rate, ch), pcm, false)
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
        check_joins_on(aac(rate, ch), &speech_like(rate, seconds, ch));
    }

    fn check_joins_on(config: (u32, usize, Tuning), pcm: &[i16]) {
        let (rate, ch, tuning) = config;
        let pcm = pcm.to_vec();
        let n = pcm.len() / ch;
        let one = frames::<AacEncoder>(config, &pcm, false);
        let par = frames::<AacEncoder>(config, &pcm, true);
        assert_eq!(par.len(), one.len(), "same frame count as one encoder");
        let k = AacEncoder::SEGMENT_FRAMES as usize;
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
        let delay = AacEncoder::new(rate, ch, tuning).unwrap().delay() as usize;
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
        check_joins_on(aac(rate, 1), &pcm);
    }

    #[test]
    fn joins_match_one_encoder_without_the_afterburner_24k() {
        let tuning = Tuning {
            bitrate: 64_000,
            afterburner: false,
        };
        check_joins_on((24_000, 1, tuning), &speech_like(24_000, 40.0, 1));
    }

    #[test]
    fn joins_match_one_encoder_stereo_48k() {
        check_joins(48_000, 2, 14.0);
    }

    #[test]
    fn a_sink_error_stops_the_workers_and_comes_back() {
        let pcm = speech_like(44_100, 40.0, 1);
        let (mut enc, _) = ParallelEncoder::<AacEncoder>::new(aac(44_100, 1)).unwrap();
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
        let parallel = |pcm: &[i16]| frames::<AacEncoder>(aac(16_000, 1), pcm, true);
        assert_eq!(parallel(&pcm), single(16_000, 1, &pcm));
        assert!(parallel(&[]).len() == single(16_000, 1, &[]).len());
    }

    /// Opus segments: the same packet count and timing as one encoder, the first segment
    /// identical, and no join audibly worse than one encoder on the same samples (SILK does not
    /// aim at waveform SNR, so joins are judged against one encoder, window by window).
    #[test]
    fn opus_joins_match_one_encoder_real_speech_16k() {
        use crate::audio::mux::ogg::{OggMuxer, OpusStream};
        let (rate, pcm) = looped_fixture("speech-s16-16k.wav", 24.0);
        let mono: Vec<f32> = pcm.iter().map(|&s| f32::from(s) / 32768.0).collect();
        let config = (
            rate,
            OpusTuning {
                bitrate: 32_000,
                complexity: 6,
            },
        );
        let one = frames::<OpusEncoder>(config, &mono, false);
        let par = frames::<OpusEncoder>(config, &mono, true);
        assert_eq!(par.len(), one.len(), "same packet count as one encoder");
        let k = OpusEncoder::SEGMENT_FRAMES as usize;
        assert_eq!(
            par[..k],
            one[..k],
            "the first segment is exactly one encoder's"
        );
        assert!(
            par[k..] != one[k..],
            "later segments come from other encoders"
        );
        let decode = |packets: &[Vec<u8>]| -> Vec<f32> {
            let mut m = OggMuxer::new(OpusStream {
                serial: 1,
                channels: 1,
                pre_skip: 312,
                input_rate: rate,
                packet_samples: 960,
            })
            .unwrap();
            for p in packets {
                m.write_packet(p).unwrap();
            }
            let bytes = m.finish(mono.len() as u64 * 3).unwrap();
            let mut demuxed = demux::open(&bytes, sniff(&bytes)).unwrap();
            let mut decoder = demux::make_decoder(&demuxed.params, demuxed.container).unwrap();
            let mut out = Vec::new();
            decode_stream(&mut demuxed, decoder.as_mut(), |c| {
                out.extend(c.planes[0].iter().step_by(3));
                Ok(())
            })
            .unwrap();
            out
        };
        let (a, b) = (decode(&one), decode(&par));
        assert_eq!(a.len(), mono.len());
        assert_eq!(b.len(), mono.len());
        let local = |x: &[f32], r: std::ops::Range<usize>| {
            let (mut sig, mut err) = (0f64, 0f64);
            for i in r {
                sig += f64::from(mono[i]).powi(2);
                err += f64::from(mono[i] - x[i]).powi(2);
            }
            10.0 * (sig / err.max(1e-12)).log10()
        };
        let whole = (local(&a, 0..mono.len()), local(&b, 0..mono.len()));
        eprintln!(
            "Opus whole-file SNR: one encoder {:.2} dB, segments {:.2} dB",
            whole.0, whole.1
        );
        assert!(whole.1 >= whole.0 - 0.5, "{whole:?}");
        let segment = k * 320;
        let mut joins = 0;
        let mut join = segment;
        while join + 1600 < mono.len() {
            let r = join - 1600..join + 1600;
            let (s1, s2) = (local(&a, r.clone()), local(&b, r.clone()));
            let peak = |x: &[f32]| {
                r.clone()
                    .map(|i| (x[i] - mono[i]).abs())
                    .fold(0.0, f32::max)
            };
            eprintln!("Opus join at {join}: SNR {s2:.2} dB, one encoder {s1:.2} dB");
            assert!(s2 >= s1 - 2.0, "join at {join}: {s2:.2} dB vs {s1:.2} dB");
            assert!(peak(&b) <= peak(&a) * 1.5 + 0.02, "join at {join}: a click");
            joins += 1;
            join += segment;
        }
        assert!(joins >= 3, "{joins} joins");
    }
}
