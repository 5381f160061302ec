//! Who is calling: roles, callers and signed tokens.
//!
//! Every service function takes the [`Caller`]; authorisation lives in the domain, not in the
//! transport. Tokens are JWTs: HS256 signed with the server's own secret for tokens it issues,
//! or RS256/ES256 verified with the city identity provider's public keys.

mod bindings;
mod caller;
mod tokens;

pub use bindings::KnownBindings;
pub use caller::{AdminRefusal, Caller, CallerEmail, Role, UnknownRole, VerifiedPhone};
pub use tokens::{Audience, AuthError, Claims, LEEWAY_SECONDS, TokenIssuer, TokenVerifier};
