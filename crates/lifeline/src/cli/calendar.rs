//! `lifeline calendar ...`: bank holidays and working-day sums.

use std::process::ExitCode;

use anyhow::Context;
use calendar::{Calendar, Region, WorkingDays};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List a year's bank holidays.
    Holidays {
        /// The year (1990 to 2100).
        #[arg(long)]
        year: i32,
        #[command(flatten)]
        region: RegionArg,
    },
    /// The date N working days after a date (the date itself never counts).
    Add {
        /// Start date, YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// Working days to add.
        #[arg(long)]
        days: u32,
        #[command(flatten)]
        region: RegionArg,
    },
    /// Working days after one date up to and including another.
    Between {
        /// Start date, YYYY-MM-DD (not counted).
        #[arg(long)]
        from: NaiveDate,
        /// End date, YYYY-MM-DD (counted).
        #[arg(long)]
        to: NaiveDate,
        #[command(flatten)]
        region: RegionArg,
    },
}

#[derive(Debug, Args)]
pub struct RegionArg {
    /// Whose bank holidays count: england-and-wales, scotland,
    /// northern-ireland, or uk (any part of the UK, as the Freedom of
    /// Information Act counts).
    #[arg(long, default_value = "england-and-wales")]
    region: Region,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Holidays { year, region } => {
            let cal = Calendar::new(region.region);
            let holidays = cal.holidays(year).context("cannot list bank holidays")?;
            println!("Bank holidays in {} for {}:", region.region, year);
            for h in holidays {
                println!("  {}  {}", h.date.format("%a %e %b %Y"), h.name);
            }
        }
        Command::Add { from, days, region } => {
            let cal = Calendar::new(region.region);
            let date = cal
                .add_working_days(from, WorkingDays(days))
                .context("cannot add working days")?;
            println!("{}", date.format("%Y-%m-%d (%A)"));
        }
        Command::Between { from, to, region } => {
            let cal = Calendar::new(region.region);
            let n = cal
                .working_days_between(from, to)
                .context("cannot count working days")?;
            println!("{n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
