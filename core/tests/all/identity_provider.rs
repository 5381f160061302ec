//! Tokens from the city's identity provider: RS256 and ES256, by PEM key or JWKS.

use civitas_core::auth::{Audience, AuthError, Caller, Claims, TokenVerifier};
use jsonwebtoken::{Algorithm, EncodingKey, Header};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
}

fn claims() -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        email: None,
        sub: "idp|42".into(),
        role: "district_admin".into(),
        district: Some("dst_3".into()),
        department: None,
        phone: None,
        birth_year: None,
        iat: now,
        exp: now + 300,
        nbf: None,
        iss: None,
        aud: None,
    }
}

fn sign(algorithm: Algorithm, key: &EncodingKey, kid: Option<&str>) -> String {
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, &claims(), key).expect("sign")
}

#[test]
fn rs256_and_es256_with_pem_keys() {
    let verifier = TokenVerifier::new()
        .with_public_key_pem(&fixture("rsa-public.pem"))
        .expect("rsa key")
        .with_public_key_pem(&fixture("ec-public.pem"))
        .expect("ec key");
    let expected = Caller::district_admin("idp|42", civitas_core::ids::DistrictId(3));
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa-private.pem")).expect("rsa private");
    assert_eq!(verifier.verify(&sign(Algorithm::RS256, &rsa, None)).expect("rs256"), expected);
    let ec = EncodingKey::from_ec_pem(&fixture("ec-private.pem")).expect("ec private");
    assert_eq!(verifier.verify(&sign(Algorithm::ES256, &ec, None)).expect("es256"), expected);
}

#[test]
fn jwks_keys_are_matched_by_kid() {
    let jwks = String::from_utf8(fixture("jwks.json")).expect("utf8");
    let verifier = TokenVerifier::new().with_jwks(&jwks).expect("jwks");
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa-private.pem")).expect("rsa private");
    assert!(verifier.verify(&sign(Algorithm::RS256, &rsa, Some("city-idp-1"))).is_ok());
    assert!(matches!(verifier.verify(&sign(Algorithm::RS256, &rsa, Some("other-kid"))), Err(AuthError::Invalid)));
}

#[test]
fn a_public_key_is_never_accepted_as_an_hmac_secret() {
    // Algorithm confusion: HS256 signed with the RSA public key's bytes must not verify.
    let verifier = TokenVerifier::new().with_public_key_pem(&fixture("rsa-public.pem")).expect("rsa key");
    let forged = sign(Algorithm::HS256, &EncodingKey::from_secret(&fixture("rsa-public.pem")), None);
    assert!(matches!(verifier.verify(&forged), Err(AuthError::Invalid)));
    // And a token signed by another RSA key fails.
    let ec = EncodingKey::from_ec_pem(&fixture("ec-private.pem")).expect("ec private");
    assert!(matches!(verifier.verify(&sign(Algorithm::ES256, &ec, None)), Err(AuthError::Invalid)));
}

#[test]
fn an_oidc_token_with_issuer_audience_and_not_before_is_accepted_as_the_idp_issues_it() {
    let now = chrono::Utc::now().timestamp();
    // As Keycloak or Azure AD write it: `aud` a list, `iss` the realm's URL, `nbf` set.
    let token_claims = Claims {
        email: None,
        iss: Some("https://id.city.example/realms/civitas".into()),
        aud: Some(Audience::Many(vec!["account".into(), "civitas".into()])),
        nbf: Some(now - 5),
        ..claims()
    };
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa-private.pem")).expect("rsa private");
    let token = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &token_claims, &rsa).expect("sign");
    let verifier = TokenVerifier::new()
        .with_public_key_pem(&fixture("rsa-public.pem"))
        .expect("rsa key")
        .expecting_issuer("https://id.city.example/realms/civitas")
        .expecting_audience("civitas");
    assert!(verifier.verify(&token).is_ok());
    let elsewhere = TokenVerifier::new()
        .with_public_key_pem(&fixture("rsa-public.pem"))
        .expect("rsa key")
        .expecting_issuer("https://id.other.example");
    assert!(matches!(elsewhere.verify(&token), Err(AuthError::Invalid)));
}
