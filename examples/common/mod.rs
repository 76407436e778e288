//! What the examples share: an error is printed as its `Display` text ("line 2: 14 fields, the
//! header has 5"), not as the `Debug` form a `main` returning `Result` prints.
use std::error::Error;
use std::process::ExitCode;

/// Runs `run`; on an error, prints `error: ` and its text on stderr and fails.
pub fn report(run: impl FnOnce() -> Result<(), Box<dyn Error>>) -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
