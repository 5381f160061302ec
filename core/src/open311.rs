//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>): what the protocol needs of the
//! domain, so that the 311 apps, FixMyStreet and data portals a city already has keep working.
//!
//! A *jurisdiction* is a district, a *service* one of its categories and a *service request* a
//! ticket, named by its tracking code. Reading is public and goes through
//! [`crate::tickets::public_tickets`], which has no field for personal data. Posting takes an API
//! key that a district (or city) admin issued to the client ([`create_client`]); the request
//! then becomes an ordinary [`crate::tickets::submit`] on channel `OPEN311`, with the same
//! validation, routing plugins and deadlines as any other ticket, recorded as taken in by the
//! client (`open311:o311_<n>`). The client gets a token besides the ticket's code, which
//! [`request_for_token`] maps back for as long as the server lives.

mod clients;
mod entities;
mod error;
mod requests;

pub use clients::{IssuedKey, Open311Client, client_for_key, clients, create_client, revoke_client};
pub use error::Open311Error;
pub use requests::{
    MAX_DESCRIPTION_CHARS, MAX_MEDIA_URL_CHARS, Posted, PostedRequest, media_urls, post, request_for_token,
};
