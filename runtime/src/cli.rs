//! What `rekindle-api` and `rekindle-worker` share as commands: how a command's result is
//! printed (one JSON object per line when `REKINDLE_LOG_FORMAT=json`, so standard output stays
//! JSON for machines), and how a failure ends the process (one line on standard error, no
//! backtrace, exit code 1).

use std::process::ExitCode;

use crate::config::LogFormat;

/// Prints a command's result: `message` for people, or `message` and `fields` as one JSON
/// object in JSON mode.
pub fn report(format: LogFormat, message: &str, fields: serde_json::Value) {
    match format {
        LogFormat::Pretty => println!("{message}"),
        LogFormat::Json => {
            let mut line = serde_json::Map::new();
            line.insert("message".into(), message.into());
            if let serde_json::Value::Object(fields) = fields {
                line.extend(fields);
            }
            println!("{}", serde_json::Value::Object(line));
        }
    }
}

/// Ends a command: success, or its error and every cause on one line of standard error.
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
