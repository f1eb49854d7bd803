//! The `pnl` command: parse the command line and run it.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: under glibc's malloc, ingest spent about a third of
/// its CPU in `malloc`/`free` (`perf` on `pnl bench`: `_int_malloc`, `malloc_consolidate`,
/// `unlink_chunk`), the many short-lived strings and JSON values of decoding and normalising.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = pnl::cli::Cli::parse();
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
