//! Channel mixing: voice notes are mono (Messenger plays them from a phone speaker), so every
//! input is down-mixed to one channel by default; with `keep_stereo`, stereo stays stereo and
//! surround is folded to stereo.

/// How many channels the note gets for an input with `channels` channels.
pub(crate) fn output_channels(channels: usize, keep_stereo: bool) -> usize {
    if keep_stereo && channels >= 2 {
        2
    } else {
        1
    }
}

/// Mixes `planes` (one slice per input channel, equal lengths) into `out` (`out.len()` channels).
pub(crate) fn mix(planes: &[Vec<f32>], out: &mut [Vec<f32>]) {
    let frames = planes.first().map_or(0, Vec::len);
    for o in out.iter_mut() {
        o.clear();
        o.resize(frames, 0.0);
    }
    match (planes.len(), out.len()) {
        (0, _) => {}
        (n, 1) => {
            let scale = 1.0 / n as f32;
            for p in planes {
                for (o, s) in out[0].iter_mut().zip(p) {
                    *o += s * scale;
                }
            }
        }
        (2, 2) => {
            out[0].copy_from_slice(&planes[0]);
            out[1].copy_from_slice(&planes[1]);
        }
        (_, _) => {
            // Surround (WAV/symphonia order FL FR FC LFE BL BR ...) folded to stereo: the centre
            // (dialogue) goes to both sides, the LFE is dropped, the rears join their side.
            let (left, right) = out.split_at_mut(1);
            let (left, right) = (&mut left[0], &mut right[0]);
            let centre = planes.get(2);
            let rears = (planes.get(4), planes.get(5));
            for i in 0..frames {
                let c = centre.map_or(0.0, |p| p[i] * 0.707);
                let bl = rears.0.map_or(0.0, |p| p[i] * 0.707);
                let br = rears.1.map_or(0.0, |p| p[i] * 0.707);
                left[i] = ((planes[0][i] + c + bl) / 2.414).clamp(-1.0, 1.0);
                right[i] = ((planes[1][i] + c + br) / 2.414).clamp(-1.0, 1.0);
            }
        }
    }
}

/// Interleaves planar float samples into 16-bit PCM for the encoder, appending to `out`.
pub(crate) fn interleave_i16(planes: &[Vec<f32>], out: &mut Vec<i16>) {
    let frames = planes.first().map_or(0, Vec::len);
    out.reserve(frames * planes.len());
    for i in 0..frames {
        for p in planes {
            out.push((p[i] * 32767.0).round().clamp(-32768.0, 32767.0) as i16);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stereo_to_mono_averages() {
        let planes = vec![vec![1.0, 0.0], vec![0.0, -1.0]];
        let mut out = vec![Vec::new()];
        mix(&planes, &mut out);
        assert_eq!(out[0], vec![0.5, -0.5]);
    }

    #[test]
    fn interleaves_and_scales() {
        let mut out = Vec::new();
        interleave_i16(&[vec![1.0, -1.0], vec![0.5, 0.0]], &mut out);
        assert_eq!(out, vec![32767, 16384, -32767, 0]);
    }
}
