use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = promptvault::cli::Cli::parse();
    match promptvault::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            if let Some(promptvault::cli::Exit(code)) = e.downcast_ref() {
                return std::process::ExitCode::from(*code);
            }
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
