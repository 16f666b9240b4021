//! The `wafleet` command line: serve, migrate, print-schema, create-user.

use std::io::BufRead;

use anyhow::Context;
use clap::{Parser, Subcommand};
use wafleet::{
    auth::accounts::{self, NewAccount},
    config::Config,
    db,
    domain::accounts::{Email, FullName, Password},
    graphql,
    startup::{shutdown_signal, Application},
    telemetry,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "wafleet",
    version,
    about = "Runs a fleet of WhatsApp devices behind a GraphQL API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs migrations, then serves the API, subscriptions and the SPA.
    Serve,
    /// Runs pending database migrations and exits.
    Migrate,
    /// Prints the GraphQL schema (SDL) to standard output.
    PrintSchema,
    /// Creates a user; the password is read from standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        full_name: String,
    },
}

#[tokio::main]
async fn main() {
    if let Err(err) = run().await {
        eprintln!("wafleet: {err:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::PrintSchema = cli.command {
        print!("{}", graphql::sdl());
        return Ok(());
    }
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    match cli.command {
        Command::Serve => {
            let app = Application::build(config).await?;
            tracing::info!(address = %app.local_addr(), "wafleet is listening");
            app.run_until_stopped(shutdown_signal()).await
        }
        Command::Migrate => {
            let db = db::connect(&config.database_url).await?;
            db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateUser { email, full_name } => {
            eprintln!("Password (one line on standard input):");
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password")?;
            let account = NewAccount {
                email: Email::parse(&email).map_err(|e| anyhow::anyhow!(e.message()))?,
                password: Password::for_account(
                    password.trim_end_matches(['\r', '\n']),
                    &email,
                    &full_name,
                )
                .map_err(|e| anyhow::anyhow!(e.message()))?,
                full_name: FullName::parse(&full_name).map_err(|e| anyhow::anyhow!(e.message()))?,
                time_zone: None,
                default_country: None,
            };
            let db = db::connect(&config.database_url).await?;
            db::migrate(&db).await?;
            let user = accounts::create_user_cli(&db, account)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            println!("created user {}", user.id);
            Ok(())
        }
        Command::PrintSchema => Ok(()),
    }
}
