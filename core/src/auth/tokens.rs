//! Signed bearer tokens (JWT).

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Caller, CallerEmail, Role, VerifiedPhone};
use crate::error::{Classify, ErrorKind, INTERNAL_ERROR};
use crate::i18n::Message;
use crate::ids::{DepartmentId, DistrictId};

/// Why a token was not accepted, or a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The token has expired.
    #[error("the token has expired")]
    Expired,
    /// Not a JWT, wrongly signed, signed with an algorithm that is not configured (including
    /// `alg: none`), or from another issuer or for another audience than configured.
    #[error("the token is invalid")]
    Invalid,
    /// Its `nbf` (not before) is still in the future.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// The token is well signed but its claims do not describe a valid caller.
    #[error("the token's claims are invalid: {0}")]
    InvalidClaims(Message),
    /// A configured key could not be loaded.
    #[error("cannot load the verification key: {0}")]
    Key(String),
    /// The directory could not be read to check the token's district and department.
    #[error("storage error while checking the token's bindings: {0}")]
    Storage(String),
}

impl Classify for AuthError {
    fn kind(&self) -> ErrorKind {
        match self {
            AuthError::Key(_) | AuthError::Storage(_) => ErrorKind::Internal,
            AuthError::Expired | AuthError::Invalid | AuthError::NotYetValid | AuthError::InvalidClaims(_) => {
                ErrorKind::Unauthenticated
            }
        }
    }

    fn message(&self) -> Message {
        match self {
            AuthError::Expired => Message::new("the token has expired"),
            AuthError::Invalid => Message::new("the token is invalid"),
            AuthError::NotYetValid => Message::new("the token is not valid yet"),
            AuthError::InvalidClaims(reason) => {
                Message::new("the token's claims are invalid: {reason}").arg_message("reason", reason.clone())
            }
            AuthError::Key(_) | AuthError::Storage(_) => INTERNAL_ERROR,
        }
    }
}

/// The claims of a Civitas token.
///
/// `role` is one of the [`Role`] names; `district` and `department` are ID strings as the API
/// returns them (`dst_1`, `dep_4`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Subject: the person's stable identifier.
    pub sub: String,
    /// Role name.
    pub role: String,
    /// District ID: required for district admins and department staff; for a resident, where
    /// they live (optional; it admits them to `DISTRICT_RESIDENTS` surveys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// A resident's phone number as the identity provider verified it (optional): their
    /// survey answers and those an operator gives on their behalf by that number are one
    /// participation. Kept only inside a participation key's HMAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Department ID, for department staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// A resident's year of birth as the identity provider verified it (optional): votes with a
    /// minimum age admit them by it.
    #[serde(default, rename = "birthYear", skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<i32>,
    /// The person's email address as the identity provider knows it (optional): mail about
    /// the tickets they report goes there, and their mail preferences are kept for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Issued at (seconds since the epoch).
    #[serde(default)]
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Not valid before (seconds since the epoch), if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Who issued it (the identity provider's URL), if set; checked when the server expects one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Whom it is for, one name or several; checked when the server expects an audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
}

/// A token's `aud`: identity providers write one string or a list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Audience {
    /// One audience.
    One(String),
    /// Several.
    Many(Vec<String>),
}

/// Seconds of clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;

impl Claims {
    /// The caller these claims describe, checking that role and bindings are consistent.
    pub fn into_caller(self) -> Result<Caller, AuthError> {
        let role: Role =
            self.role.parse().map_err(|error: super::UnknownRole| AuthError::InvalidClaims(error.message()))?;
        let district = self
            .district
            .as_deref()
            .map(str::parse::<DistrictId>)
            .transpose()
            .map_err(|error| AuthError::InvalidClaims(error.message()))?;
        let department = self
            .department
            .as_deref()
            .map(str::parse::<DepartmentId>)
            .transpose()
            .map_err(|error| AuthError::InvalidClaims(error.message()))?;
        if self.sub.trim().is_empty() {
            return Err(AuthError::InvalidClaims(Message::new("empty subject")));
        }
        let needs_district = matches!(role, Role::DistrictAdmin | Role::DepartmentStaff);
        if needs_district && district.is_none() {
            return Err(AuthError::InvalidClaims(Message::new("role {role} needs a district").arg("role", role)));
        }
        if role == Role::DepartmentStaff && department.is_none() {
            return Err(AuthError::InvalidClaims(Message::new("role department_staff needs a department")));
        }
        let resident = role == Role::Resident;
        let phone = match self.phone.as_deref() {
            Some(phone) if resident => Some(VerifiedPhone::parse(phone).map_err(|error| {
                AuthError::InvalidClaims(Message::new("phone: {reason}").arg_message("reason", error.message))
            })?),
            _ => None,
        };
        if let Some(year) = self.birth_year.filter(|_| resident)
            && !(1900..=2100).contains(&year)
        {
            return Err(AuthError::InvalidClaims(Message::new("birthYear: not a year of birth")));
        }
        let email = match self.email.as_deref().map(str::trim).filter(|email| !email.is_empty()) {
            Some(email) if email.len() <= 254 && email.contains('@') && !email.contains(char::is_whitespace) => {
                Some(CallerEmail(email.to_owned()))
            }
            Some(_) => return Err(AuthError::InvalidClaims(Message::new("email: not an email address"))),
            None => None,
        };
        Ok(Caller::User {
            email,
            subject: self.sub,
            role,
            district: if needs_district || resident { district } else { None },
            department: if role == Role::DepartmentStaff { department } else { None },
            phone,
            birth_year: self.birth_year.filter(|_| resident),
        })
    }
}

/// Signs HS256 tokens with the server's secret.
#[derive(Clone)]
pub struct TokenIssuer {
    key: EncodingKey,
}

impl TokenIssuer {
    /// An issuer signing with `secret`.
    pub fn new(secret: &[u8]) -> Self {
        TokenIssuer { key: EncodingKey::from_secret(secret) }
    }

    /// A signed token for `claims`.
    pub fn issue(&self, claims: &Claims) -> Result<String, AuthError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.key)
            .map_err(|error| AuthError::Key(error.to_string()))
    }
}

struct VerificationKey {
    key: DecodingKey,
    algorithm: Algorithm,
    key_id: Option<String>,
}

/// Verifies bearer tokens against the configured keys.
///
/// Each key is bound to one algorithm, so that a public RSA key can never be abused as an HMAC
/// secret (algorithm confusion), and `alg: none` is never accepted. `exp` is required, `nbf` is
/// honoured (both with [`LEEWAY_SECONDS`]); `iss` and `aud` are required and checked when an
/// issuer or audience is expected; the server's own HS256 tokens may live at most as long as
/// configured.
#[derive(Default)]
pub struct TokenVerifier {
    keys: Vec<VerificationKey>,
    issuer: Option<String>,
    audience: Option<String>,
    max_own_lifetime_seconds: Option<i64>,
}

impl TokenVerifier {
    /// A verifier that accepts nothing until keys are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires tokens issued by `issuer` (their `iss`).
    pub fn expecting_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Requires tokens for `audience` (their `aud`, a string or a list containing it).
    pub fn expecting_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Refuses HS256 tokens (this server's own) that are still valid more than `seconds` from
    /// now: a leaked token of `civitas token issue` must not work for years.
    pub fn with_max_lifetime_of_own_tokens(mut self, seconds: i64) -> Self {
        self.max_own_lifetime_seconds = Some(seconds);
        self
    }

    /// Accepts HS256 tokens signed with `secret` (tokens issued by this server).
    pub fn with_hs256_secret(mut self, secret: &[u8]) -> Self {
        self.keys.push(VerificationKey {
            key: DecodingKey::from_secret(secret),
            algorithm: Algorithm::HS256,
            key_id: None,
        });
        self
    }

    /// Accepts tokens signed by the holder of this PEM public key: RS256 for an RSA key,
    /// ES256 for a P-256 key.
    pub fn with_public_key_pem(mut self, pem: &[u8]) -> Result<Self, AuthError> {
        let (key, algorithm) = match DecodingKey::from_rsa_pem(pem) {
            Ok(key) => (key, Algorithm::RS256),
            Err(_) => (
                DecodingKey::from_ec_pem(pem)
                    .map_err(|error| AuthError::Key(format!("neither an RSA nor an EC public key: {error}")))?,
                Algorithm::ES256,
            ),
        };
        self.keys.push(VerificationKey { key, algorithm, key_id: None });
        Ok(self)
    }

    /// Accepts tokens signed by any RSA or P-256 key of a JWKS document.
    pub fn with_jwks(mut self, jwks_json: &str) -> Result<Self, AuthError> {
        let set: JwkSet =
            serde_json::from_str(jwks_json).map_err(|error| AuthError::Key(format!("not a JWKS document: {error}")))?;
        for jwk in &set.keys {
            let algorithm = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                _ => continue,
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|error| AuthError::Key(error.to_string()))?;
            self.keys.push(VerificationKey { key, algorithm, key_id: jwk.common.key_id.clone() });
        }
        if self.keys.is_empty() {
            return Err(AuthError::Key("the JWKS document has no RSA or EC key".into()));
        }
        Ok(self)
    }

    /// The caller a bearer token stands for.
    pub fn verify(&self, token: &str) -> Result<Caller, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Invalid)?;
        let candidates = self.keys.iter().filter(|candidate| {
            candidate.algorithm == header.alg
                && match (&header.kid, &candidate.key_id) {
                    (Some(wanted), Some(have)) => wanted == have,
                    _ => true,
                }
        });
        let mut outcome = Err(AuthError::Invalid);
        for candidate in candidates {
            match jsonwebtoken::decode::<Claims>(token, &candidate.key, &self.validation(candidate.algorithm)) {
                Ok(data) => {
                    self.check_lifetime(candidate.algorithm, &data.claims)?;
                    return data.claims.into_caller();
                }
                Err(error) => match error.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => outcome = Err(AuthError::Expired),
                    jsonwebtoken::errors::ErrorKind::ImmatureSignature => outcome = Err(AuthError::NotYetValid),
                    _ => {}
                },
            }
        }
        outcome
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            // Identity providers put an audience in every token; without one configured it is
            // not checked (rather than every such token refused).
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }

    fn check_lifetime(&self, algorithm: Algorithm, claims: &Claims) -> Result<(), AuthError> {
        let Some(max) = self.max_own_lifetime_seconds.filter(|_| algorithm == Algorithm::HS256) else {
            return Ok(());
        };
        let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(0);
        if claims.exp > chrono::Utc::now().timestamp() + max + leeway {
            return Err(AuthError::InvalidClaims(
                Message::new("valid for longer than the {days} days this server allows its own tokens")
                    .arg("days", max / 86_400),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(role: &str, exp: i64) -> Claims {
        Claims {
            email: None,
            sub: "u1".into(),
            role: role.into(),
            district: Some("dst_1".into()),
            department: Some("dep_2".into()),
            phone: None,
            birth_year: None,
            iat: 0,
            exp,
            nbf: None,
            iss: None,
            aud: None,
        }
    }

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn an_email_claim_is_kept_never_shown_and_checked() {
        let caller = Claims { email: Some(" mei@example.org ".into()), ..claims("resident", 1) }.into_caller();
        let caller = caller.expect("valid");
        assert_eq!(caller.email(), Some("mei@example.org"));
        assert!(!format!("{caller:?}").contains("mei"), "{caller:?}");
        let bad = Claims { email: Some("not an address".into()), ..claims("resident", 1) };
        assert!(matches!(bad.into_caller(), Err(AuthError::InvalidClaims(_))));
    }

    #[test]
    fn a_residents_district_and_verified_phone_are_kept_and_the_phone_never_shown() {
        let resident = Claims { phone: Some("0138 1234 5678".into()), department: None, ..claims("resident", 1) };
        let caller = resident.into_caller().expect("valid");
        assert_eq!(caller.district(), Some(DistrictId(1)));
        assert_eq!(caller.phone().map(VerifiedPhone::digits), Some("+8613812345678"));
        assert!(!format!("{caller:?}").contains("1234"), "{caller:?}");

        let bad = Claims { phone: Some("call me".into()), ..claims("resident", 1) };
        assert!(matches!(bad.into_caller(), Err(AuthError::InvalidClaims(_))));
        let operator = Claims { phone: Some("+86 138 1234 5678".into()), ..claims("operator", 1) };
        let operator = operator.into_caller().expect("valid");
        assert_eq!((operator.district(), operator.phone()), (None, None), "only residents carry these");
    }

    #[test]
    fn a_residents_verified_year_of_birth_is_kept_if_it_is_one() {
        let resident = Claims { birth_year: Some(2008), department: None, ..claims("resident", 1) };
        assert_eq!(resident.into_caller().expect("valid").birth_year(), Some(2008));
        let bad = Claims { birth_year: Some(208), department: None, ..claims("resident", 1) };
        assert!(matches!(bad.into_caller(), Err(AuthError::InvalidClaims(_))));
        let operator = Claims { birth_year: Some(1980), ..claims("operator", 1) };
        assert_eq!(operator.into_caller().expect("valid").birth_year(), None, "only residents carry it");
        let json = serde_json::to_value(Claims { birth_year: Some(2008), ..claims("resident", 1) }).expect("json");
        assert_eq!(json["birthYear"], 2008, "the claim's name");
    }

    fn signed(claims: &Claims) -> String {
        TokenIssuer::new(SECRET).issue(claims).expect("sign")
    }

    #[test]
    fn a_token_not_valid_yet_is_refused() {
        let verifier = TokenVerifier::new().with_hs256_secret(SECRET);
        let later = Claims { nbf: Some(now() + 3600), ..claims("operator", now() + 7200) };
        assert!(matches!(verifier.verify(&signed(&later)), Err(AuthError::NotYetValid)));
        let skewed = Claims { nbf: Some(now() + 10), ..claims("operator", now() + 7200) };
        assert!(verifier.verify(&signed(&skewed)).is_ok(), "within the leeway");
    }

    #[test]
    fn issuer_and_audience_are_checked_when_expected_and_aud_may_be_a_list() {
        let plain = TokenVerifier::new().with_hs256_secret(SECRET);
        let for_portal = Claims { aud: Some(Audience::One("portal".into())), ..claims("operator", now() + 60) };
        assert!(plain.verify(&signed(&for_portal)).is_ok(), "an audience nobody expects is not a reason to refuse");

        let strict = TokenVerifier::new()
            .with_hs256_secret(SECRET)
            .expecting_issuer("https://id.city.example")
            .expecting_audience("civitas");
        let good = Claims {
            email: None,
            iss: Some("https://id.city.example".into()),
            aud: Some(Audience::Many(vec!["portal".into(), "civitas".into()])),
            ..claims("operator", now() + 60)
        };
        assert!(strict.verify(&signed(&good)).is_ok());
        let single = Claims { aud: Some(Audience::One("civitas".into())), ..good.clone() };
        assert!(strict.verify(&signed(&single)).is_ok());
        for refused in [
            Claims { iss: Some("https://evil.example".into()), ..good.clone() },
            Claims { aud: Some(Audience::One("portal".into())), ..good.clone() },
            Claims { iss: None, ..good.clone() },
            Claims { aud: None, ..good.clone() },
        ] {
            assert!(matches!(strict.verify(&signed(&refused)), Err(AuthError::Invalid)), "{refused:?}");
        }
    }

    #[test]
    fn own_tokens_may_not_outlive_the_configured_lifetime() {
        let verifier = TokenVerifier::new().with_hs256_secret(SECRET).with_max_lifetime_of_own_tokens(30 * 86_400);
        let in_2200 = claims("city_admin", 7_258_118_400);
        assert!(matches!(verifier.verify(&signed(&in_2200)), Err(AuthError::InvalidClaims(_))));
        assert!(verifier.verify(&signed(&claims("city_admin", now() + 29 * 86_400))).is_ok());
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn issued_tokens_verify_and_bind_the_caller() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let token = TokenIssuer::new(secret).issue(&claims("department_staff", now() + 60)).expect("sign");
        let caller = TokenVerifier::new().with_hs256_secret(secret).verify(&token).expect("valid");
        assert_eq!(caller, Caller::staff("u1", DistrictId(1), DepartmentId(2)));
    }

    #[test]
    fn rejects_expired_wrongly_signed_and_unsigned_tokens() {
        let verifier = TokenVerifier::new().with_hs256_secret(b"right-secret-right-secret-right!");
        let expired = TokenIssuer::new(b"right-secret-right-secret-right!")
            .issue(&claims("operator", now() - 3600))
            .expect("sign");
        assert!(matches!(verifier.verify(&expired), Err(AuthError::Expired)));

        let forged = TokenIssuer::new(b"wrong-secret-wrong-secret-wrong!")
            .issue(&claims("city_admin", now() + 60))
            .expect("sign");
        assert!(matches!(verifier.verify(&forged), Err(AuthError::Invalid)));

        // An `alg: none` token: header {"alg":"none","typ":"JWT"} and no signature.
        let payload = serde_json::to_vec(&claims("city_admin", now() + 60)).expect("json");
        use base64::Engine;
        let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let unsigned = format!("{}.{}.", encode(br#"{"alg":"none","typ":"JWT"}"#), encode(&payload));
        assert!(matches!(verifier.verify(&unsigned), Err(AuthError::Invalid)));
        assert!(matches!(verifier.verify("garbage"), Err(AuthError::Invalid)));
    }

    #[test]
    fn claims_must_be_consistent_with_the_role() {
        let mut staff = claims("department_staff", 0);
        staff.department = None;
        assert!(staff.into_caller().is_err());
        let mut admin = claims("district_admin", 0);
        admin.district = Some("dep_1".into());
        assert!(admin.into_caller().is_err());
        assert!(claims("mayor", 0).into_caller().is_err());
    }
}
