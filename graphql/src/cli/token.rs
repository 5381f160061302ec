//! `civitas token issue`.

use std::path::PathBuf;

use chrono::Utc;
use civitas_core::auth::Claims;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Print a token signed with the server's secret (HS256).
    Issue {
        /// resident, operator, department_staff, district_admin or city_admin.
        #[arg(long)]
        role: String,
        /// District ID as the API returns it (`dst_1`), for district admins and department staff.
        #[arg(long)]
        district: Option<String>,
        /// Department ID (`dep_4`), for department staff.
        #[arg(long)]
        department: Option<String>,
        /// The person's stable identifier.
        #[arg(long)]
        subject: String,
        /// Validity in hours.
        #[arg(long, default_value_t = 24)]
        ttl_hours: i64,
        /// The server's data directory (where its secret is).
        #[arg(long, env = "CIVITAS_DATA_DIR", default_value = "./civitas-data")]
        data_dir: PathBuf,
        /// The server's secret, when configured instead of generated.
        #[arg(long, env = "CIVITAS_JWT_SECRET", hide_env_values = true)]
        jwt_secret: Option<String>,
    },
}

pub fn run(command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Issue { role, district, department, subject, ttl_hours, data_dir, jwt_secret } = command;
    if !(1..=24 * 365).contains(&ttl_hours) {
        anyhow::bail!("--ttl-hours must be between 1 and 8760");
    }
    let now = Utc::now().timestamp();
    let claims = Claims { sub: subject, role, district, department, iat: now, exp: now + ttl_hours * 3600 };
    // Refuse to print a token the server would reject.
    claims.clone().into_caller()?;
    let secret = civitas_graphql::settings::signing_secret(&data_dir, jwt_secret.as_deref())?;
    println!("{}", civitas_core::auth::TokenIssuer::new(&secret).issue(&claims)?);
    Ok(())
}

/// Issues a token for the demo, valid for 30 days.
pub fn demo_token(
    issuer: &civitas_core::auth::TokenIssuer,
    subject: &str,
    role: &str,
    district: Option<String>,
    department: Option<String>,
) -> anyhow::Result<String> {
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: subject.to_owned(),
        role: role.to_owned(),
        district,
        department,
        iat: now,
        exp: now + 30 * 24 * 3600,
    };
    Ok(issuer.issue(&claims)?)
}
