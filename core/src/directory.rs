//! The city's directory: districts, streets, departments and ticket categories.
//!
//! Directory data is public (anyone may read it); only administrators change it.

mod cache;
mod entities;
mod error;
mod model;
mod service;

pub use cache::DirectoryCache;
pub use error::DirectoryError;
pub use model::{Category, Department, District, NewCategory, NewDepartment, NewDistrict, NewStreet, Street};
pub use service::{
    categories, categories_by_ids, category, create_category, create_department, create_district, create_street,
    department, departments, departments_by_ids, district, district_by_code, districts, districts_by_ids,
    set_department_notification_email, set_district_notification_email, street, streets, streets_by_ids,
};
pub(crate) use service::{category_in, department_belongs_to, department_in};
