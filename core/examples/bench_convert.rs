//! Conversion benchmark: svara against `ffmpeg -i IN -ac 1 -c:a aac -b:a 64k OUT.m4a` on the same
//! speech recordings in the same run, plus peak memory for a ~25 MB Opus input.
//!
//! Run: `cargo run --release -p svara --example bench_convert` (needs espeak-ng and ffmpeg to
//! make the recordings; ffmpeg is also the peer it is compared with). Runs alternate between
//! svara and ffmpeg and the medians are printed, with CPU seconds, which load does not skew.
//! `--quick` runs only the 60 s files; `--fast` converts with `PrepareOptions::fast_encode`
//! (FDK's afterburner off: about twice as fast, about 3 dB less SNR).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use svara::audio::{prepare, PrepareOptions};

const TEXT: &str = "Hi, it's me. I'm running about ten minutes late because the train stopped \
between stations, so please start the meeting without me. The slides are in the shared folder, \
and the numbers for the second quarter are on page four. If anyone asks about the budget, tell \
them we are still waiting for the final figures from finance. I'll call you as soon as I get \
off the train. Thanks, and sorry again for the trouble.";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "--child-convert" {
        child_convert(Path::new(&args[2]), args[3].parse().expect("bitrate"));
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let options = PrepareOptions {
        fast_encode: args.iter().any(|a| a == "--fast"),
        ..PrepareOptions::default()
    };
    let dir = std::env::temp_dir().join(format!("svara-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    assert!(
        tool_works("espeak-ng", "--version") && tool_works("ffmpeg", "-version"),
        "the benchmark needs espeak-ng and ffmpeg to make its recordings"
    );

    println!("making recordings in {} ...", dir.display());
    let speech = dir.join("speech.wav");
    run(Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "160", "-w"])
        .arg(&speech)
        .arg(TEXT));
    let lengths: &[u32] = if quick { &[60] } else { &[60, 600] };
    let mut inputs = Vec::new();
    for &secs in lengths {
        for (ext, codec) in [
            (
                "mp3",
                &["-c:a", "libmp3lame", "-b:a", "64k", "-ar", "44100"][..],
            ),
            ("ogg", &["-c:a", "libopus", "-b:a", "32k"][..]),
            (
                "webm",
                &["-c:a", "libopus", "-b:a", "32k", "-f", "webm"][..],
            ),
        ] {
            let out = dir.join(format!("speech-{secs}s.{ext}"));
            ffmpeg(
                &["-stream_loop", "-1", "-i"],
                &speech,
                &[&["-t", &secs.to_string(), "-ac", "1"][..], codec].concat(),
                &out,
            );
            inputs.push((secs, ext, out));
        }
    }

    println!();
    println!("load average before: {}", load_average());
    println!(
        "{:<14} {:>8} {:>5} {:>10} {:>10} {:>7} {:>10} {:>10} {:>8}",
        "input", "size", "runs", "svara", "ffmpeg", "ratio", "svara cpu", "ffmpeg cpu", "cpu ratio"
    );
    let mut bar = None;
    for (secs, ext, path) in &inputs {
        let bytes = std::fs::read(path).expect("read input");
        let runs = if *secs <= 60 { 9 } else { 3 };
        // Alternate the two so that load from other processes falls on both alike.
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            ours.push(measure(false, || {
                let p = prepare(&bytes, &options).expect("svara converts");
                assert!(p.output.duration_ms + 100 >= u64::from(*secs) * 1000);
            }));
            let out = dir.join("ffmpeg-out.m4a");
            theirs.push(measure(true, || {
                ffmpeg(
                    &["-i"],
                    path,
                    &["-ac", "1", "-c:a", "aac", "-b:a", "64k"],
                    &out,
                );
            }));
        }
        let (wall, cpu) = medians(&ours);
        let (their_wall, their_cpu) = medians(&theirs);
        if *secs == 60 && *ext == "mp3" {
            bar = Some(their_wall / wall);
        }
        println!(
            "{:<14} {:>8} {:>5} {:>10} {:>10} {:>7} {:>10} {:>10} {:>8}",
            format!("{secs} s {ext}"),
            format!("{} KB", bytes.len() / 1024),
            runs,
            format!("{wall:.3} s"),
            format!("{their_wall:.3} s"),
            format!("{:.1}x", their_wall / wall),
            format!("{cpu:.3} s"),
            format!("{their_cpu:.3} s"),
            format!("{:.1}x", their_cpu / cpu),
        );
    }
    println!("load average after: {}", load_average());
    if let Some(ratio) = bar {
        println!(
            "issue 2 bar, 60 s mp3 at least 8.0x faster than ffmpeg (wall): {ratio:.1}x, {}",
            if ratio >= 8.0 { "met" } else { "NOT met" }
        );
    }
    println!(
        "(wall and CPU seconds are medians; svara uses up to {} threads)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    if !quick {
        // Peak memory: a ~25 MB Opus recording (70 min of speech at 48 kb/s), converted in a
        // child process that reports its own peak RSS (VmHWM).
        let big = dir.join("speech-25mb.ogg");
        ffmpeg(
            &["-stream_loop", "-1", "-i"],
            &speech,
            &["-t", "4200", "-ac", "1", "-c:a", "libopus", "-b:a", "48k"],
            &big,
        );
        let size = std::fs::metadata(&big).expect("big file").len();
        println!();
        for bitrate in [32_000u32, 64_000] {
            let exe = std::env::current_exe().expect("own path");
            let t = Instant::now();
            let out = Command::new(exe)
                .args(["--child-convert"])
                .arg(&big)
                .arg(bitrate.to_string())
                .output()
                .expect("child runs");
            let report = String::from_utf8_lossy(&out.stdout);
            println!(
                "{:.1} MB Opus ({:.0} min) at {} kb/s: {} in {:.2} s",
                size as f64 / 1_048_576.0,
                4200.0 / 60.0,
                bitrate / 1000,
                report.trim(),
                t.elapsed().as_secs_f64()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// In the child: convert one file and print the outcome and peak resident memory.
fn child_convert(path: &Path, bitrate: u32) {
    let bytes = std::fs::read(path).expect("read");
    let options = PrepareOptions {
        bitrate,
        ..Default::default()
    };
    let outcome = match prepare(&bytes, &options) {
        Ok(p) => format!(
            "converted to {:.1} MB M4A ({:.0} s)",
            p.data.len() as f64 / 1_048_576.0,
            p.output.duration_ms as f64 / 1000.0
        ),
        Err(e) => format!("refused: {}", e.code()),
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: ? kB")
        .trim_start_matches("VmHWM:")
        .trim();
    println!("{outcome}, peak RSS {hwm}");
}

/// Wall-clock and CPU seconds of one run of `f`; CPU is this process's own (user + system) or,
/// with `children`, that of the child processes it waited for.
fn measure(children: bool, f: impl FnOnce()) -> (f64, f64) {
    let before = cpu_seconds(children);
    let t = Instant::now();
    f();
    let wall = t.elapsed().as_secs_f64();
    (wall, cpu_seconds(children) - before)
}

fn medians(runs: &[(f64, f64)]) -> (f64, f64) {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or_default()
    };
    (
        median(runs.iter().map(|r| r.0).collect()),
        median(runs.iter().map(|r| r.1).collect()),
    )
}

/// User + system CPU seconds from `/proc/self/stat` (all threads, or waited-for children).
fn cpu_seconds(children: bool) -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime is field 14, cutime field 16.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let at = if children { 13 } else { 11 };
    let ticks: f64 = fields.get(at..at + 2).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    // The kernel reports clock ticks; USER_HZ is 100 on Linux.
    ticks / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn tool_works(name: &str, flag: &str) -> bool {
    Command::new(name)
        .arg(flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn ffmpeg(pre: &[&str], input: &Path, post: &[&str], out: &PathBuf) {
    run(Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(pre)
        .arg(input)
        .args(post)
        .arg(out));
}

fn run(cmd: &mut Command) {
    let status = cmd.status().expect("tool runs");
    assert!(status.success(), "{cmd:?} failed");
}
