//! What the seed-writing examples share: the §6 payload their symbols carry, and writing named
//! seed files into the directory given as the only argument (exit 2 with a message on a missing
//! argument or a failure).

use std::path::Path;
use std::process::ExitCode;

/// The example of ins-rules.md §6 (PAT-TROIS DOMINIQUE), the payload every seed symbol carries.
pub const DOC_EXAMPLE: &str = "IS010000000000000000000000S1279035121518989S21.2.250.1.213.1.4.10S3DOMINIQUE\u{1d}S4PAT-TROIS\u{1d}S5FS628-03-1979S763220";

/// Seeds as `(file name, bytes)`, or why they could not be made.
pub type Seeds = Result<Vec<(&'static str, Vec<u8>)>, String>;

fn write(dir: &Path, seeds: Seeds) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, bytes) in seeds? {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The example's `main`: `program DIR` writes `seeds()` into DIR.
pub fn main(program: &str, seeds: fn() -> Seeds) -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: {program} DIR");
        return ExitCode::from(2);
    };
    match write(Path::new(&dir), seeds()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
