//! Whether a caller's district and department exist and belong together: a token signed by the
//! city's identity provider (or `civitas token issue`) could name a department of another
//! district, or a district that does not exist, and would otherwise read what it names.
//!
//! Checked against the directory once per pair and remembered: districts and departments are
//! never deleted or moved to another district, so a pair found valid stays valid, and a request
//! costs no query once its caller's pair has been seen.

use std::collections::HashSet;
use std::sync::RwLock;

use super::{AuthError, Caller};
use crate::context::Context;
use crate::directory;
use crate::i18n::Message;
use crate::ids::{DepartmentId, DistrictId};

/// The district/department pairs found in the directory so far.
#[derive(Debug, Default)]
pub struct KnownBindings {
    valid: RwLock<HashSet<(DistrictId, Option<DepartmentId>)>>,
}

impl KnownBindings {
    /// None known yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `Ok` when the caller is bound to nothing, or to a district that exists (and a department
    /// of that district); `InvalidClaims` naming what is wrong otherwise.
    pub async fn check(&self, ctx: &Context, caller: &Caller) -> Result<(), AuthError> {
        let Some(district) = caller.district() else {
            return Ok(());
        };
        let pair = (district, caller.department());
        if self.valid.read().unwrap_or_else(|poison| poison.into_inner()).contains(&pair) {
            return Ok(());
        }
        let exists = match directory::district(ctx, district).await {
            Ok(_) => true,
            Err(directory::DirectoryError::NotFound(_)) => false,
            Err(error) => return Err(AuthError::Storage(error.to_string())),
        };
        if !exists {
            return Err(AuthError::InvalidClaims(
                Message::new("{district} is not a district of this city").arg("district", district),
            ));
        }
        if let Some(department) = caller.department() {
            let belongs = directory::department_belongs_to(&ctx.db, department, district)
                .await
                .map_err(|error| AuthError::Storage(error.to_string()))?;
            if !belongs {
                return Err(AuthError::InvalidClaims(
                    Message::new("{department} is not a department of {district}")
                        .arg("department", department)
                        .arg("district", district),
                ));
            }
        }
        self.valid.write().unwrap_or_else(|poison| poison.into_inner()).insert(pair);
        Ok(())
    }
}
