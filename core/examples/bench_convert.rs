//! Conversion benchmark: speed, speech quality and memory, each against FFmpeg in the same run.
//!
//! - Speed, M4A/AAC: svara (default and `fast_encode`) against
//!   `ffmpeg -i IN -ac 1 -c:a aac -b:a 64k OUT.m4a`; Ogg/Opus: svara against
//!   `ffmpeg -i IN -ac 1 -c:a libopus -b:a 32k -application voip OUT.ogg`; 60 s and 10 min of
//!   speech as MP3, Ogg/Opus, WebM/Opus and WAV. Runs alternate between svara and FFmpeg, medians
//!   are printed with CPU seconds (which load from other processes skews less than wall time).
//! - Quality: PESQ-WB (ITU-T P.862.2, the `pesq` package from PyPI) and SNR after alignment of
//!   real recorded speech converted by svara and by FFmpeg at 64 and 32 kb/s. The recordings
//!   come from packages: `speech_orig_16k.wav` of Debian's `codec2-examples` (LGPL-2.1) and
//!   `arctic_a0007.wav` (CMU ARCTIC, BSD-style licence) of PyPI's `pysptk` source package; both
//!   16 kHz, put at 48 kHz as a phone records, then converted. The bench downloads them and a
//!   Python venv with `pesq` into target/ (`apt-get download`, `pip`), nothing into git.
//! - Memory: peak RSS converting a 50-minute Opus recording to M4A/AAC and a 25 MB MP3 to
//!   Ogg/Opus, and passing a 23 MB mono Ogg/Opus through.
//!
//! Run: `cargo run --release -p svara --example bench_convert` (needs espeak-ng, ffmpeg,
//! python3-venv; `--quick`: 60 s inputs and fewer runs only; `--no-speed`, `--no-quality`,
//! `--no-memory` leave a part out).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use svara::audio::{prepare, PrepareOptions, TargetFormat};

const TEXT: &str = "Hi, it's me. I'm running about ten minutes late because the train stopped \
between stations, so please start the meeting without me. The slides are in the shared folder, \
and the numbers for the second quarter are on page four. If anyone asks about the budget, tell \
them we are still waiting for the final figures from finance. I'll call you as soon as I get \
off the train. Thanks, and sorry again for the trouble.";

/// How a note is made in a run.
#[derive(Clone)]
enum Engine {
    Svara(PrepareOptions),
    Ffmpeg(Vec<&'static str>),
}

fn ffmpeg_aac(bitrate: &'static str) -> Engine {
    Engine::Ffmpeg(vec![
        "-ac", "1", "-c:a", "aac", "-b:a", bitrate, "-f", "mp4",
    ])
}

fn ffmpeg_opus(bitrate: &'static str) -> Engine {
    Engine::Ffmpeg(vec![
        "-ac",
        "1",
        "-c:a",
        "libopus",
        "-b:a",
        bitrate,
        "-application",
        "voip",
        "-f",
        "ogg",
    ])
}

fn svara(format: TargetFormat, bitrate: u32, fast_encode: bool) -> Engine {
    Engine::Svara(PrepareOptions {
        bitrate,
        fast_encode,
        ..PrepareOptions::for_format(format)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 5 && args[1] == "--child-convert" {
        child_convert(
            Path::new(&args[2]),
            &args[3],
            args[4].parse().expect("bitrate"),
        );
        return;
    }
    let flag = |f: &str| args.iter().any(|a| a == f);
    let quick = flag("--quick");
    assert!(
        tool_works("espeak-ng", "--version") && tool_works("ffmpeg", "-version"),
        "the benchmark needs espeak-ng and ffmpeg to make its recordings"
    );
    let work = target_dir().join("bench-convert");
    let dir = work.join(format!("run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");

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
            // 16 kHz keeps 10 minutes under the 25 MB input limit.
            ("wav", &["-c:a", "pcm_s16le", "-ar", "16000"][..]),
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
    println!(
        "machine: {} cores; load average before: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average()
    );

    if !flag("--no-speed") {
        speed(&inputs, quick, &dir);
    }
    if !flag("--no-quality") {
        quality(&work, &dir);
    }
    if !flag("--no-memory") {
        memory(&speech, &dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The two speed tables, M4A/AAC and Ogg/Opus.
fn speed(inputs: &[(u32, &'static str, PathBuf)], quick: bool, dir: &Path) {
    println!("\n## Speed, M4A/AAC at 64 kb/s (medians; ratio = FFmpeg time / svara time)\n");
    let aac = [
        ("svara", svara(TargetFormat::M4aAac, 64_000, false)),
        ("svara fast", svara(TargetFormat::M4aAac, 64_000, true)),
        ("ffmpeg aac", ffmpeg_aac("64k")),
    ];
    speed_table(inputs, &aac, quick, dir);

    println!("\n## Speed, Ogg/Opus at 32 kb/s (medians; ratio = FFmpeg time / svara time)\n");
    let opus = [
        ("svara", svara(TargetFormat::OggOpus, 32_000, false)),
        ("svara fast", svara(TargetFormat::OggOpus, 32_000, true)),
        ("ffmpeg libopus", ffmpeg_opus("32k")),
    ];
    let not_ogg: Vec<_> = inputs.iter().filter(|i| i.1 != "ogg").cloned().collect();
    speed_table(&not_ogg, &opus, quick, dir);
    println!("\nload average after the speed runs: {}", load_average());
}

/// One table: for every input, each engine's median wall and CPU seconds, and FFmpeg's time
/// over each svara engine's (the last engine is the peer).
fn speed_table(
    inputs: &[(u32, &str, PathBuf)],
    engines: &[(&str, Engine)],
    quick: bool,
    dir: &Path,
) {
    let (peer, ours) = engines.split_last().expect("a peer");
    print!("| input | size |");
    for (name, _) in engines {
        print!(" {name} wall | {name} CPU |");
    }
    for (name, _) in ours {
        print!(" {name} vs peer (wall, CPU) |");
    }
    println!();
    println!("|{}", "---|".repeat(2 + engines.len() * 2 + ours.len()));
    for (secs, ext, path) in inputs {
        let bytes = std::fs::read(path).expect("read input");
        let runs = match (secs, quick) {
            (60, false) => 9,
            (60, true) => 5,
            _ => 3,
        };
        let mut times: Vec<Vec<(f64, f64)>> = vec![Vec::new(); engines.len()];
        // Alternate the engines so that load from other processes falls on all alike.
        for _ in 0..runs {
            for (i, (_, engine)) in engines.iter().enumerate() {
                times[i].push(convert_once(engine, path, &bytes, dir, *secs));
            }
        }
        let medians: Vec<(f64, f64)> = times.iter().map(|t| medians(t)).collect();
        print!("| {secs} s {ext} | {} KB |", bytes.len() / 1024);
        for (wall, cpu) in &medians {
            print!(" {wall:.3} s | {cpu:.3} s |");
        }
        let (peer_wall, peer_cpu) = medians[engines.len() - 1];
        for (wall, cpu) in &medians[..ours.len()] {
            print!(" {:.1}x, {:.1}x |", peer_wall / wall, peer_cpu / cpu);
        }
        println!();
    }
    let _ = peer;
}

/// Wall and CPU seconds of one conversion.
fn convert_once(engine: &Engine, path: &Path, bytes: &[u8], dir: &Path, secs: u32) -> (f64, f64) {
    match engine {
        Engine::Svara(options) => measure(false, || {
            let p = prepare(bytes, options).expect("svara converts");
            assert!(p.output.duration_ms + 100 >= u64::from(secs) * 1000);
        }),
        Engine::Ffmpeg(args) => {
            let out = dir.join("ffmpeg-out");
            measure(true, || ffmpeg(&["-i"], path, args, &out))
        }
    }
}

/// Makes `engine`'s note of `input` at `out`.
fn make_note(engine: &Engine, input: &Path, out: &Path) {
    match engine {
        Engine::Svara(options) => {
            let bytes = std::fs::read(input).expect("read");
            let note = prepare(&bytes, options).expect("svara converts");
            std::fs::write(out, note.data).expect("write note");
        }
        Engine::Ffmpeg(args) => ffmpeg(&["-i"], input, args, out),
    }
}

/// PESQ-WB and SNR of svara's and FFmpeg's notes of real speech.
fn quality(work: &Path, dir: &Path) {
    println!("\n## Speech quality: PESQ-WB (1 to 4.64) and SNR after alignment, real speech\n");
    let (python, clips) = match (quality_python(work), reference_clips(work)) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => {
            println!("quality not measured: {e}");
            return;
        }
    };
    let variants = [
        (
            "svara default 64 kb/s",
            svara(TargetFormat::M4aAac, 64_000, false),
        ),
        (
            "svara fast 64 kb/s",
            svara(TargetFormat::M4aAac, 64_000, true),
        ),
        ("ffmpeg aac 64 kb/s", ffmpeg_aac("64k")),
        (
            "svara default 32 kb/s",
            svara(TargetFormat::M4aAac, 32_000, false),
        ),
        (
            "svara fast 32 kb/s",
            svara(TargetFormat::M4aAac, 32_000, true),
        ),
        ("ffmpeg aac 32 kb/s", ffmpeg_aac("32k")),
        (
            "svara opus 32 kb/s",
            svara(TargetFormat::OggOpus, 32_000, false),
        ),
        (
            "svara opus fast 32 kb/s",
            svara(TargetFormat::OggOpus, 32_000, true),
        ),
        ("ffmpeg libopus 32 kb/s", ffmpeg_opus("32k")),
    ];
    // scores[variant][clip] = (pesq, snr)
    let mut scores = vec![Vec::new(); variants.len()];
    for (clip, wav) in &clips {
        let input = dir.join(format!("{clip}-48k.wav"));
        ffmpeg(
            &["-i"],
            wav,
            &["-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le"],
            &input,
        );
        let reference = dir.join(format!("{clip}.f32"));
        ffmpeg(
            &["-i"],
            wav,
            &["-ar", "16000", "-ac", "1", "-f", "f32le"],
            &reference,
        );
        let mut degraded = Vec::new();
        for (i, (_, engine)) in variants.iter().enumerate() {
            let note = dir.join(format!("{clip}-{i}.note"));
            make_note(engine, &input, &note);
            let deg = dir.join(format!("{clip}-{i}.f32"));
            ffmpeg(
                &["-i"],
                &note,
                &["-ar", "16000", "-ac", "1", "-f", "f32le"],
                &deg,
            );
            degraded.push(deg);
        }
        let out = Command::new(&python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pesq_wb.py"))
            .arg(&reference)
            .args(&degraded)
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "pesq_wb.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (i, line) in String::from_utf8_lossy(&out.stdout).lines().enumerate() {
            let f: Vec<f64> = line
                .split_whitespace()
                .skip(1)
                .filter_map(|v| v.parse().ok())
                .collect();
            scores[i].push((f[0], f[1]));
        }
    }
    print!("| note |");
    for (clip, _) in &clips {
        print!(" PESQ-WB {clip} |");
    }
    println!(" PESQ-WB mean | SNR mean |");
    println!("|{}", "---|".repeat(clips.len() + 3));
    for ((name, _), s) in variants.iter().zip(&scores) {
        print!("| {name} |");
        for (p, _) in s {
            print!(" {p:.2} |");
        }
        let n = s.len().max(1) as f64;
        let pesq = s.iter().map(|x| x.0).sum::<f64>() / n;
        let snr = s.iter().map(|x| x.1).sum::<f64>() / n;
        println!(" {pesq:.2} | {snr:.1} dB |");
    }
    println!(
        "\nissue 11 bar, svara default at 64 kb/s PESQ-WB >= 4.4: {:.2}",
        scores[0].iter().map(|x| x.0).sum::<f64>() / scores[0].len().max(1) as f64
    );
}

/// A Python with `pesq` and `numpy`: target/bench-venv, created on first use.
fn quality_python(work: &Path) -> Result<PathBuf, String> {
    let venv = work.parent().unwrap_or(work).join("bench-venv");
    let python = venv.join("bin/python");
    let has = |p: &Path| {
        Command::new(p)
            .args(["-c", "import pesq, numpy"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has(&python) {
        println!("installing pesq and numpy into {} ...", venv.display());
        let made = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status();
        if !made.is_ok_and(|s| s.success()) {
            return Err("python3 -m venv failed (apt-get install python3-venv)".into());
        }
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "pesq==0.0.4", "numpy"])
            .status();
        if !pip.is_ok_and(|s| s.success()) || !has(&python) {
            return Err("pip install pesq numpy failed".into());
        }
    }
    Ok(python)
}

/// Real recorded speech at 16 kHz from packages, cached in target/bench-speech.
fn reference_clips(work: &Path) -> Result<Vec<(&'static str, PathBuf)>, String> {
    let cache = work.parent().unwrap_or(work).join("bench-speech");
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let codec2 = cache.join("codec2-speech_orig_16k.wav");
    if !codec2.exists() {
        // Debian's codec2-examples: speech samples of the Codec 2 project.
        let got = Command::new("apt-get")
            .args(["download", "codec2-examples"])
            .current_dir(&cache)
            .stderr(Stdio::null())
            .status();
        let deb = std::fs::read_dir(&cache)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "deb"));
        let Some(deb) = deb.filter(|_| got.is_ok_and(|s| s.success())) else {
            return Err("apt-get download codec2-examples failed (run apt-get update)".into());
        };
        let x = cache.join("codec2");
        run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&x));
        std::fs::copy(x.join("usr/share/codec2/raw/speech_orig_16k.wav"), &codec2)
            .map_err(|e| e.to_string())?;
    }
    let arctic = cache.join("cmu-arctic_a0007.wav");
    if !arctic.exists() {
        // PyPI's pysptk ships one CMU ARCTIC utterance in its source package.
        let pip = work.parent().unwrap_or(work).join("bench-venv/bin/pip");
        let got = Command::new(pip)
            .args(["download", "-q", "--no-deps", "pysptk==1.0.1", "-d"])
            .arg(&cache)
            .status();
        if !got.is_ok_and(|s| s.success()) {
            return Err("pip download pysptk failed".into());
        }
        run(Command::new("tar")
            .arg("xzf")
            .arg(cache.join("pysptk-1.0.1.tar.gz"))
            .arg("-C")
            .arg(&cache)
            .arg("pysptk-1.0.1/pysptk/example_audio_data/arctic_a0007.wav"));
        std::fs::copy(
            cache.join("pysptk-1.0.1/pysptk/example_audio_data/arctic_a0007.wav"),
            &arctic,
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(vec![("codec2", codec2), ("arctic", arctic)])
}

/// Peak memory of long conversions, each in a child process that reports its own peak RSS: a
/// 50-minute Opus recording to M4A/AAC (issue 11), a 25 MB MP3 to Ogg/Opus (issue 14, the
/// encoding path) and a 23 MB mono Ogg/Opus to Ogg/Opus (pass-through).
fn memory(speech: &Path, dir: &Path) {
    println!("\n## Peak memory (child process VmHWM)\n");
    let long = dir.join("speech-50min.ogg");
    ffmpeg(
        &["-stream_loop", "-1", "-i"],
        speech,
        &["-t", "3000", "-ac", "1", "-c:a", "libopus", "-b:a", "48k"],
        &long,
    );
    let mp3 = dir.join("speech-25mb.mp3");
    ffmpeg(
        &["-stream_loop", "-1", "-i"],
        speech,
        &[
            "-t",
            "3200",
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            "-ar",
            "44100",
        ],
        &mp3,
    );
    let big = dir.join("speech-23mb.ogg");
    ffmpeg(
        &["-stream_loop", "-1", "-i"],
        speech,
        &["-t", "4200", "-ac", "1", "-c:a", "libopus", "-b:a", "48k"],
        &big,
    );
    for (input, kind, format, bitrate) in [
        (&long, "Opus", "m4a-aac", 64_000u32),
        (&mp3, "MP3", "ogg-opus", 32_000),
        (&big, "Opus", "ogg-opus", 32_000),
    ] {
        let size = std::fs::metadata(input).expect("input").len();
        let t = Instant::now();
        let out = Command::new(std::env::current_exe().expect("own path"))
            .arg("--child-convert")
            .arg(input)
            .arg(format)
            .arg(bitrate.to_string())
            .output()
            .expect("child runs");
        println!(
            "- {:.1} MB {kind} input -> {format} at {} kb/s: {} in {:.2} s",
            size as f64 / 1_048_576.0,
            bitrate / 1000,
            String::from_utf8_lossy(&out.stdout).trim(),
            t.elapsed().as_secs_f64()
        );
    }
}

/// In the child: convert one file and print the outcome and peak resident memory.
fn child_convert(path: &Path, format: &str, bitrate: u32) {
    let bytes = std::fs::read(path).expect("read");
    let format: TargetFormat = format.parse().expect("format");
    let options = PrepareOptions {
        bitrate,
        ..PrepareOptions::for_format(format)
    };
    let outcome = match prepare(&bytes, &options) {
        Ok(p) => format!(
            "{} {:.1} MB note of {:.0} min",
            if p.converted {
                "converted to a"
            } else {
                "passed through as a"
            },
            p.data.len() as f64 / 1_048_576.0,
            p.output.duration_ms as f64 / 60_000.0
        ),
        Err(e) => format!("refused: {}", e.code()),
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: ? kB")
        .trim_start_matches("VmHWM:")
        .trim()
        .to_owned();
    let mb = hwm
        .trim_end_matches(" kB")
        .parse::<f64>()
        .map_or(hwm.clone(), |kb| format!("{:.0} MB", kb / 1024.0));
    println!("{outcome}, peak RSS {mb}");
}

/// Wall-clock and CPU seconds of one run of `f`; CPU is this process's own (user + system, all
/// threads) or, with `children`, that of the child processes it waited for.
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

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

fn tool_works(name: &str, flag: &str) -> bool {
    Command::new(name)
        .arg(flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn ffmpeg(pre: &[&str], input: &Path, post: &[&str], out: &Path) {
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
