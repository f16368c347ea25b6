//! `weerbaar report cases`: the incidents of a year as anonymised rows for a spreadsheet
//! (`Register::export_anonymised_cases`), written as CSV that Dutch Excel and LibreOffice
//! open as it is (`weerbaar_web::spreadsheet`). The export is in the administration log
//! before a row is written; a bad argument writes nothing on standard output.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use weerbaar_register::yearly::{FIRST_YEAR, LAST_YEAR};

use crate::register_cmd::Flat;
use crate::user_cmd::{open, organisation};

#[derive(Debug, Args)]
pub struct CasesArgs {
    /// The year the incidents happened in (Europe/Amsterdam), 1900 to 2999.
    #[arg(long, value_name = "YYYY", value_parser = clap::value_parser!(i16).range(i64::from(FIRST_YEAR)..=i64::from(LAST_YEAR)))]
    year: i16,
    /// The organisation's id (see `weerbaar organisation list`); may be left out when
    /// the register holds one organisation.
    #[arg(long, value_name = "ID")]
    organisation: Option<String>,
}

pub async fn run(data_dir: &Path, args: CasesArgs) -> Result<ExitCode> {
    let register = open(data_dir).await?;
    let result = async {
        let id = organisation(&register, args.organisation.as_deref()).await?;
        register
            .export_anonymised_cases(&id, None, args.year, weerbaar_register::time::now())
            .await
            .flat()
            .with_context(|| format!("cannot export the incidents of {}", args.year))
    }
    .await;
    register.db().close().await;
    let rows = result?;
    print!(
        "{}",
        weerbaar_web::spreadsheet::anonymised_cases(args.year, &rows)
    );
    Ok(ExitCode::SUCCESS)
}
