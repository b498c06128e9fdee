//! Captures every log line the app writes in this test process, to prove secrets stay out.

use std::io::Write;
use std::sync::{Mutex, OnceLock, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

static BUFFER: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();

fn buffer() -> &'static Mutex<Vec<u8>> {
    BUFFER.get_or_init(Mutex::default)
}

struct Capture;

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        buffer()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct MakeCapture;

impl<'a> MakeWriter<'a> for MakeCapture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        Capture
    }
}

/// Starts capturing, at debug level, every log line of this process (JSON, with span fields).
pub fn start() {
    let _already = tracing_subscriber::fmt()
        .with_env_filter("debug")
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(MakeCapture)
        .try_init();
}

/// Everything captured so far.
pub fn captured() -> String {
    String::from_utf8_lossy(&buffer().lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
}
