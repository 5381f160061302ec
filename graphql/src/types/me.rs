//! The caller, as the server sees them.

use async_graphql::{ID, Object};
use civitas_core::auth::Caller;

/// Who the request's bearer token says the caller is.
pub struct Me(pub Caller);

#[Object]
impl Me {
    /// Whether a valid token was given.
    async fn authenticated(&self) -> bool {
        matches!(self.0, Caller::User { .. })
    }

    /// The token's subject.
    async fn subject(&self) -> Option<&str> {
        self.0.subject()
    }

    /// Role name (`resident`, `operator`, `department_staff`, `district_admin`, `city_admin`).
    async fn role(&self) -> Option<&'static str> {
        self.0.role().map(|role| role.as_str())
    }

    /// The district the caller belongs to.
    async fn district_id(&self) -> Option<ID> {
        self.0.district().map(|id| ID(id.to_string()))
    }

    /// The department the caller belongs to.
    async fn department_id(&self) -> Option<ID> {
        self.0.department().map(|id| ID(id.to_string()))
    }
}
