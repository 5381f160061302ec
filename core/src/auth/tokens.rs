//! Signed bearer tokens (JWT).

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Caller, Role};
use crate::error::{Classify, ErrorKind};
use crate::ids::{DepartmentId, DistrictId};

/// Why a token was not accepted, or a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The token has expired.
    #[error("the token has expired")]
    Expired,
    /// Not a JWT, wrongly signed, signed with an algorithm that is not configured (including
    /// `alg: none`), or not valid yet.
    #[error("the token is invalid")]
    Invalid,
    /// The token is well signed but its claims do not describe a valid caller.
    #[error("the token's claims are invalid: {0}")]
    InvalidClaims(String),
    /// A configured key could not be loaded.
    #[error("cannot load the verification key: {0}")]
    Key(String),
}

impl Classify for AuthError {
    fn kind(&self) -> ErrorKind {
        match self {
            AuthError::Key(_) => ErrorKind::Internal,
            AuthError::Expired | AuthError::Invalid | AuthError::InvalidClaims(_) => ErrorKind::Unauthenticated,
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
    /// District ID, for district admins and department staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Department ID, for department staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
}

impl Claims {
    /// The caller these claims describe, checking that role and bindings are consistent.
    pub fn into_caller(self) -> Result<Caller, AuthError> {
        let role: Role =
            self.role.parse().map_err(|error: super::UnknownRole| AuthError::InvalidClaims(error.to_string()))?;
        let district = self
            .district
            .as_deref()
            .map(str::parse::<DistrictId>)
            .transpose()
            .map_err(|error| AuthError::InvalidClaims(error.to_string()))?;
        let department = self
            .department
            .as_deref()
            .map(str::parse::<DepartmentId>)
            .transpose()
            .map_err(|error| AuthError::InvalidClaims(error.to_string()))?;
        if self.sub.trim().is_empty() {
            return Err(AuthError::InvalidClaims("empty subject".into()));
        }
        let needs_district = matches!(role, Role::DistrictAdmin | Role::DepartmentStaff);
        if needs_district && district.is_none() {
            return Err(AuthError::InvalidClaims(format!("role {role} needs a district")));
        }
        if role == Role::DepartmentStaff && department.is_none() {
            return Err(AuthError::InvalidClaims("role department_staff needs a department".into()));
        }
        Ok(Caller::User {
            subject: self.sub,
            role,
            district: if needs_district { district } else { None },
            department: if role == Role::DepartmentStaff { department } else { None },
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
/// secret (algorithm confusion), and `alg: none` is never accepted.
#[derive(Default)]
pub struct TokenVerifier {
    keys: Vec<VerificationKey>,
}

impl TokenVerifier {
    /// A verifier that accepts nothing until keys are added.
    pub fn new() -> Self {
        Self::default()
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
            let mut validation = Validation::new(candidate.algorithm);
            validation.leeway = 30;
            validation.set_required_spec_claims(&["exp", "sub"]);
            match jsonwebtoken::decode::<Claims>(token, &candidate.key, &validation) {
                Ok(data) => return data.claims.into_caller(),
                Err(error) => {
                    if matches!(error.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) {
                        outcome = Err(AuthError::Expired);
                    }
                }
            }
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(role: &str, exp: i64) -> Claims {
        Claims {
            sub: "u1".into(),
            role: role.into(),
            district: Some("dst_1".into()),
            department: Some("dep_2".into()),
            iat: 0,
            exp,
        }
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
