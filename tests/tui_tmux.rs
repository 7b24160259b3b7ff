//! Smoke test of the real binary in a real terminal: tmux runs `capdiag tui` on a broken-chain
//! sample; the test reads the screen with capture-pane, moves to the failure with `n`, opens the
//! help with `?`, quits with `q`, and checks the terminal was given back (no alternate screen,
//! no mouse reporting, cursor shown) and the exit code. Every wait polls with a deadline.
//! Without tmux (found by build.rs when the tests are built) the test is `#[ignore]`d with the
//! reason, so `cargo test` counts it as ignored; under CI (CI set) it runs, and fails without
//! tmux.

mod tui_support;

use std::process::{Command, Output};

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "smoke"]).stdout)
            .into_owned()
    }

    fn format(&self, fmt: &str) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["display-message", "-p", "-t", "smoke", fmt])
                .stdout,
        )
        .trim()
        .to_string()
    }

    fn keys(&self, keys: &str) {
        assert!(
            self.run(&["send-keys", "-t", "smoke", keys])
                .status
                .success()
        );
    }

    /// Polls the screen until `want` holds, or fails with the last screen at the deadline.
    fn wait_for(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        tui_support::wait_until(what, || self.screen(), want)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
#[cfg_attr(
    capdiag_skip_tmux,
    ignore = "tmux is not installed (apt-get install tmux, then cargo test runs it)"
)]
fn tui_in_tmux_shows_the_chain_jumps_to_the_failure_and_restores_the_terminal() {
    assert!(
        tmux_available(),
        "tmux is required for this test{}",
        if std::env::var_os("CI").is_some() {
            " under CI (.ci/run installs it)"
        } else {
            ": it was on PATH when the tests were built but does not run now"
        }
    );
    let bin = env!("CARGO_BIN_EXE_capdiag");
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/scp-missing.pcap");
    let tmux = Tmux {
        socket: format!("capdiag-smoke-{}", std::process::id()),
    };
    // The shell stays (the server is killed at the end) so the screen after exit can be read.
    let command = format!("'{bin}' tui '{sample}'; echo EXIT=$?; exec sleep 60");
    let started = tmux.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "smoke",
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    assert!(
        tmux.run(&["set-option", "-t", "smoke", "remain-on-exit", "on"])
            .status
            .success()
    );

    let screen = tmux.wait_for("the chain bar", |s| s.contains("BROKEN at scp_search"));
    for stage in ["SRV", "Ping", "Bind", "RootDSE", "SCP", "HTTPS"] {
        assert!(screen.contains(stage), "stage {stage} missing:\n{screen}");
    }
    assert!(screen.contains("Timeline"), "{screen}");
    assert_eq!(tmux.format("#{alternate_on}"), "1");

    tmux.keys("n");
    let screen = tmux.wait_for("the failure's detail", |s| {
        s.contains("Frame 29 · LDAP search") && s.contains("Cause: scp.not_found")
    });
    assert!(
        screen.contains("!   29"),
        "the finding row is marked:\n{screen}"
    );

    tmux.keys("?");
    let screen = tmux.wait_for("the help overlay", |s| s.contains("Keys — ? or Esc closes"));
    assert!(screen.contains("next / previous finding"), "{screen}");

    tmux.keys("q");
    let screen = tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    assert!(
        screen.contains("EXIT=1"),
        "a broken chain exits 1:\n{screen}"
    );
    assert!(
        !screen.contains("Timeline"),
        "TUI left on screen:\n{screen}"
    );
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "alternate screen left on"
    );
    assert_eq!(
        tmux.format("#{mouse_any_flag}"),
        "0",
        "mouse reporting left on"
    );
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor left hidden");
}

#[test]
fn unreadable_input_is_reported_before_the_terminal_is_taken() {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(["tui", "no/such/file.pcap"])
        .output()
        .expect("capdiag runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("capdiag: no/such/file.pcap: cannot open"),
        "{err}"
    );
    // Nothing was drawn: no escape sequence reached stdout.
    assert!(out.stdout.is_empty());
}
