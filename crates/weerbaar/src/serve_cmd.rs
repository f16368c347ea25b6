//! `weerbaar serve`: the web application. With no configuration at all it makes its data
//! folder, key file and SQLite database on the first start and asks the first visitor,
//! who must know the setup code printed here, to set up the organisation.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use weerbaar_register::MasterKey;
use weerbaar_web::{AppState, Settings};

use crate::config::{Config, KeySource, LogSettings, Overrides, read_key_file};
use crate::register_cmd::{Undo, create_data_dir, open_register};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; by default `server.listen` or 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<SocketAddr>,
}

pub async fn run(data_dir: &Path, args: ServeArgs) -> Result<ExitCode> {
    let config = Config::load(data_dir, &Overrides::default())?;
    init_logging(config.log);
    let listen = args.listen.unwrap_or(config.listen);
    let master = first_start_or_key(&config)?;
    let register = open_register(&config, master).await?;
    let setup_code = new_setup_code();
    let pending = weerbaar_web::setup_pending(&register)
        .await
        .map_err(|error| anyhow!("cannot read the register: {error}"))?;
    let state = AppState::new(
        register,
        Settings {
            secure_cookies: config.secure_cookies,
            setup_code: Some(setup_code.clone()),
            oidc: config.oidc.clone(),
            metrics: config.metrics.clone(),
            public_url: config.public_url.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
            ..Settings::default()
        },
    );
    tokio::spawn(purge_sessions(state.clone()));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr().unwrap_or(listen);
    tracing::info!(
        %address,
        version = env!("CARGO_PKG_VERSION"),
        oidc = config.oidc.is_some(),
        metrics = config.metrics.is_some(),
        "weerbaar serve started"
    );
    println!(
        "Weerbaar draait op http://{address}/ (data: {})",
        config.data_dir.display()
    );
    if pending {
        println!("Inrichtingscode: {setup_code}");
        println!("Open de pagina in een browser en vul deze code in om Weerbaar in te richten.");
    }
    // The scheduler of the outbox, when `[mail]` is set: it stops with the server, after
    // finishing the round under way.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let scheduler = match &config.mail {
        Some(settings) => {
            let mailer =
                weerbaar_web::mail::Mailer::new(settings).map_err(|e| anyhow!("[mail]: {e}"))?;
            let owner = weerbaar_web::mail::instance_name();
            tracing::info!(server = %settings.server, port = settings.port, %owner, "mail scheduler started");
            let mut stopped = stopped.clone();

            Some(tokio::spawn(weerbaar_web::mail::run_scheduler(
                state.clone(),
                mailer,
                owner,
                settings.interval,
                async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                },
            )))
        }
        None => None,
    };
    weerbaar_web::serve(listener, state, async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await
    .context("the web server stopped")?;
    if let Some(scheduler) = scheduler {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(60), scheduler).await;
    }
    tracing::info!("weerbaar serve stopped");
    println!("Weerbaar is gestopt.");
    Ok(ExitCode::SUCCESS)
}

/// The log of `weerbaar serve`, on standard error: plain text, or one JSON object per
/// line with `log.format = "json"`. Events carry no case content and no personal data.
fn init_logging(log: LogSettings) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(log.level)
        .with_writer(std::io::stderr)
        .with_target(false);
    // A second `serve` in one process (tests) keeps the first subscriber.
    let _ = if log.json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// The master key; on the very first start of a data folder without configuration, a
/// new key file (mode 0600) in a new folder (mode 0700).
fn first_start_or_key(config: &Config) -> Result<MasterKey> {
    let first_start = !config.file.exists()
        && config.sqlite_file().is_some_and(|db| !db.exists())
        && matches!(&config.key, KeySource::File(path) if path.symlink_metadata().is_err());
    match &config.key {
        KeySource::File(path) if first_start => {
            create_data_dir(&config.data_dir, &mut Undo::default())?;
            let key = MasterKey::generate();
            key.write_key_file(path)
                .map_err(|error| anyhow!("{error}"))?;
            println!(
                "Nieuwe sleutel aangemaakt: {}. Bewaar een kopie op een veilige plek, los van de back-ups.",
                path.display()
            );
            Ok(key)
        }
        KeySource::File(path) => read_key_file(path, !config.file.exists()),
        KeySource::Env(_) => config.master_key(),
    }
}

/// Eight letters and digits without look-alikes, in two groups: easy to type from a
/// terminal, about 40 bits, and good for one setup only.
fn new_setup_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let mut code = String::with_capacity(9);
    for position in 0..8 {
        if position == 4 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    code
}

/// Removes expired sessions (and the counts of sign-in attempts of ended windows) every
/// ten minutes: an expired session no longer signs anyone in, but its row should not
/// outlive its use.
async fn purge_sessions(state: AppState) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        interval.tick().await;
        if let Err(error) = state
            .register()
            .purge_sessions(jiff::Timestamp::now(), state.session_limits())
            .await
        {
            tracing::error!(%error, "expired sessions were not removed");
        }
        // The counts of sign-in attempts of windows that ended (a minute) are worthless.
        let ended = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1);
        if let Err(error) = state.register().purge_sign_in_attempts(ended).await {
            tracing::error!(%error, "old counts of sign-in attempts were not removed");
        }
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
