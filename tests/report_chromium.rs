//! The HTML report in a real browser: headless Chromium opens the file from disk, takes a
//! screenshot, which must not be blank (decoded, with enough colours, ink and the red of the
//! break), and dumps the DOM, which must hold the verdict and every stage. Without Chromium (found
//! by build.rs when the tests are built) the test is `#[ignore]`d with the reason, so `cargo test`
//! counts it as ignored; under CI (CI set; CI installs Debian's `chromium`) it runs, and fails
//! without it. Every run is bounded in time.

mod report_support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use capdiag::report::html;
use report_support::{analyse, samples_dir};

const TIMEOUT: Duration = Duration::from_secs(120);

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CAPDIAG_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// Runs Chromium with the flags that keep it off the network and out of the user's profile;
/// returns its standard output, killing it when it outlives [`TIMEOUT`].
fn run_chromium(bin: &Path, profile: &Path, extra: &[String], url: &str) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait on chromium") {
            Some(status) => {
                assert!(status.success(), "chromium failed: {status}");
                break;
            }
            None if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within {TIMEOUT:?}");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    reader.join().expect("reader thread")
}

/// RGBA pixels of a PNG.
fn decode_png(path: &Path) -> (u32, u32, Vec<[u8; 4]>) {
    let file = std::fs::File::open(path).expect("screenshot written");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let bytes = &buf[..info.buffer_size()];
    let pixels = match info.color_type {
        png::ColorType::Rgba => bytes
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect(),
        png::ColorType::Rgb => bytes
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => bytes
            .chunks_exact(2)
            .map(|c| [c[0], c[0], c[0], c[1]])
            .collect(),
        _ => bytes.iter().map(|&g| [g, g, g, 255]).collect(),
    };
    (info.width, info.height, pixels)
}

#[test]
#[cfg_attr(
    capdiag_skip_chromium,
    ignore = "no chromium on PATH (apt-get install -y chromium, or set CAPDIAG_CHROMIUM)"
)]
fn report_renders_in_headless_chromium() {
    let Some(bin) = find_chromium() else {
        panic!(
            "chromium is required for this test{}",
            if std::env::var_os("CI").is_some() {
                " under CI (.ci/run installs it)"
            } else {
                ": it was found when the tests were built but is gone now"
            }
        );
    };
    let dir = std::env::temp_dir().join(format!("capdiag-chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let a = analyse(&samples_dir().join("tls-untrusted.pcap"));
    let page = dir.join("report.html");
    std::fs::write(&page, html::render(&a)).expect("write report");
    let url = format!("file://{}", page.display());
    let shot = dir.join("shot.png");

    run_chromium(
        &bin,
        &dir.join("profile"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600".into(),
        ],
        &url,
    );
    let (w, h, pixels) = decode_png(&shot);
    assert_eq!((w, h), (1200, 1600));
    let mut colours: Vec<[u8; 4]> = pixels.clone();
    colours.sort_unstable();
    colours.dedup();
    let ink = pixels
        .iter()
        .filter(|p| p[0] < 200 || p[1] < 200 || p[2] < 200)
        .count();
    let red = pixels
        .iter()
        .filter(|p| p[0] > 170 && p[1] < 80 && p[2] < 80)
        .count();
    assert!(
        colours.len() > 200,
        "screenshot has {} colours: blank?",
        colours.len()
    );
    assert!(
        ink * 100 > pixels.len() * 3,
        "screenshot is almost empty ({ink} dark pixels)"
    );
    assert!(
        red > 500,
        "the broken verdict is not shown in red ({red} red pixels)"
    );

    let dom = run_chromium(&bin, &dir.join("profile"), &["--dump-dom".into()], &url);
    assert!(
        dom.contains("BROKEN at tls_handshake"),
        "DOM lacks the verdict"
    );
    for s in &a.chains[0].stages {
        assert!(
            dom.contains(s.kind.title()),
            "DOM lacks stage {}",
            s.kind.title()
        );
    }
    assert!(dom.contains("tls.alert.unknown_ca"));
    let _ = std::fs::remove_dir_all(&dir);
}
