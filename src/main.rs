use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = promptvault::cli::Cli::parse();
    match promptvault::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
