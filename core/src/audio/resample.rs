//! Resampling, when the encoder cannot take the input rate (`encode::aac::aac_rate`,
//! `encode::opus::opus_rate` say which rate it gets): rubato's FFT resampler, fed in fixed
//! chunks so memory stays flat, with its delay trimmed so the output is exactly as long.

use rubato::{FftFixedIn, Resampler as _};

use crate::error::{Error, Result};

const CHUNK: usize = 1024;

/// A streaming resampler between two fixed rates.
pub(crate) struct Resampler {
    inner: FftFixedIn<f32>,
    pending: Vec<Vec<f32>>,
    skip: usize,
    in_frames: u64,
    out_frames: u64,
    from: u32,
    to: u32,
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz for `channels` channels.
    pub(crate) fn new(from: u32, to: u32, channels: usize) -> Result<Self> {
        let inner = FftFixedIn::<f32>::new(from as usize, to as usize, CHUNK, 2, channels)
            .map_err(|e| {
                Error::unsupported_audio(format!("cannot resample {from} Hz audio: {e}"))
            })?;
        let skip = inner.output_delay();
        Ok(Resampler {
            inner,
            pending: vec![Vec::new(); channels],
            skip,
            in_frames: 0,
            out_frames: 0,
            from,
            to,
        })
    }

    /// Feeds planar input; `emit` receives resampled planar output.
    pub(crate) fn push(
        &mut self,
        planes: &[Vec<f32>],
        emit: &mut impl FnMut(&[Vec<f32>]) -> Result<()>,
    ) -> Result<()> {
        for (p, input) in self.pending.iter_mut().zip(planes) {
            p.extend_from_slice(input);
        }
        self.in_frames += planes.first().map_or(0, |p| p.len() as u64);
        let mut start = 0;
        while self.pending[0].len() - start >= self.inner.input_frames_next() {
            let need = self.inner.input_frames_next();
            let chunk: Vec<&[f32]> = self
                .pending
                .iter()
                .map(|p| &p[start..start + need])
                .collect();
            let out = self.inner.process(&chunk, None).map_err(resample_err)?;
            start += need;
            self.deliver(out, u64::MAX, emit)?;
        }
        for p in self.pending.iter_mut() {
            p.drain(..start);
        }
        Ok(())
    }

    /// Drains the resampler so the output is exactly as long as the input (at the new rate).
    pub(crate) fn finish(
        &mut self,
        emit: &mut impl FnMut(&[Vec<f32>]) -> Result<()>,
    ) -> Result<()> {
        let expected = self.in_frames * u64::from(self.to) / u64::from(self.from);
        if !self.pending[0].is_empty() {
            let out = self
                .inner
                .process_partial(Some(&self.pending), None)
                .map_err(resample_err)?;
            for p in self.pending.iter_mut() {
                p.clear();
            }
            self.deliver(out, expected, emit)?;
        }
        let mut guard = 0;
        while self.out_frames < expected && guard < 64 {
            let out = self
                .inner
                .process_partial::<Vec<f32>>(None, None)
                .map_err(resample_err)?;
            self.deliver(out, expected, emit)?;
            guard += 1;
        }
        Ok(())
    }

    fn deliver(
        &mut self,
        mut out: Vec<Vec<f32>>,
        limit: u64,
        emit: &mut impl FnMut(&[Vec<f32>]) -> Result<()>,
    ) -> Result<()> {
        let len = out.first().map_or(0, Vec::len);
        let skip = self.skip.min(len);
        self.skip -= skip;
        let room = usize::try_from(limit.saturating_sub(self.out_frames)).unwrap_or(usize::MAX);
        let keep = (len - skip).min(room);
        if keep == 0 {
            return Ok(());
        }
        for p in out.iter_mut() {
            p.drain(..skip);
            p.truncate(keep);
        }
        self.out_frames += keep as u64;
        emit(&out)
    }
}

fn resample_err(e: impl std::fmt::Display) -> Error {
    Error::unsupported_audio(format!("resampling failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_length_matches_input() {
        let mut r = Resampler::new(37800, 44100, 1).unwrap();
        let mut total = 0usize;
        let mut emit = |o: &[Vec<f32>]| {
            total += o[0].len();
            Ok(())
        };
        for _ in 0..10 {
            r.push(&[vec![0.1; 3000]], &mut emit).unwrap();
        }
        r.finish(&mut emit).unwrap();
        assert_eq!(total, 30000 * 44100 / 37800);
    }
}
