//! Districts, streets, departments and categories.

use async_graphql::{Context, ContextSelectionSet, ID, Object, SimpleObject, Value};
use civitas_core::directory;
use civitas_core::i18n::LocalizedText;

use super::plain::PlainFields;
use crate::errors::IntoGraphql;
use crate::schema::{core_context, request};

/// A name in every supported locale.
#[derive(SimpleObject)]
pub struct LocalizedName {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    pub zh_hans: String,
    /// Traditional Chinese.
    pub zh_hant: String,
}

impl From<&LocalizedText> for LocalizedName {
    fn from(text: &LocalizedText) -> Self {
        LocalizedName { en: text.en.clone(), zh_hans: text.zh_hans.clone(), zh_hant: text.zh_hant.clone() }
    }
}

fn localized<T>(ctx: &async_graphql::ContextBase<'_, T>, text: &LocalizedText) -> String {
    text.get(request(ctx).locale).to_owned()
}

/// A district of the city.
pub struct District(pub directory::District);

#[Object]
impl District {
    /// Its ID (`dst_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The work address that hears of escalations and of plugins disabled by their failures
    /// (shown to the district's admins and city admins; null for everyone else).
    async fn notification_email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        if request(ctx).caller.administers(Some(self.0.id)).is_err() {
            return Ok(None);
        }
        // Read afresh: directory entries loaded for a page come from memory without it.
        Ok(directory::district(core_context(ctx), self.0.id).await.gql()?.notification_email)
    }

    /// Short unique code.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Name in the request's language (`Accept-Language`).
    async fn name(&self, ctx: &Context<'_>) -> String {
        localized(ctx, &self.0.name)
    }

    /// Name in every language.
    async fn names(&self) -> LocalizedName {
        (&self.0.name).into()
    }

    /// Whether callers who are not signed in may submit tickets here.
    async fn allow_anonymous_tickets(&self) -> bool {
        self.0.allow_anonymous_tickets
    }

    /// Its streets.
    async fn streets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Street>> {
        let streets = directory::streets(core_context(ctx), self.0.id).await.gql()?;
        Ok(streets.into_iter().map(Street).collect())
    }

    /// Its departments.
    async fn departments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Department>> {
        let departments = directory::departments(core_context(ctx), self.0.id).await.gql()?;
        Ok(departments.into_iter().map(Department).collect())
    }

    /// Its ticket categories.
    async fn categories(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Category>> {
        let categories = directory::categories(core_context(ctx), self.0.id).await.gql()?;
        Ok(categories.into_iter().map(Category).collect())
    }
}

/// A street of a district.
pub struct Street(pub directory::Street);

#[Object]
impl Street {
    /// Its ID (`str_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Name in the request's language.
    async fn name(&self, ctx: &Context<'_>) -> String {
        localized(ctx, &self.0.name)
    }

    /// Name in every language.
    async fn names(&self) -> LocalizedName {
        (&self.0.name).into()
    }
}

/// A department of a district.
pub struct Department(pub directory::Department);

#[Object]
impl Department {
    /// Its ID (`dep_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The work address that hears of each ticket dispatched or transferred to it (shown to its
    /// district's admins and city admins; null for everyone else).
    async fn notification_email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        if request(ctx).caller.administers(Some(self.0.district_id)).is_err() {
            return Ok(None);
        }
        // Read afresh: directory entries loaded for a page come from memory without it.
        Ok(directory::department(core_context(ctx), self.0.id).await.gql()?.notification_email)
    }

    /// Name in the request's language.
    async fn name(&self, ctx: &Context<'_>) -> String {
        localized(ctx, &self.0.name)
    }

    /// Name in every language.
    async fn names(&self) -> LocalizedName {
        (&self.0.name).into()
    }

    /// The district's ID.
    async fn district_id(&self) -> ID {
        ID(self.0.district_id.to_string())
    }
}

/// A ticket category and its deadlines.
pub struct Category(pub directory::Category);

#[Object]
impl Category {
    /// Its ID (`cat_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Name in the request's language.
    async fn name(&self, ctx: &Context<'_>) -> String {
        localized(ctx, &self.0.name)
    }

    /// Name in every language.
    async fn names(&self) -> LocalizedName {
        (&self.0.name).into()
    }

    /// Hours from submission within which a department must accept a ticket.
    async fn respond_within_hours(&self) -> i32 {
        self.0.respond_within_hours
    }

    /// Hours from submission within which a ticket must be resolved.
    async fn resolve_within_hours(&self) -> i32 {
        self.0.resolve_within_hours
    }

    /// The department that usually handles it.
    async fn default_department_id(&self) -> Option<ID> {
        self.0.default_department_id.map(|id| ID(id.to_string()))
    }
}

// A page of tickets names each ticket's district, department, category and street: their
// names and codes are answered in the page's own pass (see `plain`).

impl PlainFields for District {
    fn plain(&self, ctx: &ContextSelectionSet<'_>, name: &str) -> Option<Value> {
        Some(match name {
            "id" => Value::String(self.0.id.to_string()),
            "code" => Value::String(self.0.code.clone()),
            "name" => Value::String(localized(ctx, &self.0.name)),
            "allowAnonymousTickets" => Value::Boolean(self.0.allow_anonymous_tickets),
            _ => return None,
        })
    }
}

impl PlainFields for Street {
    fn plain(&self, ctx: &ContextSelectionSet<'_>, name: &str) -> Option<Value> {
        Some(match name {
            "id" => Value::String(self.0.id.to_string()),
            "name" => Value::String(localized(ctx, &self.0.name)),
            _ => return None,
        })
    }
}

impl PlainFields for Department {
    fn plain(&self, ctx: &ContextSelectionSet<'_>, name: &str) -> Option<Value> {
        Some(match name {
            "id" => Value::String(self.0.id.to_string()),
            "name" => Value::String(localized(ctx, &self.0.name)),
            "districtId" => Value::String(self.0.district_id.to_string()),
            _ => return None,
        })
    }
}

impl PlainFields for Category {
    fn plain(&self, ctx: &ContextSelectionSet<'_>, name: &str) -> Option<Value> {
        Some(match name {
            "id" => Value::String(self.0.id.to_string()),
            "name" => Value::String(localized(ctx, &self.0.name)),
            "respondWithinHours" => Value::from(self.0.respond_within_hours),
            "resolveWithinHours" => Value::from(self.0.resolve_within_hours),
            "defaultDepartmentId" => {
                self.0.default_department_id.map_or(Value::Null, |id| Value::String(id.to_string()))
            }
            _ => return None,
        })
    }
}
