//! `lifeline serve`: the web service for "Visit someone in prison".

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Settings file (TOML); LIFELINE_* environment variables override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Directory for the SQLite database (default data/web).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// postgres://user@host/db to use PostgreSQL instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Print the settings in effect as TOML and stop.
    #[arg(long)]
    print_config: bool,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config =
        server::Config::load(args.config.as_deref()).context("cannot load settings")?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(dir) = args.data_dir {
        config.data_dir = dir;
    }
    if let Some(url) = args.database_url {
        config.database_url = Some(url);
    }
    if args.print_config {
        print!("{}", config.to_toml());
        return Ok(ExitCode::SUCCESS);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LIFELINE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let running = server::App::start(config)
            .await
            .context("cannot start the web service")?;
        println!(
            "Visit someone in prison is running at http://{}",
            running.addr()
        );
        running.until_signalled().await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
