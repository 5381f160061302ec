//! `civitas token issue`, and the token settings it shares with `civitas serve`.

use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;
use civitas_core::auth::{Audience, Claims, KnownBindings, TokenIssuer};
use clap::{Args, Subcommand};

/// How tokens are checked: read by `serve`, and by `token issue` so that it never prints a token
/// the server would refuse.
#[derive(Args, Clone, Debug)]
pub struct TokenArgs {
    /// The `iss` every token must carry (the identity provider's URL); not checked when unset.
    /// Tokens issued here carry it.
    #[arg(long, env = "CIVITAS_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// The `aud` every token must carry (a string, or a list holding it); not checked when
    /// unset. Tokens issued here carry it.
    #[arg(long, env = "CIVITAS_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// The longest this server's own tokens (HS256) may still be valid: `30d`, `12h`, `90m`.
    #[arg(long, env = "CIVITAS_JWT_MAX_LIFETIME", default_value = "30d", value_parser = parse_lifetime)]
    pub jwt_max_lifetime: Duration,
}

/// `30d`, `12h`, `90m` or `45s` as a duration of at least a minute and at most a year.
pub fn parse_lifetime(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let count: u64 = number.parse().map_err(|_| format!("`{text}` is not a duration like 30d, 12h or 90m"))?;
    let seconds = match unit {
        "d" => count.saturating_mul(86_400),
        "h" => count.saturating_mul(3_600),
        "m" => count.saturating_mul(60),
        "s" => count,
        _ => return Err(format!("`{text}`: the unit is d, h, m or s")),
    };
    if !(60..=365 * 86_400).contains(&seconds) {
        return Err(format!("`{text}` must be between a minute and a year"));
    }
    Ok(Duration::from_secs(seconds))
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Print a token signed with the server's secret (HS256).
    Issue {
        /// resident, operator, department_staff, district_admin or city_admin.
        #[arg(long)]
        role: String,
        /// District ID as the API returns it (`dst_1`): required for district admins and
        /// department staff; for a resident, where they live (admits them to
        /// `DISTRICT_RESIDENTS` surveys).
        #[arg(long)]
        district: Option<String>,
        /// A resident's verified phone number (`+86 138 1234 5678`): their own survey answers
        /// and those an operator gives for them by this number are one participation.
        #[arg(long)]
        phone: Option<String>,
        /// A resident's verified year of birth (`2008`): admits them to votes with a minimum
        /// age (and tells a district's eligibility plugin their age).
        #[arg(long)]
        birth_year: Option<i32>,
        /// Department ID (`dep_4`), for department staff.
        #[arg(long)]
        department: Option<String>,
        /// The person's stable identifier.
        #[arg(long)]
        subject: String,
        /// Validity in hours (at most the server's --jwt-max-lifetime).
        #[arg(long, default_value_t = 24)]
        ttl_hours: u64,
        #[command(flatten)]
        data: super::DatabaseArgs,
        /// The server's secret, when configured instead of generated.
        #[arg(long, env = "CIVITAS_JWT_SECRET", hide_env_values = true)]
        jwt_secret: Option<String>,
        #[command(flatten)]
        tokens: TokenArgs,
    },
}

pub fn run(command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Issue {
        role,
        district,
        department,
        phone,
        birth_year,
        subject,
        ttl_hours,
        data,
        jwt_secret,
        tokens,
    } = command;
    let ttl = Duration::from_secs(ttl_hours.saturating_mul(3600));
    if ttl_hours == 0 || ttl > tokens.jwt_max_lifetime {
        anyhow::bail!(
            "--ttl-hours must be between 1 and {} (the server's --jwt-max-lifetime)",
            tokens.jwt_max_lifetime.as_secs() / 3600
        );
    }
    let secret = civitas_graphql::settings::existing_signing_secret(&data.data_dir, jwt_secret.as_deref())?;
    let claims = Claims { phone, birth_year, ..claims(subject, role, district, department, ttl, &tokens) };
    // Refuse to print a token the server would reject: consistent claims, and a district and
    // department that its directory has.
    let caller = claims.clone().into_caller()?;
    let url = data.existing_url()?;
    super::runtime()?.block_on(async {
        let ctx = civitas_core::Context::new(civitas_core::db::connect(&url).await?);
        KnownBindings::new().check(&ctx, &caller).await.context("the token would be refused")
    })?;
    println!("{}", TokenIssuer::new(&secret).issue(&claims)?);
    Ok(())
}

/// The claims of a token valid from now for `ttl`, carrying the expected issuer and audience.
pub fn claims(
    subject: String,
    role: String,
    district: Option<String>,
    department: Option<String>,
    ttl: Duration,
    tokens: &TokenArgs,
) -> Claims {
    let now = Utc::now().timestamp();
    Claims {
        email: None,
        sub: subject,
        role,
        district,
        department,
        phone: None,
        birth_year: None,
        iat: now,
        exp: now + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2),
        nbf: None,
        iss: tokens.jwt_issuer.clone(),
        aud: tokens.jwt_audience.clone().map(Audience::One),
    }
}

/// Issues a token for the demo, valid as long as the server allows (30 days by default).
pub fn demo_token(
    issuer: &TokenIssuer,
    subject: &str,
    role: &str,
    district: Option<String>,
    department: Option<String>,
    tokens: &TokenArgs,
) -> anyhow::Result<String> {
    let claims = claims(subject.to_owned(), role.to_owned(), district, department, tokens.jwt_max_lifetime, tokens);
    Ok(issuer.issue(&claims)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_like_people_write_them() {
        assert_eq!(parse_lifetime("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_lifetime("12h"), Ok(Duration::from_secs(12 * 3_600)));
        assert_eq!(parse_lifetime("90m"), Ok(Duration::from_secs(90 * 60)));
        for bad in ["", "30", "d", "30y", "10s", "400d", "-1d"] {
            assert!(parse_lifetime(bad).is_err(), "{bad}");
        }
    }
}
